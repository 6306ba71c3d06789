"""Distributed exports: each platform's Godot export on a worker of that platform's OS.

With ``release.distributed: true`` the release flow (``flows/release.py:export_all``) calls
:func:`export_all`. For every platform that has a work pool in ``release.work_pools`` it runs
the deployment ``export-platform/export-<platform>`` (flows/export.py, deployed on that pool
by ``gameops deploy``) with ``run_deployment`` and waits for it. The worker exports into
``<release.shared_dir>/.exports/<platform>-<inputs digest>/``; the caller finds the export
there by the same content digest (project files, preset, engine), so a worker whose checkout
is not at the release commit cannot slip a different build in. Packaging, checksums, notes,
tag and publish then continue on the caller, as in a local release. Platforms without a pool
export locally.

All exports start at once (one task each) and the release waits for all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops.deployments.work_pools import export_deployment_name
from gameops import export as export_core
from gameops import run_labels
from gameops.config import Loaded
from gameops.errors import BadInput, JobFailed
from gameops.tasks import export as export_tasks

QUEUE_ALLOWANCE_S = 900  # on top of godot.timeout_s: time for a worker to pick the run up


def shared_exports_dir(loaded: Loaded) -> Path:
    shared = loaded.config.release.shared_dir
    if not shared:
        raise BadInput("release.distributed is true but release.shared_dir is not set: "
                       "name a folder every worker and this machine can reach")
    path = Path(shared).expanduser()
    return (path if path.is_absolute() else loaded.root / path) / ".exports"


@task(name="remote-export", task_run_name="remote-export-{platform}", cache_policy=NO_CACHE)
def remote_export(plan, platform: str, pool: str, exports_dir: str, config: str | None, timeout_s: float,
                  needs_project: bool) -> dict:
    """Run the platform's export deployment, wait, and return ``{"platform", "dir", "files", ...}``.

    ``needs_project``: the deployment names no checkout of its own (see :func:`export_all`).
    """
    from prefect.deployments import run_deployment

    name = export_deployment_name(platform)
    shared = Path(exports_dir)
    params: dict[str, Any] = {"platform": platform, "version": plan.version, "out_dir": str(shared.parent)}
    if needs_project:
        # The deployment names no checkout of its own: the worker uses this machine's path.
        params["project"] = str(plan.root)
        if config:
            params["config"] = config
    # Named and tagged like the run will call itself, so the run reads right while it waits for a worker.
    labels = run_labels.RunLabels(job="export-platform", project=plan.project, version=plan.version, detail=platform)
    run = run_deployment(name, parameters=params, timeout=timeout_s, poll_interval=2, as_subflow=True,
                         tags=[*labels.tags, "distributed-export"], flow_run_name=labels.name)
    state = run.state
    if state is None or not state.is_final():
        raise JobFailed(f"export of {platform} did not finish within {timeout_s:.0f} s: is a worker running on "
                        f"work pool {pool!r}? (prefect worker start --pool {pool})")
    if not state.is_completed():
        raise JobFailed(f"export of {platform} on work pool {pool!r} ended {state.name}: {state.message or ''}".strip())
    job = plan.jobs[platform]
    folder = export_core.folder_for(job, plan.tracked, shared)
    if not export_core.ready(job, folder):
        raise JobFailed(f"export of {platform} finished on work pool {pool!r} but {folder} is not in release.shared_dir: "
                        f"does the worker see the same shared folder, and is its checkout at commit {plan.commit[:12]}?")
    files = sorted(str(p) for p in folder.rglob("*") if p.is_file())
    return {"platform": platform, "dir": str(folder), "files": files, "flow_run_id": str(run.id), "work_pool": pool}


def check_deployments(remote: dict[str, str]) -> dict[str, Any]:
    """platform -> its export deployment; JobFailed when one is missing or on another pool than configured."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    found: dict[str, Any] = {}
    with get_client(sync_client=True) as client:
        for platform, pool in remote.items():
            name = export_deployment_name(platform)
            try:
                dep = client.read_deployment_by_name(name)
            except ObjectNotFound:
                raise JobFailed(f"distributed release: no deployment {name!r} on the server; run `gameops deploy`") from None
            if dep.work_pool_name != pool:
                raise JobFailed(f"distributed release: deployment {name!r} runs on work pool {dep.work_pool_name!r} but "
                                f"release.work_pools says {pool!r} for {platform}; run `gameops deploy` again")
            found[platform] = dep
    return found


def export_all(plan, loaded: Loaded) -> dict[str, Any]:
    """platform -> future of ``{"platform", "dir", "files"}``, like the local export path."""
    pools = loaded.config.release.work_pools
    remote = {p: pools[p] for p in plan.jobs if p in pools}
    shared = shared_exports_dir(loaded) if remote else None
    deployments = check_deployments(remote)  # before anything is dispatched: fail fast, leave no orphan runs
    timeout_s = loaded.config.godot.timeout_s + QUEUE_ALLOWANCE_S
    config = str(loaded.file) if loaded.file else None
    futures: dict[str, Any] = {}
    for platform, job in plan.jobs.items():
        if platform in remote:
            # gameops deploy gives every deployment its machine's checkout of the game; one without
            # (deployed by hand) uses this machine's path.
            needs_project = not (deployments[platform].parameters or {}).get("project")
            futures[platform] = remote_export.submit(plan, platform, remote[platform], str(shared), config, timeout_s,
                                                     needs_project)
        else:
            futures[platform] = export_tasks.submit(job, plan.tracked, plan.exports_dir)
    return futures
