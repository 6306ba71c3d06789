"""A throwaway PostgreSQL cluster for the team tests: temp folder, free port, trust auth.

Uses the server binaries of Debian's ``postgresql`` package (``/usr/lib/postgresql/*/bin``)
or ``pg_ctl`` on PATH. PostgreSQL refuses to run as root, so as root the cluster is created
and run as the ``postgres`` user (``runuser``, else ``su``). :func:`available` says why not
when it cannot work, so a test can skip with that reason (CI installs ``postgresql``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bin_dir() -> Path | None:
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("pg_ctl")  # a symlink (Debian, Homebrew) points at the folder with initdb and psql
    if found and (Path(found).resolve().parent / "initdb").exists():
        return Path(found).resolve().parent
    return None


def _as_user() -> list[str]:
    """Command prefix that drops root to the postgres user ([] when not root)."""
    if os.name == "nt" or os.geteuid() != 0:
        return []
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--"]
    return ["su", "postgres", "-s", "/bin/sh", "-c"]  # handled specially in _run


def available() -> str | None:
    """None when a cluster can be started here, else the reason it cannot."""
    if bin_dir() is None:
        return "PostgreSQL server binaries not found (apt-get install postgresql)"
    if os.name != "nt" and os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
    return None


@dataclass
class Cluster:
    root: Path
    port: int
    bindir: Path
    user: str = "postgres"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, db: str = "prefect") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{db}"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        prefix = _as_user()
        if prefix[:1] == ["su"]:
            import shlex

            argv = [*prefix, " ".join(shlex.quote(a) for a in args)]
        else:
            argv = [*prefix, *args]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=self.root, stdin=subprocess.DEVNULL)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
        return out

    def start(self) -> "Cluster":
        b = self.bindir
        self._run(str(b / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--no-sync")
        opts = f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off -c full_page_writes=off -c max_connections=100"
        self._run(str(b / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-o", opts, "-w", "-t", "90", "start")
        deadline = time.monotonic() + 60
        while True:
            try:
                self.psql("postgres", "SELECT 1")
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.psql("postgres", "CREATE DATABASE prefect")
        return self

    def psql(self, db: str, sql: str) -> str:
        out = self._run(str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                        "-d", db, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql, timeout=60)
        return out.stdout.strip()

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop", timeout=60)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + pg_ctl start in a fresh temp folder on a free port; caller must stop() it."""
    reason = available()
    if reason:
        raise RuntimeError(reason)
    root = Path(tempfile.mkdtemp(prefix="gameops-pg-"))
    if _as_user():
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    os.chmod(root, 0o700)
    cluster = Cluster(root=root, port=free_port(), bindir=bin_dir())  # type: ignore[arg-type]
    try:
        return cluster.start()
    except BaseException:
        cluster.stop()
        raise
