"""The local Prefect server (``gameops server start|stop|status``) and how the CLI finds it.

No Prefect import here: the server is a child process (``prefect server start``) and the
health check is one HTTP request. The state file lives in ``$GAMEOPS_HOME`` (default
``~/.gameops``) as ``server.json``: pid, url, log file, database; ``server.lock`` keeps one
server per home; ``server.log`` is the server's output. A flow command with no server starts
this same server in the background (``connect``) and later commands reuse it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from pathlib import Path

import psutil

from gameops.errors import BadInput, JobFailed
from gameops.fileops import atomic_write_text
from gameops.process import kill_tree


def home() -> Path:
    return Path(os.environ.get("GAMEOPS_HOME") or Path.home() / ".gameops")


def state_file() -> Path:
    return home() / "server.json"


@dataclass
class ServerState:
    pid: int
    host: str
    port: int
    log: str
    database: str | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api"


def healthy(url: str, timeout: float = 0.5) -> bool:
    """True when a Prefect API answers ``/health`` at ``url`` (the API root, ending in /api)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_in_use(host: str, port: int) -> bool:
    probe = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.3)
        return s.connect_ex((probe, port)) == 0


def read_state() -> ServerState | None:
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
        return ServerState(**data)
    except (OSError, ValueError, TypeError):
        return None


def running() -> ServerState | None:
    """The gameops-started server, when its process lives and its API answers."""
    st = read_state()
    if st is None:
        return None
    if healthy(st.api_url):
        return st
    return None


def prefect_executable() -> str:
    beside = Path(sys.executable).parent / ("prefect.exe" if os.name == "nt" else "prefect")
    if beside.exists():
        return str(beside)
    found = shutil.which("prefect")
    if not found:
        raise BadInput("prefect: command not found; reinstall gameops (pip install -e .)")
    return found


def normalize_database_url(url: str) -> str:
    """``postgresql://`` → ``postgresql+asyncpg://`` (the driver Prefect's server uses)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise BadInput(f"--database {_mask(url)}: expected postgresql://user:pass@host:port/db (or sqlite+aiosqlite:///path)")


def database_address(url: str) -> tuple[str, int] | None:
    """(host, port) of a PostgreSQL URL, for a reachability check; None for SQLite."""
    if not url.startswith(("postgresql", "postgres:")):
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.replace("+asyncpg", "", 1))
        return parts.hostname or "localhost", parts.port or 5432
    except ValueError:
        raise BadInput(f"--database {_mask(url)}: not a valid URL") from None


def check_database(url: str, timeout: float = 3.0) -> None:
    """Bad input (exit 2) when the PostgreSQL server of ``url`` does not accept connections."""
    addr = database_address(url)
    if addr is None:
        return
    try:
        with socket.create_connection(addr, timeout=timeout):
            pass
    except OSError as exc:
        raise BadInput(f"--database {_mask(url)}: cannot reach PostgreSQL at {addr[0]}:{addr[1]} ({exc.strerror or exc})") from None


def start(host: str = "127.0.0.1", port: int = 4200, database: str | None = None, wait_s: float = 180) -> tuple[ServerState, bool]:
    """Start the server in the background. Returns (state, started_now).

    ``database``: a PostgreSQL URL (``postgresql://user:pass@host:port/db``) for a team server,
    checked for reachability before anything starts; None keeps Prefect's embedded SQLite.
    A fresh home's SQLite database starts as Prefect's migrated empty one (:mod:`gameops.prefect_database`);
    a fresh PostgreSQL database runs Prefect's migrations (tens of seconds).
    One server per home: the start lock makes a second caller wait for the first one's server.
    """
    pending = begin(host, port, database)
    return pending.wait(wait_s), pending.started


def begin(host: str = "127.0.0.1", port: int = 4200, database: str | None = None, *, auto_port: bool = False) -> "Pending":
    """Start the server without waiting for it to answer (call ``Pending.wait``).

    Holds the home's start lock until ``wait`` returns, so two commands never start two
    servers for one home: the second finds the first one's server. ``auto_port``: when
    ``port`` is taken by another program, take a free port instead of failing (the automatic
    start of a flow command; ``gameops server start --port`` keeps the port it was given).
    """
    db_url = normalize_database_url(database) if database else None
    lock = _start_lock()
    lock.acquire()
    try:
        current = running()
        if current:
            lock.release()
            return Pending(current, None, lock=None)
        if port_in_use(host, port):
            if auto_port:
                port = free_port(host)
            elif healthy(f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/api"):
                raise BadInput(f"port {port} is taken by a Prefect server gameops did not start; use it (export PREFECT_API_URL=http://{host}:{port}/api) or pick --port")
            else:
                raise BadInput(f"port {port} on {host} is taken by another program; pick another with --port")
        home().mkdir(parents=True, exist_ok=True)
        log = home() / "server.log"
        env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
        env.pop("PREFECT_API_URL", None)
        # The UI asks the server where its API is (/ui-settings); without this it answers port 4200
        # whatever --port says, and the UI on any other port shows "Something went wrong".
        public = socket.getfqdn() if host in ("0.0.0.0", "::") else host
        env.setdefault("PREFECT_UI_API_URL", f"http://{public}:{port}/api")
        # Links the server writes itself (the `ui_url` of automation messages: gameops alerts) need
        # the UI's address; unset, they read "None".
        env.setdefault("PREFECT_UI_URL", f"http://{public}:{port}")
        seeded = None
        if db_url:
            check_database(db_url)
            env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = db_url
        else:  # a fresh home's SQLite database: Prefect's migrated template instead of 15-20 s of migrations
            from gameops import prefect_database

            seeded = prefect_database.seed(env)
        args = [prefect_executable(), "server", "start", "--host", host, "--port", str(port)]
        kwargs: dict = {"start_new_session": True} if os.name != "nt" else {
            "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "DETACHED_PROCESS", 0)  # type: ignore[attr-defined]
        }
        with open(log, "ab") as logf:
            logf.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} gameops starts: {' '.join(args[1:])}\n".encode())
            if seeded:
                logf.write(f"--- a fresh database: Prefect's migrated empty database (revision {seeded}) put in place\n".encode())
            logf.flush()
            proc = subprocess.Popen(args, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, **kwargs)
    except BaseException:
        lock.release()
        raise
    st = ServerState(pid=proc.pid, host=host, port=port, log=str(log), database=database and _mask(database))
    return Pending(st, proc, lock=lock)


class Pending:
    """A server being started (or already running, ``proc`` None)."""

    def __init__(self, state: ServerState, proc: subprocess.Popen | None, lock: Any) -> None:
        self.state = state
        self.proc = proc
        self.started = proc is not None
        self._lock = lock

    def wait(self, wait_s: float = 180) -> ServerState:
        """The server once its API answers; JobFailed (exit 1) with the reason when it exits or
        does not answer within ``wait_s`` seconds (then it is stopped)."""
        try:
            if self.proc is None:
                return self.state
            st, proc, log = self.state, self.proc, Path(self.state.log)
            deadline = time.monotonic() + wait_s
            try:
                while time.monotonic() < deadline:
                    if proc.poll() is not None:
                        raise JobFailed(f"the Prefect server exited with {proc.returncode} while starting: "
                                        f"{_log_tail(log)} (full log: {log})")
                    if healthy(st.api_url):
                        atomic_write_text(state_file(), json.dumps(asdict(st), indent=2))
                        return st
                    time.sleep(0.25)
            except BaseException:  # Ctrl+C while waiting: no server is left running unrecorded
                if proc.poll() is None:
                    kill_tree(proc.pid)
                raise
            kill_tree(proc.pid)
            raise JobFailed(f"the Prefect server did not answer within {wait_s:.0f} s (machine busy?); see {log}, "
                            "then retry, or raise the wait with GAMEOPS_SERVER_START_TIMEOUT=SECONDS")
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def abandon(self) -> None:
        """Stop a server this command started but will not wait for; release the start lock."""
        try:
            if self.proc is not None and self.proc.poll() is None:
                kill_tree(self.proc.pid)
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None


def _log_tail(log: Path) -> str:
    try:
        lines = [ln.strip() for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "(no log)"
    return " | ".join(lines[-3:]) or "(empty log)"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1" if host in ("0.0.0.0", "::") else host, 0))
        return s.getsockname()[1]


def _start_lock():
    """The OS file lock on ``$GAMEOPS_HOME/server.lock`` (filelock): a second command waits
    while another starts the server; released by the OS when its holder dies, so a killed start
    never blocks the next."""
    from filelock import FileLock

    home().mkdir(parents=True, exist_ok=True)
    return FileLock(str(home() / "server.lock"))


def _mask(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, hostpart = rest.rsplit("@", 1)
        if ":" not in creds:  # no password to hide
            return url
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{hostpart}"
    return url


def _is_our_server(pid: int) -> bool:
    """Is ``pid`` still the ``prefect server`` we started? (After a crash or reboot the pid may
    belong to an unrelated program, which must not be killed.)"""
    try:
        cmdline = " ".join(psutil.Process(pid).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    return "prefect" in cmdline and "server" in cmdline


def stop() -> ServerState | None:
    st = read_state()
    if st is None:
        return None
    if _is_our_server(st.pid):
        kill_tree(st.pid, grace_s=10)
    try:
        state_file().unlink()
    except FileNotFoundError:
        pass
    return st


START_TIMEOUT_ENV = "GAMEOPS_SERVER_START_TIMEOUT"
DEFAULT_START_TIMEOUT_S = 300.0


def start_timeout() -> float:
    """Seconds a flow command waits for the server it starts (``GAMEOPS_SERVER_START_TIMEOUT``)."""
    raw = os.environ.get(START_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_START_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise BadInput(f"{START_TIMEOUT_ENV}={raw!r}: expected a number of seconds above 0")
    return value


class Connection:
    """Where a flow command's runs go; ``ready()`` waits for a server being started."""

    def __init__(self, api_url: str | None, pending: Pending | None = None) -> None:
        self.api_url = api_url
        self.pending = pending

    def ready(self) -> str:
        if self.api_url is None:
            assert self.pending is not None
            st = self.pending.wait(start_timeout())
            self.api_url = st.api_url
            os.environ["PREFECT_API_URL"] = st.api_url
            os.environ.setdefault("PREFECT_UI_URL", st.url)
        return self.api_url

    def abandon(self) -> None:
        """The command ends before using the server it was starting: stop that server."""
        if self.api_url is None and self.pending is not None:
            self.pending.abandon()


def connect(verbose: int = 0, host: str = "127.0.0.1", port: int = 4200, database: str | None = None,
            announce: Callable[[str], None] | None = None) -> Connection:
    """Point Prefect at a server before ``import prefect``, for an in-process flow run.

    ``PREFECT_API_URL`` when set; else the server of this home (``gameops server start``) when it
    answers; else that same server is started now, in the background, on ``host:port`` (a free
    port when that one is taken), and later commands reuse it. ``ready()`` waits for it, so the
    caller can import Prefect and its flow meanwhile. Prefect's ephemeral server is never used.
    """
    start_timeout()  # a bad value is bad input before anything starts
    api = prepare_prefect_environment(verbose)
    if api:
        return Connection(api)
    pending = begin(host, port, database, auto_port=True)
    if pending.started and announce is not None:
        announce(f"starting the local Prefect server at {pending.state.url} (the first command on this machine that needs it; "
                 f"later commands reuse it; log {pending.state.log}; `gameops server stop` stops it)")
    return Connection(None, pending)


def prepare_prefect_environment(verbose: int = 0) -> str | None:
    """Prefect's environment before ``import prefect``, and the server to use when one is there.

    gameops prints its own summary of a run; Prefect's console log (every state change, and a
    traceback for a failed check) is for -v. The API log handler still sends everything to the UI.
    For commands that need a server someone keeps (``deploy``, ``serve``): ``PREFECT_API_URL``
    or this home's running server, set up as ``connect`` does; None when there is none (they
    say so; they do not start one)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "INFO" if verbose else "CRITICAL")
    api = os.environ.get("PREFECT_API_URL")
    if api:
        return api
    st = running()
    if st:
        os.environ["PREFECT_API_URL"] = st.api_url
        os.environ.setdefault("PREFECT_UI_URL", st.url)
        return st.api_url
    return None
