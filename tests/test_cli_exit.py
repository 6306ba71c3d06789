"""The installed command ends without the interpreter's teardown (``cli.entry``), and loses nothing:
its output, its exit code, and every task run and log line the UI shows reach the server."""

from __future__ import annotations

import re
import shutil
import time

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId


GODOT = {"GODOT_BIN": shutil.which("godot3-server") or "/bin/true"}


def _flow_run_id(stderr: str) -> str:
    found = re.search(r"/runs/flow-run/([0-9a-f-]{36})", stderr)
    assert found, stderr
    return found.group(1)


def _logs(client, run_id: str) -> list[str]:
    # The server stores log lines shortly after it accepts them: wait a little, never forever.
    messages: list[str] = []
    for _ in range(80):
        messages = [log.message for log in client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))]
        if any(m.startswith("Finished in state") for m in messages):
            break
        time.sleep(0.25)
    return messages


def test_a_flow_command_delivers_its_task_runs_and_logs_before_it_exits(sample_repo, gameops_cli, prefect, tmp_path):
    r = gameops_cli("--project", str(sample_repo), "check", process=True, env=GODOT)
    assert r.code == 0, r.stderr
    assert r.stderr.rstrip().endswith("all checks passed")  # the output is flushed to its last line
    run_id = _flow_run_id(r.stderr)
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
        assert [run.state.name for run in runs] == ["Completed"]
        # Task run states travel as events; the server records them a moment after it gets them.
        for _ in range(80):
            tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
            if len(tasks) == 4 and {t.state.name for t in tasks} == {"Completed"}:
                break
            time.sleep(0.25)
        names = sorted(t.name.rsplit("-", 1)[0] for t in tasks)
        assert names == ["check-files", "check-git", "check-godot-project", "check-tools"]
        assert {t.state.name for t in tasks} == {"Completed"}
        messages = _logs(client, run_id)
    # The flow's last log line is written after the run ends, just before the process exits.
    assert any(m.startswith("Finished in state Completed") for m in messages), messages


def test_the_exit_code_of_a_failed_flow_survives_the_fast_exit(sample_repo, gameops_cli, prefect, tmp_path):
    (sample_repo / "LICENSE").unlink()
    r = gameops_cli("--project", str(sample_repo), "check", process=True, env=GODOT)
    assert r.code == 1, r.stderr
    assert "check(s) failed" in r.stderr and "Traceback" not in r.stderr
    with get_client(sync_client=True) as client:
        messages = _logs(client, _flow_run_id(r.stderr))
    assert any(m.startswith("Finished in state Failed") for m in messages), messages
