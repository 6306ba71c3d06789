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
            # a task run the server has created but not yet given its state has none
            if len(tasks) == 4 and {t.state.name if t.state else None for t in tasks} == {"Completed"}:
                break
            time.sleep(0.25)
        names = sorted(t.name.rsplit("-", 1)[0] for t in tasks)
        assert names == ["check-files", "check-git", "check-godot-project", "check-tools"]
        assert {t.state.name if t.state else None for t in tasks} == {"Completed"}
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


def test_a_flow_command_stores_its_parameters_without_importing_fastapi(sample_repo, gameops_cli, prefect):
    """Prefect encodes a run's parameters with FastAPI's encoder, importing FastAPI on the first
    flow call (0.2-0.25 s of every command); the command line's plain parameters are stored as
    they are, and the run in the UI shows the same parameters."""
    r = gameops_cli("--project", str(sample_repo), "check", process=True, env={**GODOT, "PYTHONPROFILEIMPORTTIME": "1"})
    assert r.code == 0, r.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "prefect.flow_engine" in imported  # the import log is there: the next line can fail
    assert not [m for m in imported if m == "fastapi" or m.startswith("fastapi.")]
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(_flow_run_id(r.stderr))
    assert run.parameters == {"project": str(sample_repo), "config": str(sample_repo / "gameops.yaml")}


def test_plain_parameters_are_what_prefects_encoder_gives():
    from pathlib import Path

    from prefect import flow
    from prefect.flows import Flow

    from gameops.flows.runtime import plain_parameters

    @flow
    def job(project: str = ".", platforms: list[str] | None = None, tag: bool = True, last: int = 30,
            factor: float = 2.0, extra: dict | None = None) -> None:
        """A flow with the parameter kinds gameops' flows take."""

    plain = {"project": "/games/x", "platforms": ["linux", "windows"], "tag": False, "last": 200, "factor": 1.5,
             "extra": {"a": [1, None, {"b": "c"}]}}
    other = {"project": Path("/games/x"), "platforms": ("linux",), "tag": True, "last": 3, "factor": float("nan"),
             "extra": {1: "not a str key"}}
    prefects = {name: Flow.serialize_parameters(job, params) for name, params in (("plain", plain), ("other", other))}
    fast = plain_parameters(job)
    stored = fast.serialize_parameters(plain)
    assert stored == prefects["plain"] and stored["platforms"] is not plain["platforms"]  # a copy, like Prefect's
    other_stored = fast.serialize_parameters(other)  # not plain JSON: Prefect's own encoder decides
    assert other_stored["project"] == "/games/x" and other_stored["platforms"] == ["linux"]
    assert other_stored.keys() == prefects["other"].keys() and other_stored["extra"] == prefects["other"]["extra"]
