"""Failure alerts for every gameops flow: one ``on_failure`` / ``on_crashed`` hook, shared.

Every gameops flow attaches them in one of two equivalent ways::

    from gameops.flows.alerts import alerting

    @alerting
    @flow(name="release", ...)
    def release(project: str = ".", config: str | None = None, ...): ...

or ``@flow(name="release", **flows.alerts.HOOKS)``.

The hook reads the run's ``project`` / ``config`` parameters to load the game repository's
``alerts`` config (``alerts.webhook_url``, or ``alerts.notification_block`` naming a Prefect
notification block such as ``slack-webhook/ops``; ``GAMEOPS_ALERTS__WEBHOOK_URL`` works too),
asks the API which task failed, and sends the message built by :mod:`gameops.alerts`.
Nothing configured: nothing sent. Hooks are best effort: a delivery problem is logged, never
raised, so it cannot change the run's state. (A worker killed outright may not run hooks at
all; docs/team.md shows the server-side automation that covers that case.)
"""

from __future__ import annotations

import os
from typing import Any

from gameops import alerts as core
from gameops.config import AlertsConfig, load
from gameops.errors import GameopsError


def _config(parameters: dict[str, Any]) -> tuple[AlertsConfig, str | None, list[str]]:
    project = parameters.get("project") or "."
    try:
        loaded = load(project, parameters.get("config"))
        return loaded.config.alerts, loaded.config.project.name or None, loaded.secrets()
    except (GameopsError, OSError, TypeError):
        # The run failed on bad config perhaps: the environment can still name a webhook.
        url = os.environ.get("GAMEOPS_ALERTS__WEBHOOK_URL")
        block = os.environ.get("GAMEOPS_ALERTS__NOTIFICATION_BLOCK")
        return AlertsConfig(webhook_url=url or None, notification_block=block or None), None, []


def _failed_step(flow_run_id: Any, wait_s: float = 5.0) -> str | None:
    """The name of the first task run of the flow run that ended Failed or Crashed.

    Task-run states reach the server as events, recorded a moment after the task ended, so
    the question is asked a few times for up to ``wait_s`` before answering "none".
    """
    import time

    try:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import (
            FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterState, TaskRunFilterStateType,
        )
        from prefect.client.schemas.objects import StateType
        from prefect.client.schemas.sorting import TaskRunSort

        deadline = time.monotonic() + wait_s
        with get_client(sync_client=True) as client:
            while True:
                runs = client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                    task_run_filter=TaskRunFilter(state=TaskRunFilterState(type=TaskRunFilterStateType(
                        any_=[StateType.FAILED, StateType.CRASHED]))),
                    sort=TaskRunSort.EXPECTED_START_TIME_ASC,
                    limit=5,
                )
                if runs or time.monotonic() > deadline:
                    return runs[0].name if runs else None
                time.sleep(0.5)
    except Exception:  # the API may be what broke; the alert still goes out
        return None


def run_link(flow_run_id: Any) -> str | None:
    from gameops.flows.runtime import ui_link

    try:
        return ui_link(flow_run_id)
    except Exception:
        return None


def alert_for(flow, flow_run, state, configured=None) -> tuple[core.Alert, AlertsConfig, list[str]]:
    cfg, project, secrets = configured or _config(dict(flow_run.parameters or {}))
    alert = core.Alert(
        flow=flow.name,
        run_name=flow_run.name,
        state=state.name or str(state.type.value).title(),
        failed_step=_failed_step(flow_run.id),
        message=state.message,
        link=run_link(flow_run.id),
        project=project,
    )
    return alert, cfg, secrets


def send(alert: core.Alert, cfg: AlertsConfig, secrets: list[str]) -> str | None:
    """Deliver ``alert``; returns where it went, None when nothing is configured."""
    payload = core.build(alert, secrets)
    if cfg.webhook_url:
        core.post_webhook(cfg.webhook_url, payload)
        return "webhook"
    if cfg.notification_block:
        from prefect.blocks.core import Block

        name = cfg.notification_block
        block = Block.load(name if "/" in name else f"slack-webhook/{name}")
        block.notify(payload["text"], subject=core.subject(alert))
        return f"block {name}"
    return None


def notify_failure(flow, flow_run, state) -> None:
    """The flow hook (on_failure and on_crashed)."""
    from prefect.logging.loggers import flow_run_logger

    logger = flow_run_logger(flow_run, flow)
    try:
        if getattr(flow_run, "parent_task_run_id", None):
            return  # a subflow (a platform's export): its parent's alert names it as the failed step
        configured = _config(dict(flow_run.parameters or {}))
        cfg = configured[0]
        if not (cfg.webhook_url or cfg.notification_block):
            return  # nothing configured: don't spend time asking the API which step failed
        alert, cfg, secrets = alert_for(flow, flow_run, state, configured)
        where = send(alert, cfg, secrets)
        if where:
            logger.info("gameops alert sent (%s): %s %s", where, alert.flow, alert.state)
    except Exception as exc:  # best effort: never turn an alert problem into a run problem
        logger.warning("gameops alert not delivered: %s", exc)


HOOKS: dict[str, list] = {"on_failure": [notify_failure], "on_crashed": [notify_failure]}


def alerting(flow_obj):
    """Decorator: ``flow_obj`` with the gameops failure hooks added to any it already has."""
    return flow_obj.with_options(
        on_failure=[*flow_obj.on_failure_hooks, *[h for h in HOOKS["on_failure"] if h not in flow_obj.on_failure_hooks]],
        on_crashed=[*flow_obj.on_crashed_hooks, *[h for h in HOOKS["on_crashed"] if h not in flow_obj.on_crashed_hooks]],
    )
