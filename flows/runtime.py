"""Running a flow in-process for the command line.

Turns off the flow heartbeat (it adds about 1 s to every flow call and buys nothing for a
run that lives in this process), stores plain JSON parameters as they are instead of through
FastAPI's encoder (:func:`plain_parameters`: importing FastAPI cost 0.2-0.25 s of every flow
command), runs the flow, prints the run's UI link when a server is reachable, and turns a Failed state back into the exception the core raised, so the command
line maps it to the right exit code: the failing step's own error, never Prefect's
"UnfinishedRun: Run is in PENDING state" of the steps that waited on it (every flow).
"""

from __future__ import annotations

import importlib
import math
import os
import re
import time
from typing import Any

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_UI_URL, temporary_settings

from gameops.errors import GameopsError, JobFailed


def ui_link(flow_run_id: Any) -> str | None:
    """The flow run's page in the Prefect UI, when a persistent server is configured."""
    if not os.environ.get("PREFECT_API_URL"):
        return None
    ui = PREFECT_UI_URL.value() or os.environ["PREFECT_API_URL"].rstrip("/").removesuffix("/api")
    return f"{ui.rstrip('/')}/runs/flow-run/{flow_run_id}"


_PLAIN_SCALARS = (str, int, bool, type(None))


def _plain(value: Any, depth: int = 0) -> bool:
    """JSON as it is: exact str/int/bool/None, finite floats, and lists and str-keyed dicts of them."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth > 20:
        return False
    if kind is list:
        return all(_plain(v, depth + 1) for v in value)
    if kind is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    return False


def _copy(value: Any) -> Any:
    if type(value) is list:
        return [_copy(v) for v in value]
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    return value


def plain_parameters(flow: Any) -> Any:
    """Let ``flow`` store plain JSON parameters as they are.

    Prefect serializes a flow run's parameters with FastAPI's ``jsonable_encoder``, importing
    FastAPI (and its OpenAPI models) on the first flow call of a process: 0.2-0.25 s of every
    command. For values that are JSON already (every parameter the command line passes: paths,
    versions, flags, lists of names) that encoder returns equal copies, so they are copied here
    without it; anything else still goes through Prefect's own method.
    """
    if getattr(flow, "_gameops_plain_parameters", False):
        return flow
    prefect_serialize = flow.serialize_parameters

    def serialize_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
        if flow.ismethod or flow.isclassmethod or not all(_plain(v) for v in parameters.values()):
            return prefect_serialize(parameters)
        return {key: _copy(value) for key, value in parameters.items()}

    flow.serialize_parameters = serialize_parameters
    flow._gameops_plain_parameters = True
    return flow


def run_flow(target: str, params: dict[str, Any], ctx: Any = None) -> Any:
    module_name, _, name = target.partition(":")
    flow = plain_parameters(getattr(importlib.import_module(module_name), name))
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        state = flow(**params, return_state=True)
    link = ui_link(state.state_details.flow_run_id)
    if ctx is not None and not getattr(ctx, "json", False):
        if link:
            ctx.say(f"[dim]Prefect run: {link}[/dim]")
        elif ctx.verbose:
            ctx.say("[dim]Run recorded in Prefect's local database; `gameops server start` shows it in the UI.[/dim]")
    if state.is_completed():
        return state.result()
    result = state.result(raise_on_failure=False)
    if isinstance(result, GameopsError):
        raise result
    from prefect.exceptions import UnfinishedRun

    # Only a run that waited on a failed step (UnfinishedRun) is worth waiting for the step's state.
    cause = failed_step(state.state_details.flow_run_id, wait_s=_STATE_WAIT_S if isinstance(result, UnfinishedRun) else 0)
    if cause is not None:
        raise cause
    if isinstance(result, BaseException):
        raise JobFailed(f"{flow.name} failed: {type(result).__name__}: {result}") from result
    raise JobFailed(f"{flow.name} ended {state.name}: {state.message or ''}".strip())


# ---------------------------------------------------------------------------
# The failing step's own error


_STATE_WAIT_S = 10.0
_ENCOUNTERED = re.compile(r"^(?:Task|Flow) run encountered an exception:?\s*(?:(?P<kind>[\w.]+):\s*)?(?P<message>.*)$", re.S)


def failed_step(flow_run_id: Any, wait_s: float = 0) -> GameopsError | None:
    """The error of the step that failed first in this run (a task, or a subflow's task).

    When a task fails, the tasks waiting on it never run and the flow body ends with Prefect's
    ``UnfinishedRun: Run is in PENDING state``, which says nothing. The failed task's own exception
    (kept in its result when persisted, else in its state message) is what the user needs: one
    line, the export's first ERROR line and its log path included (gameops.export puts them there).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter, FlowRunFilterId, FlowRunFilterParentFlowRunId, TaskRunFilter, TaskRunFilterState,
        TaskRunFilterStateType)
    from prefect.client.schemas.objects import StateType

    if flow_run_id is None:
        return None
    failed = TaskRunFilter(state=TaskRunFilterState(type=TaskRunFilterStateType(any_=[StateType.FAILED, StateType.CRASHED])))
    runs: list = []
    deadline = time.monotonic() + wait_s
    try:
        with get_client(sync_client=True) as client:
            # Task run states reach the server as events, a moment after the task ended: wait a little.
            while True:
                ids = [flow_run_id] + [c.id for c in client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id])))]
                runs = [r for r in client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)),
                                                         task_run_filter=failed) if r.state is not None]
                if runs or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
    except Exception:  # the API is gone: the flow's own error is all there is
        return None
    if not runs:
        return None
    first = min(runs, key=lambda r: (r.end_time or r.state.timestamp, r.name))
    try:
        exc = first.state.result(raise_on_failure=False)
    except Exception:  # not persisted: the state message carries it
        exc = None
    if isinstance(exc, GameopsError):
        return exc
    m = _ENCOUNTERED.match((first.state.message or "").strip())
    message = (m.group("message") if m else first.state.message or first.state.name).strip().splitlines()
    return JobFailed(f"{first.name} failed: {message[0] if message else first.state.name}")
