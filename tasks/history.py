"""Test history in Prefect: each run's record as a table artifact, and the reader of the last N.

The record (``gameops.history.Run``) is stored under the key ``test-history-<project>`` on the
flow run that produced it, so a team server keeps one history for every machine and the UI
shows each run's tests as a table. Reading the last N runs is one paged query over that key
(``POST /artifacts/filter``, newest first), never one request per run.
"""

from __future__ import annotations

import json
from typing import Any

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from gameops import history
from gameops.errors import BadInput
from gameops.tasks.artifacts import artifact_key

PAGE = 50  # artifacts per request: a page of 50 runs x 5,000 tests is ~20 MB of JSON


def history_key(project: str) -> str:
    return artifact_key(f"test-history-{project}")


@task(name="record-test-history", cache_policy=NO_CACHE)
def record(project: str, run: history.Run) -> None:
    """Attach the run's record to the current flow run."""
    create_table_artifact(key=history_key(project), table=run.as_table(), description=run.describe())


def read_runs(project: str, last: int = 30) -> list[history.Run]:
    """The last ``last`` recorded runs of ``project``, oldest first, each with its flow run's UI link."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

    if last < 1:
        raise BadInput(f"--last {last}: must be at least 1")
    ui = (PREFECT_UI_URL.value() or (PREFECT_API_URL.value() or "").rstrip("/").removesuffix("/api")).rstrip("/")
    body: dict[str, Any] = {"artifacts": {"key": {"any_": [history_key(project)]}, "type": {"any_": ["table"]}},
                            "sort": "CREATED_DESC"}
    found: list[dict[str, Any]] = []
    with get_client(sync_client=True) as client:
        while len(found) < last:
            limit = min(PAGE, last - len(found))
            response = client.request("POST", "/artifacts/filter", json={**body, "limit": limit, "offset": len(found)})
            response.raise_for_status()
            page = response.json()
            found.extend(page)
            if len(page) < limit:
                break
    runs: list[history.Run] = []
    for art in reversed(found):
        data = art.get("data")
        table = json.loads(data) if isinstance(data, str) else data
        run = history.from_table(table, art.get("description"), run_id=art.get("flow_run_id"), created=art.get("created"))
        if run.run_id and ui:
            run.url = f"{ui}/runs/flow-run/{run.run_id}"
        runs.append(run)
    return runs


@task(name="history-summary", cache_policy=NO_CACHE)
def publish_summary(project: str, last: int = 30) -> None:
    """The markdown summary of the last runs (this one included), attached to the ``ci`` run."""
    from gameops.tasks.artifacts import markdown

    doc = history.analyze(read_runs(project, last))
    markdown(f"test-history-summary-{project}", history.markdown(doc, f"Test history of {project}"),
             description=f"{len(doc['flaky'])} flaky, {len(doc['broken'])} broken, {len(doc['slower'])} slower "
                         f"over {len(doc['runs'])} run(s)")
