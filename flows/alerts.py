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
raised, so it cannot change the run's state.

With a server, ``gameops deploy`` also puts Prefect's own machinery in place
(:func:`ensure_server_alerts`): a notification block and an automation that sends the message
when a deployed run of the project fails or crashes, even when its worker died and ran no hook.
A deployed run covered by that automation is left to it (no second message from the hook).
"""

from __future__ import annotations

import os
from typing import Any, cast

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


def ensure_server_alerts(spec: core.ServerAlert, deployment_ids: list[str]) -> dict[str, str]:
    """Create or update ``spec``'s notification block and automation on the server.

    The automation reacts to Failed, Crashed and TimedOut events of flow runs of
    ``deployment_ids`` and sends the block ``spec.body`` (rendered by the server). Returns the
    names and ids, for the command line to print. Raises ValueError when a named block is missing.
    """
    from prefect.automations import Automation, EventTrigger, Posture, SendNotification
    from prefect.blocks.core import Block
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    assert spec.block is not None
    block_type, _, block_name = spec.block.partition("/")
    if spec.webhook_url:
        # The URL is a secret (a Slack webhook URL is a credential): kept in the block's secrets,
        # which the UI masks, and substituted into the url template when sending.
        block = CustomWebhookNotificationBlock(name=spec.automation, url="{{webhook}}", method="POST",
                                               json_data={"text": "{{body}}"}, secrets={"webhook": spec.webhook_url})
        block_id = block.save(block_name, overwrite=True)
    else:
        try:
            block_id = Block.load(spec.block)._block_document_id
        except ValueError:
            raise ValueError(f"alerts.notification_block: no block {spec.block!r} on the server "
                             f"(create it in the UI: Blocks > {block_type})") from None
    trigger = EventTrigger(
        expect=set(core.FAILURE_EVENTS),
        match={"prefect.resource.id": "prefect.flow-run.*"},
        match_related={"prefect.resource.role": "deployment",
                       "prefect.resource.id": [f"prefect.deployment.{i}" for i in deployment_ids]},
        posture=Posture.Reactive, threshold=1, within=0,
    )
    action = SendNotification(block_document_id=block_id, subject=spec.subject, body=spec.body)
    description = "Made by gameops deploy: failed or crashed runs of this project's deployments notify the team."
    automation: Automation
    try:
        automation = cast(Automation, Automation.read(name=spec.automation))
    except ValueError:
        automation = Automation(name=spec.automation, description=description, trigger=trigger, actions=[action]).create()
    else:
        automation.description, automation.trigger, automation.actions, automation.enabled = (
            description, trigger, [action], True)
        automation.update()
    return {"automation": spec.automation, "automation_id": str(automation.id), "block": spec.block,
            "block_id": str(block_id)}


def _left_to_the_server(flow_run, project: str | None) -> bool:
    """True when a server automation made by gameops deploy covers this deployed run."""
    deployment_id = getattr(flow_run, "deployment_id", None)
    if not deployment_id or not project:
        return False
    try:
        from prefect.automations import Automation

        automation = cast(Automation, Automation.read(name=core.automation_name(project)))
        return bool(automation.enabled) and f"prefect.deployment.{deployment_id}" in automation.trigger.model_dump_json()
    except Exception:  # no server, no automation, an API problem: the hook sends
        return False


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
        project = configured[1] or os.path.basename(os.path.abspath(str((flow_run.parameters or {}).get("project") or ".")))
        if _left_to_the_server(flow_run, project):
            logger.info("gameops alert left to the server's automation")
            return
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
