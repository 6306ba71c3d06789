"""``gameops test``: tests by category (fail fast first), TRX parsed, reports written."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import dotnet, history, reports
from gameops import quarantine as quarantine_rules
from gameops.config import Loaded, load
from gameops.errors import JobFailed
from gameops.results.model import Summary
from gameops.tasks import history as history_tasks
from gameops.tasks import reports as report_tasks
from gameops.tasks.dotnet import test_category


def run_categories(loaded: Loaded, names: list[str] | None = None, filter_expr: str | None = None,
                   coverage: bool = False, no_build: bool = False, include_on_request: bool = False,
                   quarantine: bool = False):
    """Run the category tasks in order; a failing fail-fast category stops the rest.

    With ``quarantine``, the tests of ``dotnet.quarantine`` are left out of every category and
    run last in a step of their own, whose results are not in the returned summary.
    Returns (summary, runs, not_run, quarantined): ``quarantined`` is None when nothing is.
    """
    cats = dotnet.categories_to_run(loaded, names, filter_expr)
    if include_on_request and not names and not filter_expr:
        cats = list(loaded.config.dotnet.categories)
    q_tests, q_source = quarantined_tests(loaded) if quarantine else ([], "")
    cats, q_step = quarantine_rules.split(cats, q_tests)
    test_runs, not_run = dotnet.run_in_order(cats, lambda i, cat: test_category(
        loaded, cat, coverage=coverage and (dotnet.collects_coverage(cat) or bool(names) or bool(filter_expr)),
        no_build=no_build or i > 0))
    q_run = test_category(loaded, q_step, no_build=no_build or bool(test_runs)) if q_step is not None else None
    runs: list[dict] = []
    for run in test_runs + ([q_run] if q_run is not None else []):
        d = run.as_dict()
        d["tests"] = [{"name": t.name, "status": t.status} for t in run.summary.tests]
        runs.append(d)
    quarantined = None
    if q_step is not None:
        quarantined = quarantine_rules.Quarantined(q_tests, q_source, q_run.summary if q_run is not None else None)
    if q_run is not None:
        runs[-1]["quarantine"] = True
    return Summary([f for run in test_runs for f in run.files]), runs, not_run, quarantined


def quarantined_tests(loaded: Loaded) -> tuple[list[str], str]:
    """The quarantined tests and where they come from (the config list, or the history's flaky list)."""
    setting = loaded.config.dotnet.quarantine
    if setting != "auto":
        return list(setting), "dotnet.quarantine"
    try:
        runs = history_tasks.read_runs(loaded.config.project.name, 30)
    except Exception as exc:  # no reachable history: run everything as usual, and say so
        get_run_logger().warning(f"dotnet.quarantine auto: the test history is unavailable ({exc}); nothing quarantined")
        return [], "auto (history unavailable)"
    return [f["test"] for f in history.analyze(runs)["flaky"]], "auto: flaky in the last 30 runs"


def publish_test_reports(loaded: Loaded, summary: Summary, doc: dict, markdown_text: str, key: str,
                         quarantined: quarantine_rules.Quarantined | None = None,
                         summary_key: str | None = None, description: str | None = None) -> list[str]:
    folder = dotnet.results_dir(loaded)
    changed = report_tasks.write(folder, summary, markdown_text, doc)
    report_tasks.publish(f"{key}-{loaded.config.project.name}", summary, markdown_text,
                         description=description or f"{key} of {loaded.config.project.name}: {reports.headline(summary)}",
                         summary_key=summary_key)
    q_files = quarantined.summary.files if quarantined is not None and quarantined.summary is not None else []
    recorded = Summary(summary.files + q_files)  # quarantined tests stay in the history
    if recorded.has_tests:  # every run's results join the project's test history (gameops history)
        commit, branch = history.repo_identity(loaded.root)
        history_tasks.record(loaded.config.project.name, history.from_summary(recorded, commit, branch, history.now_iso()))
    return changed


@alerting
@flow(name="test", flow_run_name=run_name("test"),
      description="dotnet test by category (Architecture first), TRX and coverage parsed, reports written.")
def test(project: str = ".", config: str | None = None, categories: list[str] | None = None,
         filter: str | None = None, coverage: bool = False) -> dict:
    """Run the tests by category in config order; a failing fail-fast category stops the rest.

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        categories: Categories to run by name (e.g. Unit, Performance); default every category not on request.
        filter: A dotnet test --filter expression instead of the categories.
        coverage: Collect line coverage (XPlat Code Coverage).
    """
    loaded = load(project, config)
    tag_run("test", loaded)
    dotnet.target(loaded)
    summary, runs, not_run, quarantined = run_categories(loaded, categories, filter, coverage, quarantine=True)
    doc = reports.test_document(summary, [{k: v for k, v in r.items() if k != "tests"} for r in runs], not_run)
    md = reports.markdown(summary, f"Tests of {loaded.config.project.name}")
    if quarantined is not None:
        doc["quarantine"] = quarantined.as_dict()
        md += quarantine_rules.markdown(doc["quarantine"])
    if not_run:
        md += f"\nNot run (a fail-fast category failed): {', '.join(not_run)}\n"
    doc["reports"] = publish_test_reports(loaded, summary, doc, md, "test", quarantined)
    doc["results_dir"] = str(Path(dotnet.results_dir(loaded)))
    if not doc["ok"]:
        failures = reports.test_failures(summary)
        raise JobFailed(f"{len(failures)} test failure(s): " + "; ".join(failures[:3]), report=doc)
    return doc
