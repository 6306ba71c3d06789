"""Task of ``gameops roi``: read a project's completed flow runs from the Prefect API."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops.roi import RunRecord, items_from_tags, job_of, same_project

PAGE = 200


@task(name="report-items", cache_policy=NO_CACHE)
def report_items(count: int) -> None:
    """Tag the running flow run ``items:<count>``, so ``gameops roi`` can count per-item jobs."""
    from prefect.client.orchestration import get_client
    from prefect.runtime import flow_run

    from gameops.roi import items_tag

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run.id)
        tags = [t for t in run.tags if items_from_tags([t]) is None]
        client.update_flow_run(flow_run.id, tags=[*tags, items_tag(count)])


@task(name="read-run-history", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_run_history(root: str, days: int) -> list[RunRecord]:
    """Completed top-level runs of gameops jobs for the project at ``root`` in the last ``days``."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter, FlowRunFilterParentTaskRunId, FlowRunFilterStartTime, FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    since = datetime.now(timezone.utc) - timedelta(days=days)
    root_path = Path(os.fspath(root)).resolve()
    flt = FlowRunFilter(
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.COMPLETED])),
        start_time=FlowRunFilterStartTime(after_=since),
        parent_task_run_id=FlowRunFilterParentTaskRunId(is_null_=True),  # subflows belong to their parent's job
    )
    records: list[RunRecord] = []
    names: dict = {}
    with get_client(sync_client=True) as client:
        offset = 0
        while True:
            page = client.read_flow_runs(flow_run_filter=flt, sort=FlowRunSort.START_TIME_DESC, limit=PAGE, offset=offset)
            for run in page:
                if run.flow_id not in names:
                    names[run.flow_id] = client.read_flow(run.flow_id).name
                flow_name = names[run.flow_id]
                if job_of(flow_name) is None or not same_project((run.parameters or {}).get("project"), root_path):
                    continue
                records.append(RunRecord(flow=flow_name, seconds=run.total_run_time.total_seconds(),
                                         items=items_from_tags(run.tags)))
            if len(page) < PAGE:
                break
            offset += PAGE
    return records
