"""Failure alerts: the message a failed or crashed gameops run sends, and its delivery to a webhook.

The message is Slack-compatible JSON, ``{"text": "..."}`` (Slack, Mattermost, Rocket.Chat and
most chat webhooks accept it). It names the flow, the run, the step that failed, the error's
first line and a link to the run in the Prefect UI. Secrets listed in ``redact`` are masked.

Two ways out, one message:
- with a Prefect server, ``gameops deploy`` creates a notification block and an automation
  (:func:`server_alert`): the server itself sends the message when a deployed run of this
  project fails or crashes, even when the worker running it died;
- in-process, the flow hook in ``flows/alerts.py`` sends it (runs from the command line, runs
  without a server automation).

Prefect is not imported here: ``flows/alerts.py`` gathers the facts from the run, calls
:func:`build` and :func:`post_webhook`, and turns :func:`server_alert` into Prefect objects.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from gameops import slugs
from gameops import __version__
from gameops.process import Redactor

MAX_MESSAGE = 400
USER_AGENT = f"gameops/{__version__}"


@dataclass
class Alert:
    flow: str
    run_name: str
    state: str  # Failed, Crashed, TimedOut, ...
    failed_step: str | None = None
    message: str | None = None
    link: str | None = None
    project: str | None = None

class AlertNotDelivered(Exception):
    """The webhook did not accept the alert (the hook logs it; a run is never failed by it)."""


def _first_line(text: str | None) -> str | None:
    if not text:
        return None
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def build(alert: Alert, secrets: Iterable[str] = ()) -> dict:
    """The Slack-compatible payload: ``{"text": ...}``."""
    redact = Redactor(secrets)
    where = f" of {alert.project}" if alert.project else ""
    lines = [f":rotating_light: gameops {alert.flow}{where}: run {alert.run_name} {alert.state.lower()}"]
    lines.append(f"Failed step: {alert.failed_step or 'none recorded (the flow itself)'}")
    msg = _first_line(alert.message)
    if msg:
        lines.append(f"Error: {msg}")
    if alert.link:
        lines.append(f"Run: <{alert.link}|open in Prefect>")
    else:
        lines.append("Run: no Prefect UI link (ephemeral server)")
    return {"text": redact("\n".join(lines))}


def subject(alert: Alert) -> str:
    """A short title, for notification blocks that have one (e-mail, Teams)."""
    return f"gameops {alert.flow} {alert.state.lower()}: {alert.run_name}"


def post_webhook(url: str, payload: dict, timeout_s: float = 10.0) -> int:
    """POST ``payload`` as JSON; returns the HTTP status. Raises :class:`AlertNotDelivered`."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        raise AlertNotDelivered(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise AlertNotDelivered(f"webhook unreachable: {reason}") from None


# ---------------------------------------------------------------------------
# Server-side alerts: a notification block and an automation (made by flows/alerts.py)

FAILURE_EVENTS = ("prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut")


@dataclass(frozen=True)
class ServerAlert:
    """What ``gameops deploy`` puts on the server for one project."""

    automation: str          # automation name, shown in the UI (Automations)
    block: str | None        # "<block type slug>/<name>" of the notification block
    webhook_url: str | None  # set: gameops makes the block (a custom-webhook block posting {"text": ...})
    subject: str
    body: str                # Jinja template, rendered by the server from the failed run


def _slug(text: str) -> str:
    return slugs.slug(text, "project")


def _literal(text: str) -> str:
    """``text`` made safe inside a Jinja template (no template syntax survives)."""
    return re.sub(r"[{}%#]", "", text)


def automation_name(project: str) -> str:
    """The server automation of ``project`` (the in-process hook looks for it by this name)."""
    return f"gameops alerts: {_literal(project)}"


def server_alert(project: str, webhook_url: str | None, notification_block: str | None) -> ServerAlert | None:
    """The block and automation for ``project``; None when no alert is configured.

    The body is the message of :func:`build` as a server template: flow, project, run, state,
    the state's message and the run's link (the failed step is known only to the in-process hook).
    """
    if not (webhook_url or notification_block):
        return None
    name = _literal(project)
    if webhook_url:
        block = f"custom-webhook/gameops-alerts-{_slug(project)}"
    else:
        block = notification_block if "/" in str(notification_block) else f"slack-webhook/{notification_block}"
    body = "\n".join([
        f":rotating_light: gameops {{{{ flow.name }}}} of {name}: run {{{{ flow_run.name }}}} "
        "{{ flow_run.state.name | lower }}",
        "Error: {{ flow_run.state.message }}",
        "Run: <{{ flow_run | ui_url }}|open in Prefect>",
    ])
    return ServerAlert(automation=automation_name(project), block=block, webhook_url=webhook_url,
                       subject="gameops {{ flow.name }} {{ flow_run.state.name | lower }}: {{ flow_run.name }}",
                       body=body)
