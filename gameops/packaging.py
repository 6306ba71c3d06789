"""Reproducible zip archives, SHA256SUMS and release-manifest.json.

Two builds of one commit give byte-identical archives: entries sorted by their archive path
(``/`` separators), every timestamp = the release commit's time (``SOURCE_DATE_EPOCH`` when set,
clamped to the zip epoch 1980-01-01), fixed modes (0755 for executables and folders, 0644 for
the rest), ``create_system`` = Unix whatever the host, DEFLATE at a pinned level, no extra fields,
no comment. The archive is written to a temporary file next to its destination and renamed; when
the result equals what is already there, nothing is replaced.

Nothing from outside goes in: every packaged file is resolved and must lie inside its base (the
project for ``release.include``, the export's own folder for the export). A symbolic link is
refused (``release.symlinks: refuse``, the default) or stored as a link (``store``) when its
target is relative and stays inside the base; it is never followed outward. Fifos, devices and
sockets are refused. No entry name is absolute or has an empty, ``.`` or ``..`` part.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import stat
import string
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gameops.errors import BadInput
from gameops.fileops import AtomicWriter, atomic_write_text, checkpoint, sha256_file

ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
COMPRESSLEVEL = 6
CHECKSUMS = "SHA256SUMS"
MANIFEST = "release-manifest.json"
NOTES = "RELEASE_NOTES.md"
ARCHIVE_FIELDS = ("project", "version", "platform")
REFUSE, STORE = "refuse", "store"  # release.symlinks


def source_date_epoch(commit_time: int, environ: Mapping[str, str] | None = None) -> int:
    """``SOURCE_DATE_EPOCH`` when set (an integer), else the commit time; BadInput when malformed."""
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return commit_time
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadInput(f"SOURCE_DATE_EPOCH={raw!r}: expected an integer number of seconds since 1970-01-01 UTC") from None
    if value < 0:
        raise BadInput(f"SOURCE_DATE_EPOCH={raw!r}: must not be negative")
    return value


def zip_date_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    return time.gmtime(max(epoch, ZIP_EPOCH))[:6]  # type: ignore[return-value]


def slug(text: str) -> str:
    """``text`` as a piece of a portable file name: accents dropped (NFKD), then runs of anything
    but ASCII letters, digits, ``.``, ``_``, ``+`` and ``-`` become one ``-``
    ("Sample Game" -> "Sample-Game", "Jeu d'été" -> "Jeu-d-ete")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", ascii_text).strip("-.") or "project"


def check_archive_template(template: str) -> None:
    """``release.archive_name`` holds only plain ``{project}``, ``{version}``, ``{platform}`` fields:
    no attribute or index access (``{project.__class__}``), no conversion, no format spec."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise BadInput(f"release.archive_name {template!r}: malformed template ({exc}); use {{project}}, {{version}}, {{platform}}") from None
    for _, field_name, spec, conv in parsed:
        if field_name is None:
            continue
        if field_name not in ARCHIVE_FIELDS or spec or conv:
            shown = "{" + field_name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            raise BadInput(f"release.archive_name {template!r}: {shown} is not a plain field; use {{project}}, {{version}}, {{platform}}")


def archive_name(template: str, *, project: str, version: str, platform: str) -> str:
    """The archive file name from ``release.archive_name`` ({project}, {version}, {platform}); the
    fields are plain names and the values slugs, so the name has no spaces or separators whatever
    the project is called."""
    check_archive_template(template)
    name = template.format(project=slug(project), version=slug(version), platform=slug(platform))
    if not name or any(sep in name for sep in ("/", "\\", "\0")) or name.strip(".") == "" or name.startswith("-"):
        raise BadInput(f"release.archive_name {template!r}: gives {name!r}, which is not a file name")
    if not name.lower().endswith(".zip"):
        name += ".zip"
    return name


@dataclass(frozen=True)
class Item:
    """One entry of an archive: its path inside the archive, and its bytes (a file, or given),
    or, for a stored symbolic link, the link's target."""

    arcname: str
    source: Path | None = None
    data: bytes | None = None
    executable: bool = False
    link: str | None = None


def _inside(path: Path, base: Path) -> bool:
    return path == base or base in path.parents


def _checked(path: Path, base: Path, rel: str, symlinks: str, what: str) -> Item:
    """The archive item for ``base/rel``, or BadInput naming the path when it would bring in
    anything from outside ``base`` (``base`` is already resolved)."""
    shown = path
    # A linked folder on the way is a link too: it would lead the entry somewhere else.
    cur = base
    for part in Path(rel).parts[:-1]:
        cur = cur / part
        if cur.is_symlink():
            raise BadInput(f"{cur}: {what} passes through a symbolic link to {os.readlink(cur)!r}; "
                           "gameops does not follow links into a release")
    if path.is_symlink():
        target = os.readlink(path)
        resolved = path.resolve()
        outward = os.path.isabs(target) or not _inside(resolved, base)
        if outward:
            raise BadInput(f"{shown}: symbolic link to {target!r}, outside {base}; refused (nothing from outside goes into a release)")
        if symlinks != STORE:
            raise BadInput(f"{shown}: symbolic link to {target!r}; refused (release.symlinks: store keeps links as links)")
        return Item(rel, link=target)
    try:
        st = path.lstat()
    except OSError as exc:
        raise BadInput(f"{shown}: cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise BadInput(f"{shown}: not a regular file; refused")
    if not _inside(path.resolve(), base):
        raise BadInput(f"{shown}: resolves outside {base}; refused")
    return Item(rel, source=path, executable=bool(st.st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)))


def tree_items(folder: Path, prefix: str = "", symlinks: str = REFUSE) -> list[Item]:
    """Every file under ``folder`` (an export's own folder), arcnames relative to it; links are
    refused or stored (``symlinks``), never followed."""
    base = Path(folder).resolve()
    items = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        d = Path(dirpath)
        for name in sorted(dirnames):
            if (d / name).is_symlink():  # os.walk lists a linked folder as a folder: treat it as the link it is
                dirnames.remove(name)
                filenames.append(name)
        for name in filenames:
            p = d / name
            rel = p.relative_to(base).as_posix()
            it = _checked(p, base, rel, symlinks, "export file")
            items.append(Item(prefix + it.arcname, source=it.source, executable=it.executable, link=it.link))
    return items


def check_include_pattern(pattern: str) -> str | None:
    """Why a ``release.include`` glob may not be used (absolute, or a ``..`` part), or None."""
    if not pattern or pattern.startswith(("/", "\\")) or os.path.isabs(pattern) or (len(pattern) > 1 and pattern[1] == ":"):
        return "is absolute; globs are relative to the project"
    if any(part == ".." for part in pattern.replace("\\", "/").split("/")):
        return "has a '..' part; globs must stay inside the project"
    return None


def glob_items(root: Path, patterns: Sequence[str], overrides: Mapping[str, bytes] | None = None,
               symlinks: str = REFUSE) -> list[Item]:
    """Repository files matching ``patterns`` (release.include), by their path relative to ``root``.

    ``overrides`` gives the bytes of some of them (the CHANGELOG with the new section). A pattern
    that is absolute or has a ``..`` part, and any match that is (or passes through) a link
    leading out of the project, is BadInput naming it.
    """
    base = Path(root).resolve()
    overrides = dict(overrides or {})
    found: dict[str, Item] = {}
    for pattern in patterns:
        why = check_include_pattern(pattern)
        if why:
            raise BadInput(f"release.include {pattern!r}: {why}")
        for p in sorted(base.glob(pattern)):
            rel = p.relative_to(base).as_posix()
            if ".git" in Path(rel).parts or (p.is_dir() and not p.is_symlink()):
                continue
            it = _checked(p, base, rel, symlinks, "release.include match")
            found[rel] = Item(rel, source=it.source, data=overrides.get(rel) if it.link is None else None,
                              executable=False, link=it.link)
    for rel, data in overrides.items():
        if rel not in found and any(fnmatch.fnmatch(rel, pat) for pat in patterns):
            found[rel] = Item(rel, data=data)
    return list(found.values())


def check_entry_name(name: str) -> None:
    """BadInput unless ``name`` is a safe zip entry name: relative, ``/``-separated, no empty,
    ``.`` or ``..`` part, no drive, no control character."""
    body = name[:-1] if name.endswith("/") else name
    parts = body.split("/")
    if (not body or name.startswith("/") or "\\" in name or (len(body) > 1 and body[1] == ":")
            or any(p in ("", ".", "..") for p in parts) or any(ord(c) < 32 for c in name)):
        raise BadInput(f"zip entry {name!r}: not a safe relative path (absolute, or an empty, '.' or '..' part); refused")


def _dirs_of(names: Iterable[str]) -> set[str]:
    dirs: set[str] = set()
    for n in names:
        parts = n.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]) + "/")
    return dirs


def write_zip(dest: Path, items: Sequence[Item], epoch: int, *, wrap: str | None = None) -> bool:
    """Write a reproducible zip of ``items`` to ``dest``. Returns False when ``dest`` already had these bytes."""
    prefix = f"{wrap}/" if wrap else ""
    entries: dict[str, Item] = {}
    for it in items:
        name = prefix + it.arcname
        check_entry_name(name)
        if name in entries:
            raise BadInput(f"{dest.name}: two files would be stored as {name!r}")
        entries[name] = it
    date_time = zip_date_time(epoch)
    names = sorted(set(entries) | _dirs_of(entries), key=lambda n: n.encode("utf-8"))
    writer = AtomicWriter(dest)  # same bytes as before: the old archive stays untouched
    with writer as raw:
        with zipfile.ZipFile(raw, "w") as zf:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=date_time)
                info.create_system = 3
                if name.endswith("/"):
                    info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                    info.compress_type = zipfile.ZIP_STORED
                    zf.writestr(info, b"")
                    continue
                it = entries[name]
                if it.link is not None:  # stored as a link (release.symlinks: store), never followed
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    info.compress_type = zipfile.ZIP_STORED
                    zf.writestr(info, it.link.encode("utf-8"))
                    continue
                info.external_attr = (stat.S_IFREG | (0o755 if it.executable else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                if it.data is not None:
                    zf.writestr(info, it.data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL)
                    checkpoint(f"zip entry {name} written")
                    continue
                assert it.source is not None
                size = it.source.stat().st_size
                info.file_size = size
                info._compresslevel = COMPRESSLEVEL  # type: ignore[attr-defined]  # ZipFile.open honours it
                with open(it.source, "rb") as src, zf.open(info, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                checkpoint(f"zip entry {name} written")  # a kill here leaves a half-written temporary zip
    return writer.changed


# ---------------------------------------------------------------------------
# Checksums and manifest


def checksums_text(hashes: Mapping[str, str]) -> str:
    """``<hex>  <name>`` lines sorted by name: what ``sha256sum -c SHA256SUMS`` reads."""
    return "".join(f"{hashes[n]}  {n}\n" for n in sorted(hashes, key=lambda n: n.encode("utf-8")))


def read_checksums(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if not name:
            digest, _, name = line.partition(" *")
        out[name] = digest.strip().lower()
    return out


def verify(folder: Path) -> list[str]:
    """Problems with the files of a release folder against its SHA256SUMS (empty list = all good)."""
    sums = folder / CHECKSUMS
    if not sums.is_file():
        return [f"{CHECKSUMS} is missing"]
    problems = []
    for name, digest in read_checksums(sums).items():
        p = folder / name
        if not p.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(p) != digest:
            problems.append(f"{name}: sha256 differs from {CHECKSUMS}")
    return problems


def write_checksums(folder: Path, hashes: dict[str, str]) -> None:
    """``SHA256SUMS`` from the hashes already taken of each archive (not read a second time)."""
    atomic_write_text(folder / CHECKSUMS, checksums_text(hashes), newline="\n")


def manifest(*, project: str, version: str, tag: str, commit: str, epoch: int, artifacts: Sequence[dict],
             notes: str = NOTES) -> dict:
    """The release manifest: no clock reading, so two builds of one commit write the same bytes."""
    return {
        "project": project,
        "version": version,
        "tag": tag,
        "commit": commit,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)),
        "source_date_epoch": epoch,
        "artifacts": sorted(artifacts, key=lambda a: a["name"]),
        "checksums": CHECKSUMS,
        "notes": notes,
    }


def write_manifest(folder: Path, doc: dict) -> bool:
    return atomic_write_text(folder / MANIFEST, json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n", newline="\n")


def read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def artifact_entry(path: Path, platform: str) -> dict:
    return {"name": path.name, "platform": platform, "size": path.stat().st_size, "sha256": sha256_file(path)}



