"""Failure alerts: the message a failed or crashed gameops run sends, and its delivery to a webhook.

The message is Slack-compatible JSON, ``{"text": "..."}`` (Slack, Mattermost, Rocket.Chat and
most chat webhooks accept it). It names the flow, the run, the step that failed, the error's
first line and a link to the run in the Prefect UI. Secrets listed in ``redact`` are masked.

Prefect is not imported here: ``flows/alerts.py`` gathers the facts from the run and calls
:func:`build` and :func:`post_webhook`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from gameops.process import Redactor

MAX_MESSAGE = 400


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
                                 headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "gameops-alerts"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        raise AlertNotDelivered(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise AlertNotDelivered(f"webhook unreachable: {reason}") from None
