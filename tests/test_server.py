"""`gameops server start|stop|status`: a real Prefect server in the background."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from pathlib import Path

import psutil
import pytest

from gameops import server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_start_status_reuse_and_stop(gameops_cli, sample_repo, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    port = str(_free_port())
    started = gameops_cli("--json", "server", "start", "--port", port, timeout=180, process=True)
    try:
        assert started.code == 0, started.stderr
        doc = started.json
        assert doc["started"] is True and doc["url"] == f"http://127.0.0.1:{port}"
        assert server.healthy(doc["api_url"])
        state = json.loads((server.state_file()).read_text())
        assert state["pid"] == doc["pid"] and psutil.pid_exists(doc["pid"])

        again = gameops_cli("--json", "server", "start", "--port", port)
        assert again.code == 0 and again.json["started"] is False and again.json["pid"] == doc["pid"]

        status = gameops_cli("server", "status")
        assert status.code == 0 and f"127.0.0.1:{port}" in status.stderr

        # a gameops command now records its run on that server and prints the link to it
        ran = gameops_cli("--project", str(sample_repo), "check", env={"GODOT_BIN": sys.executable}, process=True)
        assert f"http://127.0.0.1:{port}/runs/flow-run/" in ran.stderr
    finally:
        stopped = gameops_cli("--json", "server", "stop")
    assert stopped.code == 0 and stopped.json["stopped"] is True
    assert not server.healthy(f"http://127.0.0.1:{port}/api")
    assert not server.state_file().exists()
    status = gameops_cli("server", "status")
    assert status.code == 1 and "not running" in status.stderr


def test_port_taken_by_another_program(gameops_cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = gameops_cli("server", "start", "--port", str(port))
    assert r.code == 2
    assert r.stderr.strip() == f"gameops: port {port} on 127.0.0.1 is taken by another program; pick another with --port"


def test_stop_when_nothing_runs(gameops_cli):
    r = gameops_cli("server", "stop")
    assert r.code == 0 and "no server started by gameops is running" in r.stderr


def test_database_urls():
    assert server.normalize_database_url("postgresql://u:p@h:5432/db") == "postgresql+asyncpg://u:p@h:5432/db"
    assert server.normalize_database_url("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert server._mask("postgresql://user:pw@host/db") == "postgresql://user:***@host/db"


def test_stop_never_kills_a_stranger_that_reused_the_pid(gameops_cli, tmp_path):
    import subprocess
    import time

    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        server.state_file().parent.mkdir(parents=True, exist_ok=True)
        server.state_file().write_text(json.dumps({"pid": stranger.pid, "host": "127.0.0.1", "port": 1, "log": "x"}))
        r = gameops_cli("server", "stop")
        assert r.code == 0
        time.sleep(0.3)
        assert stranger.poll() is None, "gameops server stop killed a process that was not its server"
        assert not server.state_file().exists()
    finally:
        stranger.kill()
        stranger.wait()


def _auto_env(tmp_path, port: int) -> dict[str, str]:
    """A machine with no Prefect server: no PREFECT_API_URL, a fresh PREFECT_HOME."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"PREFECT_HOME": str(tmp_path / "prefect-home"), "GAMEOPS_SERVER__PORT": str(port),
                "GODOT_BIN": shutil.which("godot3-server") or "/bin/true"})
    return env


def _run(env, *args, cwd=None):
    import subprocess

    return subprocess.Popen([sys.executable, "-m", "gameops.cli", *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


@pytest.mark.slow
def test_first_flow_command_starts_one_server_and_later_commands_reuse_it(sample_repo, tmp_path):
    """Two commands at once on a fresh machine: one server for the home, both runs on it; the
    next command reuses it without a word; `gameops server stop` stops it."""
    port = _free_port()
    env = _auto_env(tmp_path, port)
    first = [_run(env, "--project", str(sample_repo), "check") for _ in range(2)]
    try:
        outs = [p.communicate(timeout=400) for p in first]
        for p, (_, err) in zip(first, outs):
            assert p.returncode == 0, err
            assert "Traceback" not in err
            assert f"http://127.0.0.1:{port}/runs/flow-run/" in err
        announced = [err for _, err in outs if "starting the local Prefect server" in err]
        assert len(announced) == 1, [err for _, err in outs]
        assert f"at http://127.0.0.1:{port}" in announced[0] and "server.log" in announced[0]
        state = json.loads(server.state_file().read_text())
        assert state["port"] == port and psutil.pid_exists(state["pid"])
        # a fresh home: Prefect's migrated empty database, not 15-20 s of migrations; the runs are in it
        assert "Prefect's migrated empty database" in Path(state["log"]).read_text()
        assert (Path(env["PREFECT_HOME"]) / "prefect.db").is_file()
        assert len([p for p in psutil.process_iter(["cmdline"])
                    if "--port" in (p.info["cmdline"] or []) and str(port) in p.info["cmdline"]]) == 1

        again = _run(env, "--project", str(sample_repo), "--json", "check")
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        assert "starting the local Prefect server" not in err
        assert json.loads(out)["ok"] is True
        assert json.loads(server.state_file().read_text())["pid"] == state["pid"]
    finally:
        stop = _run(env, "server", "stop")
        stop.communicate(timeout=60)
    assert not server.healthy(f"http://127.0.0.1:{port}/api")
    assert not server.state_file().exists()


def test_history_on_a_fresh_machine_reads_the_home_server_never_an_ephemeral_one(sample_repo, tmp_path):
    """`gameops history` with no server anywhere: the history lives in the home's server, so it is
    started as a flow command starts it (Prefect's client would try its ephemeral server, which
    timed out into an unexpected error); the answer is an empty history, exit 0."""
    port = _free_port()
    env = _auto_env(tmp_path, port)
    p = _run(env, "--project", str(sample_repo), "--json", "history")
    try:
        out, err = p.communicate(timeout=400)
        assert p.returncode == 0, err
        assert json.loads(out)["runs"] == []
        assert "starting the local Prefect server" in err and "Traceback" not in err and "unexpected" not in err
        assert server.healthy(f"http://127.0.0.1:{port}/api")
    finally:
        _run(env, "server", "stop").communicate(timeout=60)
    assert not server.healthy(f"http://127.0.0.1:{port}/api")


def test_a_server_that_cannot_start_ends_in_one_line_with_exit_1(gameops_cli, sample_repo, tmp_path):
    """The server dies at start (its database folder cannot be created): one line that says why
    and where the log is, exit 1, no traceback, no state file, nothing left running."""
    env = _auto_env(tmp_path, _free_port())
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder would go")
    env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{blocker}/sub/prefect.db"
    r = _run(env, "--project", str(sample_repo), "check")
    out, err = r.communicate(timeout=300)
    assert r.returncode == 1, err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("gameops: the Prefect server exited with"), err
    assert "server.log" in lines[-1] and "Traceback" not in err
    assert not server.state_file().exists()


def test_a_server_that_does_not_answer_in_time_is_stopped(gameops_cli, sample_repo, tmp_path):
    env = _auto_env(tmp_path, _free_port())
    env["GAMEOPS_SERVER_START_TIMEOUT"] = "0.5"
    r = _run(env, "--project", str(sample_repo), "check")
    out, err = r.communicate(timeout=120)
    assert r.returncode == 1, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("gameops: the Prefect server did not answer within 0 s"), err
    assert "GAMEOPS_SERVER_START_TIMEOUT" in last and "Traceback" not in err
    assert not server.state_file().exists()
    port = int(env["GAMEOPS_SERVER__PORT"])
    time.sleep(0.5)
    assert not [p for p in psutil.process_iter(["cmdline"]) if str(port) in (p.info["cmdline"] or [])]


def test_bad_start_timeout_is_bad_input(gameops_cli, sample_repo):
    r = gameops_cli("--project", str(sample_repo), "check", env={"GAMEOPS_SERVER_START_TIMEOUT": "soon"})
    assert r.code == 2
    assert r.stderr.strip() == "gameops: GAMEOPS_SERVER_START_TIMEOUT='soon': expected a number of seconds above 0"


def test_a_command_that_ends_before_its_server_answers_leaves_nothing_running(tmp_path, monkeypatch):
    """Ctrl+C (or a broken install) while the server starts: the starting server is stopped and
    the start lock is free again, so the next command starts a recorded one."""
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    pending = server.begin("127.0.0.1", _free_port(), auto_port=True)
    assert pending.started and psutil.pid_exists(pending.proc.pid)
    pending.abandon()
    assert pending.proc.wait(timeout=30) is not None
    assert not server.state_file().exists()
    from filelock import FileLock

    lock = FileLock(str(server.home() / "server.lock"))
    lock.acquire(timeout=5)  # times out while the start lock is still held
    lock.release()
