"""Distributed release: a server (PostgreSQL when installed), two process workers on two pools,
each platform's export on its own worker, the release completed on the caller.

The game has two export platforms (the sample game's Linux preset and a second Linux preset,
"server"), one work pool each: godot-linux and godot-server.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from conftest import git
from teamserver import (
    api, clone_state, run_cli, team_server, two_platform_game, workers,
)

pytestmark = [pytest.mark.slow, pytest.mark.godot]

POOLS = {"linux": "godot-linux", "server": "godot-server"}


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    with team_server(tmp_path_factory.mktemp("team"), postgres=True) as t:
        yield t


def test_each_platform_exports_on_its_own_worker_and_the_release_is_complete(team, tmp_path):
    shared = tmp_path / "shared"
    game = two_platform_game(tmp_path / "game", distributed=True, shared=shared, pools=POOLS)
    local = clone_state(game, tmp_path / "local" / "game")

    # The table has one export deployment per platform of release.work_pools: export-server too.
    deployed = run_cli(team, "--project", str(game), "--json", "deploy", "--only", "export-linux", "--only", "export-server")
    assert deployed.returncode == 0, deployed.stderr
    assert {d["name"]: d["work_pool"] for d in json.loads(deployed.stdout)["deployments"]} == {
        "export-linux": "godot-linux", "export-server": "godot-server"}

    with workers(team, {"worker-linux": "godot-linux", "worker-server": "godot-server"}, tmp_path / "logs") as logs:
        out = run_cli(team, "--project", str(game), "--json", "release", "1.0.0", timeout=900)
    assert out.returncode == 0, out.stderr + "\n".join(p.read_text(errors="replace")[-3000:] for p in logs.values())
    manifest = json.loads(out.stdout)
    release_dir = game / "dist" / "1.0.0"
    names = sorted(a["name"] for a in manifest["artifacts"])
    assert names == ["sample-game-1.0.0-linux.zip", "sample-game-1.0.0-server.zip"]
    sums = dict(reversed(line.split("  ", 1)) for line in (release_dir / "SHA256SUMS").read_text().splitlines())
    for name in names:
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == sums[name]
    assert (release_dir / "RELEASE_NOTES.md").is_file() and git(game, "tag") == "v1.0.0"

    # Each platform ran as a child run of the release on its own pool, picked up by that pool's worker only.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with api(team), get_client(sync_client=True) as client:
        releases = [r for r in client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["release"])))
                    if r.parameters.get("project") == str(game)]
        exports = [r for r in client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["export-platform"])))
                   if r.parameters.get("project") == str(game)]
        parents = {client.read_task_run(r.parent_task_run_id).flow_run_id for r in exports if r.parent_task_run_id}
    assert len(releases) == 1 and releases[0].state.is_completed()
    assert parents == {releases[0].id}, "the exports are children of the release run"
    by_platform = {r.parameters["platform"]: r for r in exports}
    assert set(by_platform) == {"linux", "server"}
    for platform, run in by_platform.items():
        assert run.state.is_completed()
        assert run.work_pool_name == POOLS[platform]
        # Named and tagged like every gameops run, with the platform in the name.
        assert run.name == f"export-platform-sample-game-{platform}-1.0.0", run.name
        assert {"gameops", "project:sample-game", "job:export-platform", "version:1.0.0", "distributed-export"} <= set(run.tags)
    linux_log = logs["worker-linux"].read_text(errors="replace")
    server_log = logs["worker-server"].read_text(errors="replace")
    assert f"submitting flow run '{by_platform['linux'].id}'" in linux_log
    assert f"submitting flow run '{by_platform['server'].id}'" in server_log
    assert str(by_platform["server"].id) not in linux_log and str(by_platform["linux"].id) not in server_log
    # The workers left their exports in the shared folder, where the release found them.
    assert sorted(p.name.split("-")[0] for p in (shared / ".exports").iterdir() if p.name != "logs") == ["linux", "server"]

    # Same commit released locally, without workers: byte-identical release folder.
    local_out = run_cli(team, "--project", str(local), "--json", "release", "1.0.0", timeout=900,
                        GAMEOPS_RELEASE__DISTRIBUTED="false")
    assert local_out.returncode == 0, local_out.stderr
    local_dir = local / "dist" / "1.0.0"
    assert sorted(p.name for p in local_dir.iterdir()) == sorted(p.name for p in release_dir.iterdir())
    for p in release_dir.iterdir():
        assert p.read_bytes() == (local_dir / p.name).read_bytes(), p.name


def test_export_deployment_on_another_pool_than_configured_fails_before_dispatching(team, tmp_path):
    game = two_platform_game(tmp_path / "game", distributed=True, shared=tmp_path / "shared", pools=POOLS)
    deployed = run_cli(team, "--project", str(game), "deploy", "--only", "export-linux", "--only", "export-server")
    assert deployed.returncode == 0, deployed.stderr
    # The config changed after deploying: the server's export now belongs on another pool.
    out = run_cli(team, "--project", str(game), "release", "1.0.0", timeout=600,
                  GAMEOPS_RELEASE__WORK_POOLS__SERVER="godot-elsewhere")
    assert out.returncode == 1, out.stderr
    assert "runs on work pool 'godot-server' but release.work_pools says 'godot-elsewhere' for server" in out.stderr
    assert "run `gameops deploy` again" in out.stderr
    assert not (game / "dist" / "1.0.0").exists()


def test_distributed_without_shared_dir_is_bad_input(team, tmp_path):
    game = two_platform_game(tmp_path / "game", distributed=True, shared=None, pools=POOLS)
    out = run_cli(team, "--project", str(game), "release", "1.0.0", timeout=600)
    assert out.returncode == 2, out.stderr
    assert "release.distributed is true but release.shared_dir is not set" in out.stderr
