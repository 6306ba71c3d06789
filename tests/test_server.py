"""`gameops server start|stop|status`: a real Prefect server in the background."""

from __future__ import annotations

import json
import socket
import sys

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
    started = gameops_cli("--json", "server", "start", "--port", port, timeout=180)
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
        ran = gameops_cli("--project", str(sample_repo), "check", env={"GODOT_BIN": sys.executable})
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
