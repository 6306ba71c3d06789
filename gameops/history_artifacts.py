"""Where the test history lives on a Prefect server, and reading the last N records back.

Each run's compact record (``gameops.history``, format 2) is an artifact under the key
``test-history-<project>``; the name list it points to is stored once per distinct list under
``test-history-names-<project>-<digest>``; format-1 records (the whole record as a table
artifact under the record key) are still read. Reading the last N runs is one paged query
over the record key and one over the name lists they point to, never one request per run.

The reader takes any client with ``request(method, path, json=...)`` that returns the response
and raises on an error answer: Prefect's ``get_client(sync_client=True)`` (the flows, and
commands whose settings only Prefect can read) or :class:`gameops.prefect_api.RestClient`
(``gameops history``, without importing Prefect). Plain Python: no Prefect import.
"""

from __future__ import annotations

import json
from typing import Any

from gameops import history
from gameops.errors import BadInput
from gameops.prefect_api import artifact_key

PAGE = 200  # artifacts per request: a compact record of 5,000 tests is ~10 kB (a format-1 table ~300 kB)


def history_key(project: str) -> str:
    return artifact_key(f"test-history-{project}")


def names_key(project: str, digest: str) -> str:
    return artifact_key(f"test-history-names-{project}-{digest}")


def read_runs(client: Any, project: str, last: int, ui_url: str | None) -> list[history.Run]:
    """The last ``last`` recorded runs of ``project``, oldest first, each linked to its flow run
    in the UI at ``ui_url`` (no link when None)."""
    if last < 1:
        raise BadInput(f"--last {last}: must be at least 1")
    ui = (ui_url or "").rstrip("/")
    body: dict[str, Any] = {"artifacts": {"key": {"any_": [history_key(project)]},
                                          "type": {"any_": [history.RECORD_TYPE, "table"]}},
                            "sort": "CREATED_DESC"}
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


def name_list_known(client: Any, project: str, digest: str) -> bool:
    """Whether a run already stored the name list with this digest."""
    response = client.request("POST", "/artifacts/filter",
                              json={"artifacts": {"key": {"any_": [names_key(project, digest)]}}, "limit": 1})
    response.raise_for_status()
    return bool(response.json())


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
