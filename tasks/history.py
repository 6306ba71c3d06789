"""Test history in Prefect: each run's compact record as an artifact, and the reader of the last N.

The record (``gameops.history``, format 2) is stored under the key ``test-history-<project>`` on
the flow run that produced it (type ``gameops-history``: compressed outcome and duration
columns plus the digest of its name list), so a team server keeps one history for every
machine. The name list is stored once per distinct list under
``test-history-names-<project>-<digest>``, and a markdown summary beside each record keeps the
run readable in the UI. Reading the last N runs is one paged query over the record key and one
over the name lists it points to, never one request per run; format-1 records (the whole
record as a table artifact) are still read.
"""

from __future__ import annotations

import json
from typing import Any

from prefect import task
from prefect.artifacts import Artifact, create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from gameops import history, redaction
from gameops.errors import BadInput
from gameops.tasks.artifacts import artifact_key

PAGE = 200  # artifacts per request: a compact record of 5,000 tests is ~10 kB (a format-1 table ~300 kB)


def history_key(project: str) -> str:
    return artifact_key(f"test-history-{project}")


def names_key(project: str, digest: str) -> str:
    return artifact_key(f"test-history-names-{project}-{digest}")


@task(name="record-test-history", cache_policy=NO_CACHE)
def record(project: str, run: history.Run) -> None:
    """Attach the run's compact record (and a readable summary) to the current flow run.

    The name list is stored only when no run stored it before (its key is its digest).
    """
    from prefect.client.orchestration import get_client

    digest = history.names_digest(run)
    key = names_key(project, digest)
    with get_client(sync_client=True) as client:
        response = client.request("POST", "/artifacts/filter", json={"artifacts": {"key": {"any_": [key]}}, "limit": 1})
        response.raise_for_status()
        known = bool(response.json())
    if not known:
        Artifact(type=history.NAMES_TYPE, key=key, data=history.names_data(run),
                 description=f"{history.COMPACT} name list {digest}: {len(run.tests)} tests").create()
    Artifact(type=history.RECORD_TYPE, key=history_key(project), data=history.compact_data(run),
             description=history.describe_compact(run, digest)).create()
    create_markdown_artifact(markdown=redaction.redact(history.run_markdown(run)),
                             description=f"Tests of this run: {run.counts['failed']} failed of {run.counts['total']}")


def read_runs(project: str, last: int = 30) -> list[history.Run]:
    """The last ``last`` recorded runs of ``project``, oldest first, each with its flow run's UI link."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

    if last < 1:
        raise BadInput(f"--last {last}: must be at least 1")
    ui = (PREFECT_UI_URL.value() or (PREFECT_API_URL.value() or "").rstrip("/").removesuffix("/api")).rstrip("/")
    body: dict[str, Any] = {"artifacts": {"key": {"any_": [history_key(project)]},
                                          "type": {"any_": [history.RECORD_TYPE, "table"]}},
                            "sort": "CREATED_DESC"}
    with get_client(sync_client=True) as client:
        found = _paged(client, body, last)
        digests = sorted({d for art in found if (d := history.compact_names_of(art.get("description")))})
        names: dict[str, tuple[list[str], list[str]]] = {}
        if digests:
            keys = {names_key(project, d): d for d in digests}
            for art in _paged(client, {"artifacts": {"key": {"any_": sorted(keys)}, "type": {"any_": [history.NAMES_TYPE]}},
                                       "sort": "CREATED_DESC"}, 10_000):
                digest = keys.get(art.get("key") or "")
                if digest and digest not in names:
                    names[digest] = history.names_from_data(_data(art), digest)
    runs: list[history.Run] = []
    for art in reversed(found):
        run_id = art.get("flow_run_id")
        if art.get("type") == history.RECORD_TYPE:
            run = history.from_compact(_data(art), art.get("description"), names, run_id=run_id)
        else:  # format 1: the whole record as a table artifact
            run = history.from_table(_data(art), art.get("description"), run_id=run_id, created=art.get("created"))
        if run.run_id and ui:
            run.url = f"{ui}/runs/flow-run/{run.run_id}"
        runs.append(run)
    return runs


def _data(art: dict[str, Any]) -> Any:
    data = art.get("data")
    return json.loads(data) if isinstance(data, str) else data


def _paged(client: Any, body: dict[str, Any], last: int) -> list[dict[str, Any]]:
    """Up to ``last`` artifacts of one filter, a page at a time."""
    found: list[dict[str, Any]] = []
    while len(found) < last:
        limit = min(PAGE, last - len(found))
        response = client.request("POST", "/artifacts/filter", json={**body, "limit": limit, "offset": len(found)})
        response.raise_for_status()
        page = response.json()
        found.extend(page)
        if len(page) < limit:
            break
    return found


@task(name="history-summary", cache_policy=NO_CACHE)
def publish_summary(project: str, last: int = 30) -> None:
    """The markdown summary of the last runs (this one included), attached to the ``ci`` run."""
    from gameops.tasks.artifacts import markdown

    doc = history.analyze(read_runs(project, last))
    markdown(f"test-history-summary-{project}", history.markdown(doc, f"Test history of {project}"),
             description=f"{len(doc['flaky'])} flaky, {len(doc['broken'])} broken, {len(doc['slower'])} slower "
                         f"over {len(doc['runs'])} run(s)")
