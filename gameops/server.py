"""The local Prefect server (``gameops server start|stop|status``) and how the CLI finds it.

No Prefect import here: the server is a child process (``prefect server start``) and the
health check is one HTTP request. The state file lives in ``$GAMEOPS_HOME`` (default
``~/.gameops``) as ``server.json``: pid, url, log file, database.
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
from dataclasses import asdict, dataclass
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
    The first start on a fresh database runs Prefect's migrations (tens of seconds).
    """
    db_url = normalize_database_url(database) if database else None
    current = running()
    if current:
        return current, False
    if port_in_use(host, port):
        if healthy(f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/api"):
            raise BadInput(f"port {port} is taken by a Prefect server gameops did not start; use it (export PREFECT_API_URL=http://{host}:{port}/api) or pick --port")
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
    if db_url:
        check_database(db_url)
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = db_url
    args = [prefect_executable(), "server", "start", "--host", host, "--port", str(port)]
    kwargs: dict = {"start_new_session": True} if os.name != "nt" else {
        "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "DETACHED_PROCESS", 0)  # type: ignore[attr-defined]
    }
    with open(log, "ab") as logf:
        proc = subprocess.Popen(args, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, **kwargs)
    st = ServerState(pid=proc.pid, host=host, port=port, log=str(log), database=database and _mask(database))
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise JobFailed(f"prefect server exited with {proc.returncode}: " + " | ".join(tail))
        if healthy(st.api_url):
            atomic_write_text(state_file(), json.dumps(asdict(st), indent=2))
            return st, True
        time.sleep(0.5)
    kill_tree(proc.pid)
    raise JobFailed(f"prefect server did not answer within {wait_s:.0f} s; see {log}")


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


def prepare_prefect_environment(verbose: int = 0) -> str | None:
    """Set up the environment before ``import prefect`` for an in-process flow run.

    Uses ``PREFECT_API_URL`` when set; else the gameops-started local server when it answers;
    else leaves Prefect to its ephemeral server on the embedded SQLite database (the runs are
    still recorded, and ``gameops server start`` shows them afterwards). Returns the API URL
    in use, or None for ephemeral mode.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # gameops prints its own summary of a run; Prefect's console log (every state change, and a
    # traceback for a failed check) is for -v. The API log handler still sends everything to the UI.
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
