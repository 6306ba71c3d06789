"""Deployments: `gameops deploy` puts every row of the deployment table on a real server through
Prefect's Python API, and a deployment run of `release` (parameters from `prefect deployment
run`, on a process worker whose working folder is not the gameops checkout) produces the same
release folder as the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_GAME, make_repo
from teamserver import api, clone_state, run_cli, team_server, workers
from wheelenv import build_wheel, install_in_fresh_venv

pytestmark = pytest.mark.slow

EXPECTED = {
    "check": "gameops", "ci": "gameops", "release": "gameops", "roi": "gameops",
    "export-linux": "godot-linux", "export-windows": "godot-windows", "export-macos": "godot-macos",
}


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    with team_server(tmp_path_factory.mktemp("team"), postgres=False) as t:  # SQLite, the default
        yield t


def test_dry_run_lists_deployments_with_configured_pools_and_needs_no_server(gameops_cli, sample_repo, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    out = gameops_cli("--project", str(sample_repo), "--json", "--dry-run", "deploy",
                      env={"GAMEOPS_RELEASE__WORK_POOLS__WINDOWS": "win-builders"})
    assert out.code == 0, out.stderr
    pools = {d["name"]: d["work_pool"] for d in out.json["deployments"]}
    # release.work_pools as written: one export deployment per platform listed, none for the others
    assert pools["export-windows"] == "win-builders" and "export-linux" not in pools
    assert out.json["deployed"] is False and out.json["alerts"] is None, "no alert configured: none made"
    with_alerts = gameops_cli("--project", str(sample_repo), "--json", "--dry-run", "deploy",
                              env={"GAMEOPS_ALERTS__NOTIFICATION_BLOCK": "ops"})
    assert with_alerts.json["alerts"] == {"automation": "gameops alerts: sample-game", "block": "slack-webhook/ops"}

    # the project's schedules win over the defaults written in prefect.yaml
    custom = gameops_cli("--project", str(sample_repo), "--json", "--dry-run", "deploy",
                         env={"GAMEOPS_SCHEDULES__DOCS_SYNC": "15 4 2 * *"})
    schedules = {d["name"]: d["schedule"] for d in custom.json["deployments"]}
    assert schedules["docs-sync"] == "15 4 2 * * (Europe/Berlin)"  # time zone from the sample's gameops.yaml
    assert schedules["backlog-archive"] == "0 2 * * * (Europe/Berlin)" and schedules["release"] == ""

    nothing = gameops_cli("--project", str(sample_repo), "deploy")
    assert nothing.code == 2 and "needs a Prefect server" in nothing.stderr
    unknown = gameops_cli("--project", str(sample_repo), "deploy", "--only", "relase")
    assert unknown.code == 2 and "--only relase: no such deployment" in unknown.stderr

    # one export deployment per platform of release.work_pools, named after the platform
    server = gameops_cli("--project", str(sample_repo), "--json", "--dry-run", "deploy", "--only", "export-server",
                         env={"GAMEOPS_RELEASE__WORK_POOLS__SERVER": "godot-server"})
    assert server.code == 0, server.stderr
    assert server.json["deployments"] == [{"name": "export-server", "entrypoint": "gameops.flows.export:export_platform",
                                           "work_pool": "godot-server", "schedule": ""}]


def test_deploy_all_then_a_deployment_run_of_release_matches_the_cli(team, tmp_path):
    from prefect.client.orchestration import get_client

    game = make_repo(SAMPLE_GAME, tmp_path / "game", message="feat: first playable build")
    twin = clone_state(game, tmp_path / "twin" / "game")

    elsewhere = tmp_path / "elsewhere"  # the working folder of gameops deploy, the worker and the caller: not the checkout
    elsewhere.mkdir()
    out = run_cli(team, "--project", str(game), "--json", "deploy", cwd=elsewhere)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {"gameops", "godot-linux", "godot-windows", "godot-macos"} <= set(doc["pools_created"])

    with api(team), get_client(sync_client=True) as client:
        deployments = {d.name: d for d in client.read_deployments()}
        pools = {p.name: p.type for p in client.read_work_pools()}
    assert set(EXPECTED) | {"docs-sync", "backlog-archive", "test-metrics"} <= set(deployments)
    for name, pool in EXPECTED.items():
        d = deployments[name]
        assert d.work_pool_name == pool and pools[pool] == "process"
        # The worker imports the flow from its installed gameops: no pull step, no checkout path.
        assert not d.pull_steps and d.entrypoint.startswith("gameops.flows.")
        assert d.parameters["project"] == str(game)
    props = deployments["release"].parameter_openapi_schema["properties"]
    for p in ("version", "platforms", "dry_run", "bump"):
        assert props[p].get("description"), f"the UI's run form explains {p}"
    assert deployments["docs-sync"].schedules[0].schedule.cron == "0 6 1 * *", "scheduled maintenance keeps its schedule"
    assert deployments["docs-sync"].schedules[0].schedule.timezone == "Europe/Berlin"
    assert deployments["roi"].schedules and not deployments["roi"].schedules[0].active
    assert deployments["docs-sync"].parameters == {"project": str(game), "commit": True}
    assert deployments["release"].description, "described by the flow's docstring"

    env = {**os.environ, **team.env()}
    prefect = str(Path(sys.executable).parent / "prefect")
    # The worker runs gameops from a wheel installed in a fresh venv: no checkout of gameops' code.
    wheel = build_wheel(tmp_path / "wheel")
    python, site = install_in_fresh_venv(wheel, tmp_path / "venv")
    probe = subprocess.run([str(python), "-c", "import gameops.flows.release as m; print(m.__file__)"], cwd=elsewhere,
                           capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert Path(probe.stdout.strip()).is_relative_to(site), probe.stderr
    with workers(team, {"worker-1": "gameops"}, elsewhere, python=str(python)) as logs:
        run = subprocess.run([prefect, "deployment", "run", "release/release", "--param", "version=1.0.0",
                              "--param", 'platforms=["linux"]', "--watch", "--watch-interval", "2", "--watch-timeout", "600"],
                             capture_output=True, text=True, env=env, timeout=700, stdin=subprocess.DEVNULL, cwd=elsewhere)
    assert run.returncode == 0 and "Completed" in run.stdout, run.stdout[-2000:] + logs["worker-1"].read_text(errors="replace")[-3000:]

    cli = run_cli(team, "--project", str(twin), "--json", "release", "1.0.0", "--platform", "linux")
    assert cli.returncode == 0, cli.stderr
    deployed_dir, cli_dir = game / "dist" / "1.0.0", twin / "dist" / "1.0.0"
    names = sorted(p.name for p in deployed_dir.iterdir())
    assert names == sorted(p.name for p in cli_dir.iterdir())
    assert "sample-game-1.0.0-linux.zip" in names and "SHA256SUMS" in names
    for name in names:
        assert (deployed_dir / name).read_bytes() == (cli_dir / name).read_bytes(), name


def test_deploy_puts_alerts_on_the_server_and_a_failed_deployed_run_notifies_through_them(team, tmp_path, monkeypatch):
    """Prefect-native alerts: gameops deploy makes a notification block and an automation; the
    server itself posts to the webhook (a local HTTP receiver) when a deployed run fails."""
    from prefect.client.orchestration import get_client
    from prefect.states import Failed

    from test_alerts import Receiver

    game = make_repo(SAMPLE_GAME, tmp_path / "game")
    with Receiver() as hook:
        out = run_cli(team, "--project", str(game), "--json", "deploy", "--only", "check",
                      GAMEOPS_ALERTS__WEBHOOK_URL=hook.url)
        assert out.returncode == 0, out.stderr
        made = json.loads(out.stdout)["alerts"]
        assert made["automation"] == "gameops alerts: sample-game"
        assert made["block"] == "custom-webhook/gameops-alerts-sample-game"
        with api(team), get_client(sync_client=True) as client:
            automation = client.read_automation(made["automation_id"])
            block = client.read_block_document(made["block_id"], include_secrets=False)  # as the UI reads it
            check = client.read_deployment_by_name("check/check")
            assert automation.enabled and automation.actions[0].block_document_id == block.id
            assert f"prefect.deployment.{check.id}" in automation.trigger.model_dump_json()
            assert hook.url not in json.dumps(block.data, default=str), "the webhook URL is kept secret in the UI"
            # A deployed run fails (no worker needed: the server sees the state change and reacts).
            run = client.create_flow_run_from_deployment(check.id)
            client.set_flow_run_state(run.id, Failed(message="JobFailed: required file missing"), force=True)
        deadline = time.monotonic() + 180
        while not hook.received and time.monotonic() < deadline:
            time.sleep(1)
        assert hook.received, "the server's automation posted nothing"
        text = hook.received[0]["json"]["text"]
        assert text.splitlines()[0] == f":rotating_light: gameops check of sample-game: run {run.name} failed"
        assert "Error: JobFailed: required file missing" in text
        assert str(run.id) in text, "the message links the run in the UI"

        # The in-process hook leaves a deployed run that the automation covers to the server (no
        # second message), and still sends for a run that no automation covers.
        from gameops.flows.alerts import notify_failure
        from gameops.flows.check import check as check_flow

        monkeypatch.setenv("GAMEOPS_ALERTS__WEBHOOK_URL", hook.url)
        with api(team), get_client(sync_client=True) as client:
            deployed_run = client.read_flow_run(run.id)
            notify_failure(check_flow, deployed_run, deployed_run.state)
            assert len(hook.received) == 1
            notify_failure(check_flow, deployed_run.model_copy(update={"deployment_id": None}), deployed_run.state)
            assert len(hook.received) == 2 and "Failed step:" in hook.received[1]["json"]["text"]

    # Deploying again updates the same automation and block (no duplicates).
    again = run_cli(team, "--project", str(game), "--json", "deploy", "--only", "check",
                    GAMEOPS_ALERTS__WEBHOOK_URL=hook.url)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["alerts"]["automation_id"] == made["automation_id"]
