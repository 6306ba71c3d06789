"""Deployments: `gameops deploy` puts every flow of prefect.yaml on a real server, and a
deployment run of `release` (parameters from `prefect deployment run`, on a process worker)
produces the same release folder as the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SAMPLE_GAME, make_repo
from teamserver import api, clone_state, run_cli, team_server, workers

pytestmark = pytest.mark.slow

EXPECTED = {
    "check": "gameops", "ci": "gameops", "release": "gameops", "roi": "gameops",
    "export-linux": "godot-linux", "export-windows": "godot-windows", "export-macos": "godot-macos",
}


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    with team_server(tmp_path_factory.mktemp("team"), postgres=False) as t:  # SQLite, the default
        yield t


def test_prefect_yaml_declares_every_flow_with_explicit_pull_and_parameters():
    doc = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert doc["pull"] == [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $GAMEOPS_CODE_DIR }}"}}]
    deps = {d["name"]: d for d in doc["deployments"]}
    for name, pool in EXPECTED.items():
        assert deps[name]["work_pool"]["name"] == pool
        assert deps[name]["parameters"]["project"] == "{{ $GAMEOPS_PROJECT }}"
        module, _, func = deps[name]["entrypoint"].partition(":")
        assert (ROOT / module).is_file() and f"def {func}(" in (ROOT / module).read_text(encoding="utf-8")
    assert {"docs-sync", "backlog-archive", "test-metrics"} <= set(deps), "the scheduled maintenance flows"
    rel = deps["release"]["parameters"]
    assert rel["version"] is None and rel["dry_run"] is False and rel["platforms"] is None and rel["tag"] is True
    assert {deps[f"export-{p}"]["parameters"]["platform"] for p in ("linux", "windows", "macos")} == {"linux", "windows", "macos"}


def test_dry_run_lists_deployments_with_configured_pools_and_needs_no_server(gameops_cli, sample_repo, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    out = gameops_cli("--project", str(sample_repo), "--json", "--dry-run", "deploy",
                      env={"GAMEOPS_RELEASE__WORK_POOLS__WINDOWS": "win-builders"})
    assert out.code == 0, out.stderr
    pools = {d["name"]: d["work_pool"] for d in out.json["deployments"]}
    assert pools["export-windows"] == "win-builders" and pools["export-linux"] == "godot-linux"
    assert out.json["deployed"] is False

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


def test_deploy_all_then_a_deployment_run_of_release_matches_the_cli(team, tmp_path):
    from prefect.client.orchestration import get_client

    game = make_repo(SAMPLE_GAME, tmp_path / "game", message="feat: first playable build")
    twin = clone_state(game, tmp_path / "twin" / "game")

    out = run_cli(team, "--project", str(game), "--json", "deploy")
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
        # The pull step is resolved on each worker, from its own GAMEOPS_CODE_DIR.
        assert d.pull_steps == [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $GAMEOPS_CODE_DIR }}"}}]
        assert d.parameters["project"] == str(game)
    props = deployments["release"].parameter_openapi_schema["properties"]
    for p in ("version", "platforms", "dry_run", "bump"):
        assert props[p].get("description"), f"the UI's run form explains {p}"
    assert deployments["docs-sync"].schedules, "scheduled maintenance keeps its schedule"

    env = {**os.environ, **team.env()}
    prefect = str(Path(sys.executable).parent / "prefect")
    with workers(team, {"worker-1": "gameops"}, tmp_path / "logs") as logs:
        run = subprocess.run([prefect, "deployment", "run", "release/release", "--param", "version=1.0.0",
                              "--param", 'platforms=["linux"]', "--watch", "--watch-interval", "2", "--watch-timeout", "600"],
                             capture_output=True, text=True, env=env, timeout=700, stdin=subprocess.DEVNULL)
    assert run.returncode == 0 and "Completed" in run.stdout, run.stdout[-2000:] + logs["worker-1"].read_text(errors="replace")[-3000:]

    cli = run_cli(team, "--project", str(twin), "--json", "release", "1.0.0", "--platform", "linux")
    assert cli.returncode == 0, cli.stderr
    deployed_dir, cli_dir = game / "dist" / "1.0.0", twin / "dist" / "1.0.0"
    names = sorted(p.name for p in deployed_dir.iterdir())
    assert names == sorted(p.name for p in cli_dir.iterdir())
    assert "sample-game-1.0.0-linux.zip" in names and "SHA256SUMS" in names
    for name in names:
        assert (deployed_dir / name).read_bytes() == (cli_dir / name).read_bytes(), name
