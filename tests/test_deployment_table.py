"""The deployment table: prefect.yaml rendered from it (and a check that fails when they disagree),
pools and schedules from a project's config, registered by a real `prefect deploy --all` and by
`gameops serve`, checked through the Prefect API."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import gameops

from gameops.config import GameopsConfig, load
from gameops.deployments import table as table_mod
from gameops.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
CUSTOM = {"timezone": "America/New_York", "docs_sync": "15 4 2 * *", "backlog_archive": "30 1 * * *", "metrics": "45 5 * * 0"}


def _project(tmp_path, sched: dict) -> Path:
    root = tmp_path / "game"
    shutil.copytree(ROOT / "examples" / "sample-game", root)
    cfg = yaml.safe_load((root / "gameops.yaml").read_text())
    cfg["schedules"] = sched
    (root / "gameops.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True))
    return root


def _by_name(text: str) -> dict:
    return {d["name"]: d for d in yaml.safe_load(text)["deployments"]}


def test_committed_prefect_yaml_is_the_table_rendered_with_default_config(tmp_path):
    committed = str(ROOT / "prefect.yaml")
    assert table_mod.main(["--check", "--prefect-file", committed]) == 0, \
        "prefect.yaml disagrees with the table: python -m gameops.deployments.table"
    deps = _by_name((ROOT / "prefect.yaml").read_text())
    rows = {d.name: d for d in table_mod.table(GameopsConfig())}
    assert set(deps) == set(rows)
    for name, row in rows.items():
        d = deps[name]
        assert d["entrypoint"] == row.entrypoint and d["work_pool"]["name"] == row.work_pool
        assert d["parameters"] == {"project": "{{ $GAMEOPS_PROJECT }}", **row.parameters}
        assert d.get("schedules", []) == ([{"cron": row.schedule.cron, "timezone": row.schedule.timezone,
                                            **({} if row.schedule.active else {"active": False})}]
                                          if row.schedule else [])
    assert yaml.safe_load((ROOT / "prefect.yaml").read_text())["pull"] == [], "no pull step: workers use the installed package"
    assert deps["docs-sync"]["schedules"] == [{"cron": "0 6 1 * *", "timezone": "UTC"}]
    assert deps["backlog-archive"]["entrypoint"] == "gameops.flows.backlog_archive:backlog_archive"
    assert {deps[f"export-{p}"]["work_pool"]["name"] for p in ("linux", "windows", "macos")} == {
        "godot-linux", "godot-windows", "godot-macos"}

    # an edit of the file that the table does not have is caught
    edited = tmp_path / "prefect.yaml"
    edited.write_text((ROOT / "prefect.yaml").read_text().replace("name: godot-windows", "name: windows-builders"))
    assert table_mod.main(["--check", "--prefect-file", str(edited)]) == 1


def test_every_entrypoint_is_a_flow_of_the_package_and_its_parameters_exist():
    import inspect

    from prefect import Flow

    from gameops.deployments.serve import load_flow

    for row in table_mod.table(GameopsConfig()):
        flow = load_flow(row)
        assert isinstance(flow, Flow), row.name
        params = inspect.signature(flow.fn).parameters
        assert "project" in params and "config" in params, row.name
        assert set(row.parameters) <= set(params), f"{row.name}: {set(row.parameters) - set(params)} is not a parameter"


def test_pools_and_schedules_come_from_the_project_config(tmp_path):
    root = _project(tmp_path, CUSTOM)
    cfg = yaml.safe_load((root / "gameops.yaml").read_text())
    cfg.setdefault("release", {})["work_pools"] = {"linux": "linux-builders", "server": "godot-server"}
    (root / "gameops.yaml").write_text(yaml.safe_dump(cfg))
    out = tmp_path / "prefect.yaml"
    assert table_mod.main(["--project", str(root), "--prefect-file", str(out)]) == 0
    deps = _by_name(out.read_text())
    assert {n: d["work_pool"]["name"] for n, d in deps.items() if n.startswith("export-")} == {
        "export-linux": "linux-builders", "export-server": "godot-server"}
    assert deps["export-server"]["parameters"]["platform"] == "server"
    assert deps["docs-sync"]["schedules"] == [{"cron": "15 4 2 * *", "timezone": "America/New_York"}]
    assert deps["test-metrics"]["schedules"] == [{"cron": "45 5 * * 0", "timezone": "America/New_York"}]
    assert table_mod.main(["--project", str(root), "--prefect-file", str(out), "--check"]) == 0


@pytest.mark.parametrize("key,value,message", [
    ("docs_sync", "61 * * * *", "schedules.docs_sync: invalid cron expression"),
    ("metrics", "0 3 * *", "schedules.metrics: expected a cron expression of 5 fields"),
    ("timezone", "Mars/Olympus", "schedules.timezone: unknown time zone"),
])
def test_bad_schedule_config_is_bad_input(tmp_path, key, value, message, gameops_cli):
    root = _project(tmp_path, {key: value})
    with pytest.raises(ConfigError, match=message):
        load(root)
    r = gameops_cli("--project", str(root), "--dry-run", "serve", process=True)
    assert r.code == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_serve_dry_run_lists_the_schedules(tmp_path, gameops_cli):
    root = _project(tmp_path, CUSTOM)
    r = gameops_cli("--project", str(root), "--dry-run", "--json", "serve")
    assert r.code == 0, r.stderr
    got = {d["name"]: (d["cron"], d["timezone"]) for d in r.json["deployments"]}
    assert {k: v for k, v in got.items() if k in ("docs-sync", "backlog-archive", "test-metrics")} == {
        "docs-sync": ("15 4 2 * *", "America/New_York"), "backlog-archive": ("30 1 * * *", "America/New_York"),
        "test-metrics": ("45 5 * * 0", "America/New_York")}
    assert {"check", "ci", "release", "roi"} <= set(got), "the on-demand flows are served too"
    assert not any(name.startswith("export-") for name in got), "exports belong on their OS pool's worker"


def _deployments(flow_dep_names: list[str]) -> dict:
    from prefect.client.orchestration import get_client

    out = {}
    with get_client(sync_client=True) as client:
        for full in flow_dep_names:
            try:
                d = client.read_deployment_by_name(full)
            except Exception:
                continue
            out[full] = d
    return out


def _crons(dep) -> list[tuple[str, str]]:
    return [(s.schedule.cron, s.schedule.timezone) for s in dep.schedules]


@pytest.mark.prefect
@pytest.mark.slow
def test_prefect_deploy_all_registers_the_scheduled_deployments(tmp_path, prefect):
    game = _project(tmp_path, CUSTOM)
    prefect_file = tmp_path / "prefect.yaml"
    assert table_mod.main(["--project", str(game), "--prefect-file", str(prefect_file)]) == 0
    env = {**os.environ, "PREFECT_API_URL": prefect, "GAMEOPS_PROJECT": str(game)}
    prefect_bin = str(Path(sys.executable).parent / "prefect")
    pools = {d["work_pool"]["name"] for d in yaml.safe_load(prefect_file.read_text())["deployments"] if d.get("work_pool")}
    for pool in sorted(pools):  # the pools a team creates once (`prefect work-pool create`)
        subprocess.run([prefect_bin, "work-pool", "create", pool, "--type", "process"], env=env, capture_output=True,
                       timeout=120)
    out = subprocess.run([prefect_bin, "--no-prompt", "deploy", "--all", "--prefect-file", str(prefect_file)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)  # not the checkout
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    deps = _deployments(["docs-sync/docs-sync", "backlog-archive/backlog-archive", "metrics/test-metrics"])
    assert _crons(deps["docs-sync/docs-sync"]) == [("15 4 2 * *", "America/New_York")]
    assert _crons(deps["backlog-archive/backlog-archive"]) == [("30 1 * * *", "America/New_York")]
    assert _crons(deps["metrics/test-metrics"]) == [("45 5 * * 0", "America/New_York")]
    assert deps["backlog-archive/backlog-archive"].parameters == {"project": str(game), "commit": True}
    assert deps["backlog-archive/backlog-archive"].entrypoint == "gameops.flows.backlog_archive:backlog_archive"
    assert not deps["backlog-archive/backlog-archive"].pull_steps, "pull: [] deploys no pull step"
    release = _deployments(["release/release"])["release/release"]
    assert release.parameters == {"project": str(game)} and release.work_pool_name == "gameops"
    assert release.version == gameops.__version__, "the deployment says which gameops deployed it"


@pytest.mark.prefect
@pytest.mark.slow
def test_gameops_serve_registers_every_scheduled_deployment(tmp_path, prefect):
    sched = {"timezone": "Europe/Berlin", "docs_sync": "5 6 1 * *", "backlog_archive": "10 2 * * *", "metrics": "20 3 * * 1"}
    game = _project(tmp_path, sched)
    env = {**os.environ, "PREFECT_API_URL": prefect}
    proc = subprocess.Popen([sys.executable, "-m", "gameops.cli", "--project", str(game), "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    want = {"docs-sync/docs-sync": ("5 6 1 * *", "Europe/Berlin"), "backlog-archive/backlog-archive": ("10 2 * * *", "Europe/Berlin"),
            "metrics/test-metrics": ("20 3 * * 1", "Europe/Berlin")}
    try:
        deadline = time.monotonic() + 120
        got = {}
        while time.monotonic() < deadline and proc.poll() is None:
            deps = _deployments(list(want))
            got = {k: _crons(d)[0] for k, d in deps.items() if d.schedules}
            if got == want:
                break
            time.sleep(1)
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
        assert got == want
        served = _deployments(["backlog-archive/backlog-archive"])["backlog-archive/backlog-archive"]
        assert served.parameters["project"] == str(game.resolve())
        assert served.version == gameops.__version__
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
