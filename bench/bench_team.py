"""A distributed release (the export on a process worker of the godot-linux pool, through
run_deployment and a shared folder) against a local release, on the same machine and server.

Both run `gameops release` on the sample game from the command line against one Prefect
server (SQLite); every repetition releases a new commit, so the export really runs (no
cache). The difference is the price of distribution: creating the child run, the worker's
poll (1 s here; Prefect's default is 15 s), the worker starting a flow-run process, and the
shared-folder hand-over.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import restore_environ, row, saved_environ

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample-game"
GIT = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
REPEAT = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT})


def _game(dest: Path, distributed: bool, shared: Path) -> Path:
    shutil.copytree(SAMPLE, dest)
    cfg = dest / "gameops.yaml"
    extra = f"  distributed: {'true' if distributed else 'false'}\n  shared_dir: {shared.as_posix()}\n"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("release:\n", "release:\n" + extra, 1), encoding="utf-8")
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "feat: first")
    return dest


def _new_commit(repo: Path, n: int) -> None:
    main = repo / "Main.gd"
    main.write_text(main.read_text(encoding="utf-8") + f"\n# bench change {n}\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", f"fix: bench change {n}")


def _release(repo: Path, version: str, env: dict) -> float:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "gameops.cli", "--project", str(repo), "release", version, "--no-tag"],
                         capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=900)
    elapsed = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(f"release {version} of {repo.name} failed: {out.stderr.strip().splitlines()[-1:]}")
    return elapsed


def main() -> None:
    from gameops.deployments.work_pools import start_worker, stop_worker
    from gameops import server
    from gameops.process import kill_tree

    if not shutil.which("godot3-server") and not os.environ.get("GODOT_BIN"):
        print("   skipped: no headless Godot (make godot)")
        return
    tmp = Path(tempfile.mkdtemp(prefix="gameops-bench-team-"))
    saved = saved_environ()
    os.environ.update(GAMEOPS_HOME=str(tmp / "gameops"), PREFECT_HOME=str(tmp / "prefect"))
    os.environ.pop("PREFECT_API_URL", None)
    st = worker = None
    try:
        started = time.perf_counter()
        st, _ = server.start(port=_free_port(), wait_s=240)
        row("server start (SQLite, fresh database)", f"{time.perf_counter() - started:.1f} s")
        env = {**os.environ, **GIT, "PREFECT_API_URL": st.api_url, "DO_NOT_TRACK": "1"}
        shared = tmp / "shared"
        local = _game(tmp / "local" / "sample-game", False, shared)
        dist = _game(tmp / "dist" / "sample-game", True, shared)
        dep = subprocess.run([sys.executable, "-m", "gameops.cli", "--project", str(dist), "deploy", "--only", "export-linux"],
                             capture_output=True, text=True, env=env, timeout=600)
        if dep.returncode != 0:
            raise RuntimeError(f"gameops deploy failed: {dep.stderr.strip()[-300:]}")
        worker = start_worker("godot-linux", "bench-linux", st.api_url, tmp / "worker.log", poll_s=1)
        _release(local, "0.9.0", env)  # warm: imports, Godot's first start, the server's first writes
        _release(dist, "0.9.0", env)
        local_t, dist_t = [], []
        for n in range(1, REPEAT + 1):
            _new_commit(local, n)
            _new_commit(dist, n)
            local_t.append(_release(local, f"1.0.{n}", env))
            dist_t.append(_release(dist, f"1.0.{n}", env))
        lo, di = statistics.median(local_t), statistics.median(dist_t)
        row(f"local release, 1 platform (median of {REPEAT})", f"{lo:.1f} s")
        row(f"distributed release, export on a worker (median of {REPEAT})", f"{di:.1f} s")
        row("overhead of distribution", f"{di - lo:+.1f} s  (ratio {di / lo:.2f})")
        row("worker poll interval (PREFECT_WORKER_QUERY_SECONDS)", "1 s (Prefect default 15 s adds up to 14 s)")
    finally:
        if worker is not None:
            stop_worker(worker)
        if st is not None:
            kill_tree(st.pid, grace_s=10)
        restore_environ(saved)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
