"""Alerts: a failed or crashed gameops flow posts a Slack-compatible message to a real local HTTP receiver."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gameops import alerts as core
from gameops.errors import JobFailed


class Receiver:
    """A webhook on a free port that records every JSON body it is sent."""

    def __init__(self, status: int = 200) -> None:
        received: list[dict] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                 "user_agent": self.headers.get("User-Agent"), "json": json.loads(body.decode("utf-8"))})
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000/abc"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# -- core: the message ------------------------------------------------------------------

def test_message_names_flow_step_error_and_link_and_hides_secrets():
    alert = core.Alert(flow="release", run_name="release-1.2.0", state="Failed", failed_step="export-windows-3a1",
                       message="JobFailed: export windows failed with token s3cr3t-token\nTraceback ...",
                       link="http://ci:4200/runs/flow-run/42", project="BlockLife")
    text = core.build(alert, secrets=["s3cr3t-token"])["text"]
    assert text.splitlines() == [
        ":rotating_light: gameops release of BlockLife: run release-1.2.0 failed",
        "Failed step: export-windows-3a1",
        "Error: JobFailed: export windows failed with token ***",
        "Run: <http://ci:4200/runs/flow-run/42|open in Prefect>",
    ]


def test_post_webhook_says_which_gameops_sent_it():
    import gameops

    with Receiver() as rx:
        assert core.post_webhook(rx.url, {"text": "x"}) == 200
    assert rx.received[0]["user_agent"] == f"gameops/{gameops.__version__}"
    assert rx.received[0]["json"] == {"text": "x"}


def test_post_webhook_reports_a_refusing_receiver():
    with Receiver(status=500) as rx:
        with pytest.raises(core.AlertNotDelivered, match="HTTP 500"):
            core.post_webhook(rx.url, {"text": "x"})
    with pytest.raises(core.AlertNotDelivered, match="unreachable"):
        core.post_webhook(rx.url, {"text": "x"}, timeout_s=2)


# -- flows: the shared hooks on real runs -------------------------------------------------

def _demo_flows():
    from prefect import flow, task

    from gameops.flows.alerts import alerting

    @task(name="export-linux")
    def export_linux():
        raise JobFailed("godot export failed: build/linux/sample-game.x86_64 was not written")

    @task(name="package")
    def package():
        return "ok"

    @alerting
    @flow(name="alert-demo")
    def failing(project: str = ".", config: str | None = None):
        package()
        export_linux()

    class PowerCut(BaseException):
        """Not an Exception: Prefect treats it as a crash (like a killed worker or Ctrl+C)."""

    @alerting
    @flow(name="crash-demo")
    def crashing(project: str = "."):
        raise PowerCut("worker lost")

    @alerting
    @flow(name="fine-demo")
    def fine(project: str = "."):
        return package()

    return failing, crashing, fine, PowerCut


@pytest.mark.prefect
def test_failed_flow_posts_flow_step_and_run_link(prefect, sample_repo):
    failing, _, fine, _ = _demo_flows()
    with Receiver() as rx:
        (sample_repo / "gameops.yaml").write_text(
            (sample_repo / "gameops.yaml").read_text(encoding="utf-8") + f"\nalerts:\n  webhook_url: {rx.url}\n",
            encoding="utf-8")
        state = failing(project=str(sample_repo), return_state=True)
        assert state.is_failed()
        assert fine(project=str(sample_repo), return_state=True).is_completed()
    assert len(rx.received) == 1, "one failed run, one alert; the completed run sends none"
    got = rx.received[0]
    assert got["path"] == "/hooks/T000/B000/abc" and got["content_type"].startswith("application/json")
    text = got["json"]["text"]
    assert "gameops alert-demo of sample-game: run " in text and text.splitlines()[0].endswith(" failed")
    assert "Failed step: export-linux" in text
    assert "Error: " in text and "was not written" in text
    run_id = state.state_details.flow_run_id
    assert f"/runs/flow-run/{run_id}|open in Prefect>" in text


@pytest.mark.prefect
def test_crashed_flow_alerts_through_the_environment(prefect, tmp_path, monkeypatch):
    _, crashing, _, power_cut = _demo_flows()
    with Receiver() as rx:
        monkeypatch.setenv("GAMEOPS_ALERTS__WEBHOOK_URL", rx.url)
        with pytest.raises(power_cut):
            crashing(project=str(tmp_path))
    assert len(rx.received) == 1
    text = rx.received[0]["json"]["text"]
    assert text.startswith(":rotating_light: gameops crash-demo of ") and text.splitlines()[0].endswith(" crashed")
    assert "Error: Crashed" in text or "worker lost" in text
    assert "Failed step: none recorded (the flow itself)" in text


@pytest.mark.prefect
def test_no_alert_configured_sends_nothing_and_a_dead_webhook_does_not_change_the_run(prefect, sample_repo, monkeypatch):
    failing, _, _, _ = _demo_flows()
    with Receiver() as rx:
        state = failing(project=str(sample_repo), return_state=True)
        assert state.is_failed() and rx.received == []
        dead = rx.url
    monkeypatch.setenv("GAMEOPS_ALERTS__WEBHOOK_URL", dead)
    state = failing(project=str(sample_repo), return_state=True)
    assert state.is_failed()
    with pytest.raises(JobFailed, match="was not written"):
        state.result()


def test_hooks_are_added_once_and_keep_a_flows_own_hooks():
    from prefect import flow

    from gameops.flows.alerts import HOOKS, alerting, notify_failure

    def mine(flow, flow_run, state):
        pass

    f = alerting(alerting(flow(name="x", on_failure=[mine])(lambda: None)))
    assert f.on_failure_hooks == [mine, notify_failure]
    assert f.on_crashed_hooks == [notify_failure]
    assert flow(name="y", **HOOKS)(lambda: None).on_crashed_hooks == [notify_failure]


@pytest.mark.prefect
def test_alert_through_a_prefect_notification_block(prefect, sample_repo):
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    failing, _, _, _ = _demo_flows()
    with Receiver() as rx:
        CustomWebhookNotificationBlock(name="gameops-ops", url=rx.url, allow_private_urls=True,
                                       json_data={"text": "{{subject}}\n{{body}}"}).save("gameops-ops", overwrite=True)
        (sample_repo / "gameops.yaml").write_text(
            (sample_repo / "gameops.yaml").read_text(encoding="utf-8") + "\nalerts:\n  notification_block: custom-webhook/gameops-ops\n",
            encoding="utf-8")
        state = failing(project=str(sample_repo), return_state=True)
        assert state.is_failed()
    assert len(rx.received) == 1
    text = rx.received[0]["json"]["text"]
    assert text.splitlines()[0].startswith("gameops alert-demo failed: ")
    assert "Failed step: export-linux" in text


def test_every_gameops_flow_carries_the_alert_hooks():
    import importlib

    from gameops.flows.alerts import notify_failure

    for target in ("check:check", "build:build", "test:test", "ci:ci", "release:release", "export:export_platform",
                   "docs_sync:docs_sync", "backlog_archive:backlog_archive", "metrics:metrics", "setup:setup", "roi:roi"):
        module, name = target.split(":")
        flow_obj = getattr(importlib.import_module(f"gameops.flows.{module}"), name)
        assert notify_failure in flow_obj.on_failure_hooks and notify_failure in flow_obj.on_crashed_hooks, target


def test_a_failing_gameops_check_alerts_the_team(prefect, sample_repo, gameops_cli, tmp_path):
    with Receiver() as hook:
        r = gameops_cli("--project", str(sample_repo), "check",
                        env={"GODOT_BIN": str(tmp_path / "no-godot"), "GAMEOPS_ALERTS__WEBHOOK_URL": hook.url})
    assert r.code == 1
    assert len(hook.received) == 1
    text = hook.received[0]["json"]["text"]
    assert "check" in text and "tool: godot" in text and "/runs/flow-run/" in text
