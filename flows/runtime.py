"""Running a flow in-process for the command line.

Turns off the flow heartbeat (it adds about 1 s to every flow call and buys nothing for a
run that lives in this process), runs the flow, prints the run's UI link when a server is
reachable, and turns a Failed state back into the exception the core raised, so the command
line maps it to the right exit code.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_UI_URL, temporary_settings

from gameops.errors import GameopsError, JobFailed


def ui_link(flow_run_id: Any) -> str | None:
    """The flow run's page in the Prefect UI, when a persistent server is configured."""
    if not os.environ.get("PREFECT_API_URL"):
        return None
    ui = PREFECT_UI_URL.value() or os.environ["PREFECT_API_URL"].rstrip("/").removesuffix("/api")
    return f"{ui.rstrip('/')}/runs/flow-run/{flow_run_id}"


def run_flow(target: str, params: dict[str, Any], ctx: Any = None) -> Any:
    module_name, _, name = target.partition(":")
    flow = getattr(importlib.import_module(module_name), name)
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
    if isinstance(result, BaseException):
        raise JobFailed(f"{flow.name} failed: {type(result).__name__}: {result}") from result
    raise JobFailed(f"{flow.name} ended {state.name}: {state.message or ''}".strip())
