"""A real team setup for tests: a Prefect server (on a throwaway PostgreSQL when asked and
available, else SQLite) started with `gameops.server.start` on a free port, plus helpers for
process workers, games with two export platforms, and in-process API reads.

Everything started here is stopped by the context managers, whatever happens in the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


from conftest import GIT_ENV, SAMPLE_GAME, git
from gameops.process import kill_tree
from pgcluster import Cluster, available, free_port, start_cluster

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Team:
    api_url: str
    ui_url: str
    database: str  # "postgresql" or "sqlite"
    pg: Cluster | None
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a gameops/prefect subprocess talking to this server."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_UI_URL": self.ui_url, "PREFECT_HOME": str(self.home / "prefect"),
                "GAMEOPS_HOME": str(self.home / "gameops"), **extra}


@contextlib.contextmanager
def team_server(tmp: Path, postgres: bool) -> Iterator[Team]:
    from gameops import server

    pg = start_cluster() if postgres and available() is None else None
    saved = {k: os.environ.get(k) for k in ("GAMEOPS_HOME", "PREFECT_HOME", "PREFECT_API_URL")}
    os.environ["GAMEOPS_HOME"] = str(tmp / "gameops")
    os.environ["PREFECT_HOME"] = str(tmp / "prefect")
    st = None
    try:
        st, _ = server.start(port=free_port(), database=pg.url() if pg else None, wait_s=240)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield Team(api_url=st.api_url, ui_url=st.url, database="postgresql" if pg else "sqlite", pg=pg, home=tmp)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if st is not None:
            kill_tree(st.pid, grace_s=10)
        if pg is not None:
            pg.stop()


@contextlib.contextmanager
def workers(team: Team, pools: dict[str, str], logs: Path, python: str | None = None) -> Iterator[dict[str, Path]]:
    """One process worker per pool (name -> pool); yields name -> log file. Poll interval 1 s.
    ``python``: the workers run that interpreter's Prefect and gameops (default: this venv's)."""
    from gameops.deployments.work_pools import start_worker, stop_worker

    logs.mkdir(parents=True, exist_ok=True)
    procs = []
    paths: dict[str, Path] = {}
    try:
        for name, pool in pools.items():
            paths[name] = logs / f"{name}.log"
            procs.append(start_worker(pool, name, team.api_url, paths[name], poll_s=1, python=python,
                                      # INFO: the tests read which runs each worker submitted from its log
                                      # (an earlier in-process command may have left CRITICAL in os.environ)
                                      env={**{k: v for k, v in team.env().items() if k != "PREFECT_API_URL"},
                                           "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "INFO"}))
        yield paths
    finally:
        for p in procs:
            stop_worker(p)


@contextlib.contextmanager
def api(team: Team):
    """In-process Prefect client settings pointing at ``team`` (over any session test server)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: team.api_url}):
        yield


def two_platform_game(dest: Path, *, distributed: bool, shared: Path | None, pools: dict[str, str] | None = None) -> Path:
    """The sample game with a second Linux preset, "Server", exported as platform ``server``."""
    shutil.copytree(SAMPLE_GAME, dest)
    presets = dest / "export_presets.cfg"
    text = presets.read_text(encoding="utf-8")
    second = (text.replace("[preset.0]", "[preset.1]").replace("[preset.0.options]", "[preset.1.options]")
              .replace('name="Linux/X11"', 'name="Server"')
              .replace("build/linux/sample-game.x86_64", "build/server/sample-game-server.x86_64"))
    presets.write_text(text.rstrip("\n") + "\n\n" + second, encoding="utf-8")
    cfg = dest / "gameops.yaml"
    data = cfg.read_text(encoding="utf-8").replace("    linux: Linux/X11\n", "    linux: Linux/X11\n    server: Server\n")
    extra = f"  distributed: {'true' if distributed else 'false'}\n"
    if shared is not None:
        extra += f"  shared_dir: {shared.as_posix()}\n"
    if pools:
        extra += "  work_pools:\n" + "".join(f"    {k}: {v}\n" for k, v in pools.items())
    cfg.write_text(data.replace("release:\n", "release:\n" + extra, 1), encoding="utf-8")
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "feat: two export platforms")
    return dest


def clone_state(src: Path, dest: Path) -> Path:
    """An exact copy of a repository (same commit, same files) for a side-by-side release."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


def run_cli(team: Team, *args: str, cwd: Path | None = None, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    import sys

    return subprocess.run([sys.executable, "-m", "gameops.cli", *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, **team.env(**env)}, timeout=timeout, stdin=subprocess.DEVNULL)
