"""Team server: `gameops server start --database postgresql://...` on a real, throwaway PostgreSQL.

The cluster is started by the test itself (tests/pgcluster.py) in a temp folder on a free port;
CI installs Debian's ``postgresql`` package. Elsewhere the test skips when the binaries are absent.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from gameops import server
from gameops.errors import BadInput
from pgcluster import available, free_port, start_cluster

pytestmark = pytest.mark.slow


@pytest.fixture
def pg():
    reason = available()
    if reason:
        pytest.skip(reason)
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_database_url_is_normalized_to_asyncpg():
    assert server.normalize_database_url("postgresql://u:p@db:5433/prefect") == "postgresql+asyncpg://u:p@db:5433/prefect"
    assert server.database_address("postgresql+asyncpg://u:p@db:5433/prefect") == ("db", 5433)
    with pytest.raises(BadInput, match=r"mysql://u:\*\*\*@h/x: expected postgresql://"):
        server.normalize_database_url("mysql://u:secret@h/x")


def test_unreachable_database_is_bad_input_and_starts_nothing(gameops_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    port = free_port()
    out = gameops_cli("server", "start", "--port", str(free_port()),
                      "--database", f"postgresql://prefect:hunter2@127.0.0.1:{port}/prefect", cwd=tmp_path)
    assert out.code == 2, out.stderr
    assert f"cannot reach PostgreSQL at 127.0.0.1:{port}" in out.stderr
    assert "hunter2" not in out.stderr and "Traceback" not in out.stderr
    assert server.read_state() is None


def test_team_server_on_postgresql_records_a_gameops_run(pg, gameops_cli, sample_repo, tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    port = free_port()
    started = gameops_cli("--json", "server", "start", "--port", str(port), "--database", pg.url(), cwd=tmp_path, timeout=400)
    try:
        assert started.code == 0, started.stderr
        info = started.json
        assert info["started"] is True and info["api_url"] == f"http://127.0.0.1:{port}/api"
        # The UI is told the API's real port (not Prefect's default 4200).
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ui-settings", timeout=10) as r:
            assert json.loads(r.read())["api_url"] == f"http://127.0.0.1:{port}/api"
        # Prefect migrated its schema into PostgreSQL, not into a SQLite file.
        assert "flow_run" in pg.psql("prefect", "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split()
        assert not (tmp_path / "prefect-home" / "prefect.db").exists()

        # A gameops command finds the running server through GAMEOPS_HOME and records its run there.
        # a new process: this one's Prefect settings still name the session's test server
        check = gameops_cli("--project", str(sample_repo), "--json", "check", cwd=tmp_path, timeout=300, process=True)
        assert check.code in (0, 1), check.stderr
        assert check.json["checks"]
        rows = pg.psql("prefect", "SELECT f.name || ':' || fr.state_type FROM flow_run fr JOIN flow f ON f.id = fr.flow_id")
        expected = "COMPLETED" if check.code == 0 else "FAILED"
        assert f"check:{expected}" in rows.splitlines()
    finally:
        stopped = gameops_cli("--json", "server", "stop", cwd=tmp_path)
        assert stopped.code == 0 and stopped.json["stopped"] is True
