"""``gameops metrics``: run every test category, count from TRX, rewrite the docs' statistics block."""

from __future__ import annotations

from datetime import date

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import metrics as core
from gameops.config import load
from gameops.errors import JobFailed
from gameops.flows.test import run_categories
from gameops.tasks import artifacts


@task(name="update-statistics-block", cache_policy=NO_CACHE)
def rewrite_statistics(path, m: core.Metrics, today: date, dry_run: bool) -> dict:
    update = core.plan_update(path, m, today)
    doc = update.as_dict()
    doc["written"] = False if dry_run else core.apply(update)
    return doc


@alerting
@flow(name="metrics", flow_run_name=run_name("metrics", dated=True),
      description="Test counts per category from TRX; rewrites the docs' 📊 Current Statistics block.")
def metrics(project: str = ".", config: str | None = None, update_docs: bool = False, dry_run: bool = False,
            today: str | None = None) -> dict:
    """Run every test category and count the tests per category from the TRX files.

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        update_docs: Rewrite the docs' Current Statistics block (docs.statistics_file).
        dry_run: With update_docs, show the new block; write nothing.
        today: The date for the block's Last Updated line, YYYY-MM-DD; default today.
    """
    loaded = load(project, config)
    tag_run("metrics", loaded)
    stats_path = core.statistics_file(loaded.root, loaded.config.docs.statistics_file) if update_docs else None
    summary, runs, _, _ = run_categories(loaded, include_on_request=True)
    if summary.run_errors or not summary.has_tests:
        raise JobFailed("metrics not collected: " + ("; ".join(summary.run_errors) or "no TRX written"),
                        report={"ok": False, "run_errors": summary.run_errors})
    m = core.from_runs(runs)
    doc = {"ok": m.failed == 0, **m.as_dict(), "docs": None}
    if stats_path is not None:
        day = date.fromisoformat(today) if today else date.today()
        doc["docs"] = rewrite_statistics(stats_path, m, day, dry_run)
    artifacts.table(f"metrics-{loaded.config.project.name}",
                    [{"category": k, "tests": v} for k, v in m.categories.items()] + [{"category": "total", "tests": m.total}],
                    description=f"{m.total} tests, {m.failed} failed")
    if m.failed:
        raise JobFailed(f"metrics collected, but {m.failed} test(s) failed", report=doc)
    return doc
