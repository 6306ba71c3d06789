"""``gameops report --record``: result files produced elsewhere added to the test history."""

from __future__ import annotations

from prefect import flow

from gameops import history, reports, results
from gameops.config import load
from gameops.errors import BadInput
from gameops.tasks import history as history_tasks


@flow(name="record", description="Add TRX / JUnit result files produced elsewhere to the project's test history.")
def record(project: str = ".", config: str | None = None, files: list[str] | None = None,
           commit: str | None = None, branch: str | None = None) -> dict:
    loaded = load(project, config)
    summary = results.read_many(files or [])
    if not summary.has_tests:
        raise BadInput("nothing to record: no TRX or JUnit file among " + ", ".join(files or []))
    found_commit, found_branch = history.repo_identity(loaded.root)
    run = history.from_summary(summary, commit or found_commit, branch or found_branch, history.now_iso())
    history_tasks.record(loaded.config.project.name, run)
    doc = reports.as_json(summary)
    doc["recorded"] = {"project": loaded.config.project.name, "commit": run.commit, "branch": run.branch,
                       "tests": len(run.tests)}
    return doc
