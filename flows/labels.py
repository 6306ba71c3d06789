"""Every gameops flow run says what it is: its name and tags (gameops.run_labels) on the run.

``@flow(name="check", flow_run_name=run_name("check"))`` names the run from its parameters
when it starts (CLI, deployment or schedule alike); :func:`tag_run` then puts the project's
tags on it once the flow has loaded the config (and again for a release once its version is
known). Both are best effort: a labelling problem is logged, never raised.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from gameops import run_labels
from gameops.config import Loaded


def _day(parameters: dict) -> date:
    try:
        return date.fromisoformat(parameters["today"]) if parameters.get("today") else date.today()
    except (TypeError, ValueError):
        return date.today()


def run_name(job: str, *, dated: bool = False, version_param: str | None = None, detail_param: str | None = None,
             no_version: str | None = None) -> Callable[[], str]:
    """A ``flow_run_name`` callable: ``<job>-<project>[-<detail>][-<version or date>]``.

    ``dated``: the run's day (its ``today`` parameter, else today) ends the name;
    ``version_param``: the parameter holding the version; ``no_version``: what ends the name
    while it is empty (``bump``: the release computes its version and renames the run then);
    ``detail_param``: a parameter named before it (the platform of an export).
    """

    def name() -> str:
        from prefect import runtime

        params = dict(runtime.flow_run.parameters or {})
        labels = run_labels.for_parameters(
            job, params.get("project"), params.get("config"),
            version=params.get(version_param) if version_param else None,
            day=_day(params) if dated else None,
            detail=str(params[detail_param]) if detail_param and params.get(detail_param) else None)
        if no_version and not labels.version:
            return f"{labels.name}-{no_version}"
        return labels.name

    name.__name__ = f"{job.replace('-', '_')}_run_name"
    return name


def tag_run(job: str, loaded: Loaded, *, version: str | None = None, rename: bool = False) -> list[str] | None:
    """Tag the running flow run with the project's labels; ``rename``: also set its name.

    Returns the tags set, or None outside a flow run or when the API could not be reached.
    """
    from prefect import runtime
    from prefect.client.orchestration import get_client
    from prefect.logging import get_run_logger

    run_id = runtime.flow_run.id
    if not run_id:
        return None
    labels = run_labels.of_loaded(job, loaded, version=version)
    tags = run_labels.merged_tags(list(runtime.flow_run.tags or []), labels)
    try:
        with get_client(sync_client=True) as client:
            if not rename:
                client.update_flow_run(run_id, tags=tags)
            else:
                client.update_flow_run(run_id, tags=tags, name=labels.name)
    except Exception as exc:  # labels help the UI; they never fail a run
        get_run_logger().warning("gameops: run tags not set: %s", exc)
        return None
    return tags
