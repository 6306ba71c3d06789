"""Report tasks: files in the results folder, the GitHub step summary, Prefect UI artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops import reports
from gameops.results.model import Summary
from gameops.tasks import artifacts


@task(name="write-reports", cache_policy=NO_CACHE)
def write(folder: Path, summary: Summary, markdown_text: str, json_doc: dict[str, Any]) -> list[str]:
    changed = reports.write_reports(folder, summary, markdown_text, json_doc)
    reports.append_step_summary(markdown_text)
    return [str(p) for p in changed]


@task(name="publish-artifacts", cache_policy=NO_CACHE)
def publish(key: str, summary: Summary, markdown_text: str, description: str, summary_key: str | None = None) -> None:
    """The summary as a markdown artifact (``summary_key``, default ``<key>-summary``), failed tests as a table."""
    artifacts.markdown(summary_key or f"{key}-summary", markdown_text, description=description)
    failed = summary.failures()
    rows = [{"test": t.name, "outcome": t.outcome, "duration_s": round(t.duration_s, 3),
             "message": (t.message or "")[:300]} for t in failed[:500]]
    rows += [{"test": "(test run)", "outcome": "Error", "duration_s": 0, "message": e[:300]} for e in summary.run_errors]
    if rows:
        artifacts.table(f"{key}-failed-tests", rows, description=f"{len(rows)} failed test(s) / run error(s)")
