"""Test history in Prefect: each run's compact record as an artifact, and the reader of the last N.

The record (``gameops.history``, format 2) is stored under the key ``test-history-<project>`` on
the flow run that produced it (type ``gameops-history``: compressed outcome and duration
columns plus the digest of its name list), so a team server keeps one history for every
machine. The name list is stored once per distinct list under
``test-history-names-<project>-<digest>``, and a markdown summary beside each record keeps the
run readable in the UI. Reading the last N runs (``gameops.history_artifacts``) is one paged
query over the record key and one over the name lists it points to, never one request per
run; format-1 records (the whole record as a table artifact) are still read.
"""

from __future__ import annotations

from prefect import task
from prefect.artifacts import Artifact, create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from gameops import history, history_artifacts, redaction
from gameops.history_artifacts import history_key, names_key

__all__ = ["history_key", "names_key", "publish_summary", "read_runs", "record"]


@task(name="record-test-history", cache_policy=NO_CACHE)
def record(project: str, run: history.Run) -> None:
    """Attach the run's compact record (and a readable summary) to the current flow run.

    The name list is stored only when no run stored it before (its key is its digest).
    """
    from prefect.client.orchestration import get_client

    digest = history.names_digest(run)
    key = names_key(project, digest)
    with get_client(sync_client=True) as client:
        known = history_artifacts.name_list_known(client, project, digest)
    if not known:
        Artifact(type=history.NAMES_TYPE, key=key, data=history.names_data(run),
                 description=f"{history.COMPACT} name list {digest}: {len(run.tests)} tests").create()
    Artifact(type=history.RECORD_TYPE, key=history_key(project), data=history.compact_data(run),
             description=history.describe_compact(run, digest)).create()
    create_markdown_artifact(markdown=redaction.redact(history.run_markdown(run)),
                             description=f"Tests of this run: {run.counts['failed']} failed of {run.counts['total']}")


def read_runs(project: str, last: int = 30) -> list[history.Run]:
    """The last ``last`` recorded runs of ``project``, oldest first, read through Prefect's client
    (its settings, wherever they come from), each with its flow run's UI link."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

    ui = PREFECT_UI_URL.value() or (PREFECT_API_URL.value() or "").rstrip("/").removesuffix("/api")
    with get_client(sync_client=True) as client:
        return history_artifacts.read_runs(client, project, last, ui)


@task(name="history-summary", cache_policy=NO_CACHE)
def publish_summary(project: str, last: int = 30) -> None:
    """The markdown summary of the last runs (this one included), attached to the ``ci`` run."""
    from gameops.tasks.artifacts import markdown

    doc = history.analyze(read_runs(project, last))
    markdown(f"test-history-summary-{project}", history.markdown(doc, f"Test history of {project}"),
             description=f"{len(doc['flaky'])} flaky, {len(doc['broken'])} broken, {len(doc['slower'])} slower "
                         f"over {len(doc['runs'])} run(s)")
