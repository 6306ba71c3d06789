"""The deployment table as Prefect objects: ``gameops deploy`` applies it, ``gameops serve`` serves it.

Both build one ``RunnerDeployment`` per row with ``flow.to_deployment`` and a module-path
entrypoint (``gameops.flows.release:release``), so whoever runs it, a process worker or the
serving process, imports the flow from its installed gameops package: no pull step, no
checkout of gameops' code.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
from typing import Any, cast

from gameops.deployments.table import Deployment


def load_flow(d: Deployment):
    """The flow object of a table row (ImportError/AttributeError when it is missing)."""
    return getattr(importlib.import_module(d.module), d.function)


def runner_deployment(d: Deployment, project_params: dict[str, str], *, pooled: bool):
    """``flow.to_deployment`` for one row; ``pooled``: with its work pool (deploy), else served."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    kwargs: dict[str, Any] = {}
    if d.schedule:
        kwargs["schedules"] = [Cron(d.schedule.cron, timezone=d.schedule.timezone, active=d.schedule.active)]
    if pooled:
        kwargs["work_pool_name"] = d.work_pool
    dep = load_flow(d).to_deployment(
        name=d.name, version=d.version, parameters={**project_params, **d.parameters}, tags=list(d.tags),
        concurrency_limit=d.concurrency_limit, entrypoint_type=EntrypointType.MODULE_PATH, **kwargs)
    dep.entrypoint = d.entrypoint  # module:function, the form prefect.yaml uses too
    return dep


def apply(rows: list[Deployment], project_params: dict[str, str], *, log=None) -> dict[str, str]:
    """Create or update ``rows`` on the server (their pools must exist); returns name -> deployment id.

    ``prefect.deploy`` prints its progress table on stdout; it goes to ``log`` (a text stream,
    default: discarded) so that ``--json`` keeps stdout to itself.
    """
    from prefect import deploy

    ids: dict[str, str] = {}
    by_pool: dict[str, list[Deployment]] = {}
    for d in rows:
        by_pool.setdefault(d.work_pool, []).append(d)
    sink = log if log is not None else io.StringIO()
    for pool, group in by_pool.items():
        deps = [runner_deployment(d, project_params, pooled=True) for d in group]
        with contextlib.redirect_stdout(sink):
            created = cast(list, deploy(*deps, work_pool_name=pool, build=False, push=False,
                                        print_next_steps_message=False, ignore_warnings=True))
        if len(created) != len(group):
            raise RuntimeError(f"work pool {pool}: {len(group) - len(created)} deployment(s) not created "
                               f"({sink.getvalue()[-500:] if isinstance(sink, io.StringIO) else 'see above'})")
        ids.update({d.name: str(i) for d, i in zip(group, created, strict=True)})
    return ids


def serve(rows: list[Deployment], project_params: dict[str, str], limit: int = 1, announce: bool = True) -> None:
    """Serve ``rows`` until interrupted. Stopping does not pause their schedules."""
    from prefect import serve as prefect_serve

    deps = [runner_deployment(d, project_params, pooled=False) for d in rows]
    with contextlib.redirect_stdout(sys.stderr):
        prefect_serve(*deps, limit=limit, pause_on_shutdown=False, print_starting_message=announce)


def deployed_ids(rows: list[Deployment], project: str) -> list[str]:
    """Ids of the server's deployments of ``rows`` whose ``project`` parameter is ``project``."""
    from prefect.client.orchestration import get_client

    names = {d.name for d in rows}
    with get_client(sync_client=True) as client:
        return sorted(str(d.id) for d in client.read_deployments()
                      if d.name in names and (d.parameters or {}).get("project") == project)
