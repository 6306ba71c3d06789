"""The local Prefect server's SQLite database, ready on the first start.

A Prefect server on a fresh home creates its SQLite database by running every migration of its
history (116 in Prefect 3.9): 15-20 s of CPU before the first flow command can record anything,
most of a newcomer's first command. gameops ships that database as Prefect's own migrations
leave it, empty (``gameops/data/prefect-sqlite.db.gz``, 16 kB; ``make prefect-template`` makes it
again with the installed Prefect), and puts it in place before the first start of a home's
server. Prefect then migrates from there as it always does: nothing, or the few migrations a
newer Prefect added.

It is used only where it cannot be wrong:
- only for Prefect's default database (``$PREFECT_HOME/prefect.db``): never when a database is
  given (``--database``, any ``PREFECT_SERVER_DATABASE_*`` / ``PREFECT_API_DATABASE_*``
  variable) or when a Prefect settings file (profiles, ``prefect.toml``, ``.env``,
  ``pyproject.toml``) mentions a database;
- never over an existing file: a home's database is the team's run history;
- only when the installed Prefect knows the template's migration revision (an older or newer
  Prefect without it migrates a fresh database itself, as before).

No Prefect import: the installed Prefect's migration revisions are read from its files.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import re
import shutil
import sqlite3
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "data" / "prefect-sqlite.db.gz"
_REVISION = re.compile(r"""^revision\s*(?::\s*str\s*)?=\s*["']([0-9a-f]+)["']""", re.M)
_SETTINGS_FILES = ("prefect.toml", ".env", "pyproject.toml")


def prefect_home(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("PREFECT_HOME") or "~/.prefect").expanduser()


def default_database(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path | None:
    """``$PREFECT_HOME/prefect.db`` when the server will use Prefect's default SQLite database;
    None when anything may name another database."""
    env = os.environ if environ is None else environ
    if any(k.startswith(("PREFECT_SERVER_DATABASE_", "PREFECT_API_DATABASE_")) for k in env):
        return None
    home = prefect_home(env)
    folder = Path.cwd() if cwd is None else cwd
    profiles = Path(env.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        if _mentions_database(profiles, "profiles") or any(
                _mentions_database(folder / name, name) for name in _SETTINGS_FILES):
            return None
    except OSError:
        return None
    return home / "prefect.db"


_MAX_SETTINGS_BYTES = 1 << 20


def _mentions_database(path: Path, kind: str) -> bool:
    """Whether a Prefect settings file may set a database (erring on yes when it cannot tell).

    The working folder may be an untrusted repository: a link is not followed and a file larger
    than 1 MiB is not read (both: cannot tell, so no seeding; Prefect migrates as usual)."""
    if path.is_symlink():
        return True
    if not path.is_file():
        return False
    if path.stat().st_size > _MAX_SETTINGS_BYTES:
        return True
    text = path.read_text(encoding="utf-8", errors="replace")
    if kind == ".env":  # only its PREFECT_ variables are Prefect's
        return any(line.strip().upper().startswith(("PREFECT_", "EXPORT PREFECT_")) and "DATABASE" in line.upper()
                   for line in text.splitlines())
    if kind == "pyproject.toml":  # only its [tool.prefect] tables are Prefect's
        try:
            prefect_tables = tomllib.loads(text).get("tool", {}).get("prefect")
        except tomllib.TOMLDecodeError:
            return "tool.prefect" in text
        return prefect_tables is not None and "database" in repr(prefect_tables).lower()
    return "database" in text.lower()  # profiles, prefect.toml: Prefect's own files


def known_revisions() -> set[str]:
    """The SQLite migration revisions of the installed Prefect (empty when it cannot be found)."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        return set()
    versions = Path(next(iter(spec.submodule_search_locations))) / "server" / "database" / "_migrations" / "versions" / "sqlite"
    found = set()
    for path in versions.glob("*.py"):
        m = _REVISION.search(path.read_text(encoding="utf-8", errors="replace"))
        if m:
            found.add(m.group(1))
    return found


def revision_of(database: Path) -> str | None:
    """The migration revision recorded in a SQLite database (``alembic_version``), or None."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def seed(environ: Mapping[str, str] | None = None, cwd: Path | None = None,
         template: Path = TEMPLATE) -> str | None:
    """Put the migrated empty database in place for a server's first start; returns its revision,
    or None when nothing was written (see the module's rules)."""
    target = default_database(environ, cwd)
    if target is None or target.exists() or target.is_symlink() or not template.is_file():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".prefect.db.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(template, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        revision = revision_of(tmp)
        if revision is None or revision not in known_revisions():
            return None
        try:
            os.link(tmp, target)  # never over a database that appeared meanwhile
        except FileExistsError:
            return None
        return revision
    except (OSError, gzip.BadGzipFile, EOFError):
        return None
    finally:
        tmp.unlink(missing_ok=True)
