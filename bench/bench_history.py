"""`gameops history` at size: 200 recorded runs of 5,000 tests (a million records) on a running
Prefect server (SQLite, fresh database, free port), read and analyzed.

The records are posted as `gameops test` leaves them (compact format 2: a name list once,
then per run compressed outcome and duration columns), and, side by side on the same server
under another project, as format-1 table artifacts, for the ratio. One test in 200
flipping, 25 failing from run 150 on and 40 three times slower from
run 100 on. Measured: reading the last 200 records, the analysis, both together (the 2 s
goal) for each format, and `gameops history --json` as a whole command, the installed command
against the running server (the issue's goal: under 2 s), over plain HTTP and through
Prefect's client.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.timing import VENV_BIN, restore_environ, row, saved_environ, user_env

RUNS = 200
TESTS = 5000
PROJECT = "bench-game"
GOAL_S = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(i: int):
    from gameops import history

    names = [f"Game.Tests.Suite{k % 250}.Test_{k}(value: {k % 7})" for k in range(TESTS)]
    cats = ["Architecture" if k < 100 else "Unit" if k < 3500 else "Integration" if k < 4800 else "Performance"
            for k in range(TESTS)]
    outcomes = ["p"] * TESTS
    durations = [5 + (k * 7 + i) % 40 for k in range(TESTS)]
    for k in range(0, TESTS, 200):  # flaky: fail every third run
        if (i + k) % 3 == 0:
            outcomes[k] = "f"
    for k in range(1, 26):  # broken from run 150 on
        if i >= 150:
            outcomes[k * 101] = "f"
    for k in range(40):  # three times slower from run 100 on
        if i >= 100:
            durations[k * 97 + 3] = 3 * durations[k * 97 + 3] + 100
    return history.Run(time=f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}+00:00", commit=f"{i:040x}", branch="main",
                        tests=names, categories=cats, outcomes="".join(outcomes), durations_ms=durations)


def _whole_command(tmp: Path, project: Path, api_url: str, rounds: int = 5) -> None:
    """`gameops history --json --last 200` as a user runs it (the installed command), against the
    running server: over plain HTTP (the API URL in the environment) and, in turn, through
    Prefect's client (the URL in the active Prefect profile instead); medians of ``rounds``."""
    gameops = str(VENV_BIN / "gameops")
    args = [gameops, "--project", str(project), "--json", "history", "--last", str(RUNS)]
    profile_home = tmp / "prefect-profile"
    profile_home.mkdir()
    (profile_home / "profiles.toml").write_text(f'active = "bench"\n[profiles.bench]\nPREFECT_API_URL = "{api_url}"\n')
    base = {k: v for k, v in user_env().items() if not k.upper().startswith("PREFECT_")}
    plain_env = {**base, "PREFECT_API_URL": api_url}
    # a home without a running gameops server, so only the profile names the server
    prefect_env = {**base, "PREFECT_HOME": str(profile_home), "GAMEOPS_HOME": str(tmp / "no-server-home")}

    def once(env: dict[str, str]) -> tuple[float, str]:
        t = time.perf_counter()
        out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600, stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - t
        if out.returncode != 0:
            raise RuntimeError(f"gameops history failed: {out.stderr.strip()[-300:]}")
        return elapsed, out.stdout

    (_, plain_doc), (_, prefect_doc) = once(plain_env), once(prefect_env)  # warm-up, and the same answer both ways
    if json.loads(plain_doc) != json.loads(prefect_doc):
        raise RuntimeError("plain HTTP and Prefect's client read different histories")
    plain, prefect, loads = [], [], []
    for _ in range(rounds):
        plain.append(once(plain_env)[0])
        prefect.append(once(prefect_env)[0])
        loads.append(os.getloadavg()[0])
    median = statistics.median(plain)
    row("`gameops history --json --last 200` (whole command)",
        f"{median:.2f} s  (min {min(plain):.2f}, max {max(plain):.2f}; goal < {GOAL_S:.0f} s: "
        f"{'met' if median < GOAL_S else 'NOT met'})")
    row("  the same through Prefect's client (profile)",
        f"{statistics.median(prefect):.2f} s  ({statistics.median(prefect) / median:.1f} x)")
    row("  load average during those runs", f"{min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    from gameops import history, server
    from gameops.process import kill_tree

    tmp = Path(tempfile.mkdtemp(prefix="gameops-bench-history-"))
    saved = saved_environ()
    os.environ.update(GAMEOPS_HOME=str(tmp / "gameops"), PREFECT_HOME=str(tmp / "prefect"))
    os.environ.pop("PREFECT_API_URL", None)
    st = None
    try:
        st, _ = server.start(port=_free_port(), wait_s=240)
        os.environ["PREFECT_API_URL"] = st.api_url
        from prefect.client.orchestration import get_client

        from gameops.tasks.history import history_key, read_runs

        from gameops.tasks.history import names_key

        old_project = f"{PROJECT}-format1"
        sizes = {"compact": 0, "format1": 0}
        started = time.perf_counter()
        with get_client(sync_client=True) as client:
            def post(body: dict) -> None:
                client.request("POST", "/artifacts/", json=body).raise_for_status()

            for i in range(RUNS):
                run = _run(i)
                digest = history.names_digest(run)
                if i == 0:  # the name list, once: what `record` stores when no run stored it before
                    names = json.dumps(history.names_data(run))
                    sizes["compact"] += len(names)
                    post({"key": names_key(PROJECT, digest), "type": history.NAMES_TYPE, "data": names,
                          "description": "names"})
                data = json.dumps(history.compact_data(run))
                sizes["compact"] += len(data)
                post({"key": history_key(PROJECT), "type": history.RECORD_TYPE, "data": data,
                      "description": history.describe_compact(run, digest)})
                data = json.dumps(run.as_table())  # format 1, side by side, for the ratio
                sizes["format1"] += len(data)
                post({"key": history_key(old_project), "type": "table", "data": data, "description": run.describe()})
        row(f"recorded {RUNS} runs x {TESTS:,} tests in both formats", f"{time.perf_counter() - started:.1f} s; "
            f"compact {sizes['compact'] / 1e6:.1f} MB, format 1 {sizes['format1'] / 1e6:.0f} MB of JSON")
        figures = {}
        for label, name in (("compact (format 2)", PROJECT), ("table (format 1)", old_project)):
            read_runs(name, 5)  # warm the client
            t = time.perf_counter()
            runs = read_runs(name, RUNS)
            read_s = time.perf_counter() - t
            t = time.perf_counter()
            doc = history.analyze(runs)
            analyze_s = time.perf_counter() - t
            total = figures[label] = read_s + analyze_s
            row(f"{label}: read the last {len(runs)} records", f"{read_s:.2f} s")
            row(f"{label}: analyze {sum(len(r.tests) for r in runs):,} records", f"{analyze_s:.2f} s")
            row(f"{label}: history answered (read + analyze)",
                f"{total:.2f} s  (goal < {GOAL_S:.0f} s: {'met' if total < GOAL_S else 'NOT met'})")
            row(f"{label}: found", f"{len(doc['flaky'])} flaky, {len(doc['broken'])} broken, "
                                   f"{sum(s['kind'] == 'test' for s in doc['slower'])} slower tests")
        row("format 1 / compact (same run, same server)",
            f"{figures['table (format 1)'] / max(figures['compact (format 2)'], 1e-9):.1f} x")
        project = tmp / PROJECT
        project.mkdir()
        (project / "gameops.yaml").write_text(f"project:\n  name: {PROJECT}\n")
        _whole_command(tmp, project, st.api_url)
    finally:
        if st is not None:
            kill_tree(st.pid, grace_s=10)
        restore_environ(saved)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
