"""``gameops ci``: check, build, tests by category, quality gates, reports; one flow."""

from __future__ import annotations

from prefect import flow

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import dotnet, reports, run_labels
from gameops import quarantine as quarantine_rules
from gameops.config import load
from gameops.errors import JobFailed
from gameops.flows.build import run_build
from gameops.flows.test import publish_test_reports, run_categories
from gameops.tasks import gates as gate_tasks
from gameops.tasks import history as history_tasks
from gameops.tasks.checks import check_files, check_git, check_godot_project, check_tools


@alerting
@flow(name="ci", flow_run_name=run_name("ci"),
      description="Check, build, tests by category, quality gates (coverage, architecture, security), reports.")
def ci(project: str = ".", config: str | None = None) -> dict:
    """Everything a pull request needs: checks, build, tests by category with coverage, quality gates,
    reports; the summary is the project's CI status board (artifact <project>-ci).

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
    """
    loaded = load(project, config)
    tag_run("ci", loaded)
    name = loaded.config.project.name
    # Static stages need no build: start them now, they run while dotnet builds.
    check_futures = [t.submit(loaded) for t in (check_tools, check_files, check_godot_project, check_git)]
    static_gates = [gate_tasks.architecture.submit(loaded), gate_tasks.secrets.submit(loaded)]
    checks = [c.as_dict() for f in check_futures for c in f.result()]

    build_doc = None
    summary = None
    runs: list[dict] = []
    not_run: list[str] = []
    quarantined = None
    uses_dotnet = loaded.uses_csharp  # gameops.project_kind decides
    if uses_dotnet:
        build_doc = run_build(loaded)
        if build_doc["ok"]:
            summary, runs, not_run, quarantined = run_categories(loaded, coverage=True, no_build=True, quarantine=True)
        else:
            not_run = [c.name for c in dotnet.categories_to_run(loaded)]
    gate_results = []
    if summary is not None:
        gate_results.append(gate_tasks.coverage(summary.coverage, loaded.config.gates.coverage_min, True))
    elif uses_dotnet:  # the build failed
        gate_results.append(gate_tasks.coverage(None, loaded.config.gates.coverage_min, False,
                                                "not measured: the build failed"))
    gate_results += [f.result() for f in static_gates]
    gate_results.append(gate_tasks.vulnerable(loaded))
    gate_docs = [g.as_dict() for g in gate_results]

    doc = reports.ci_document(name, checks, build_doc, summary,
                              [{k: v for k, v in r.items() if k != "tests"} for r in runs], not_run, gate_docs)
    md = reports.ci_markdown(doc, summary)
    if quarantined is not None:
        doc["quarantine"] = quarantined.as_dict()
        md += quarantine_rules.markdown(doc["quarantine"])
    from gameops.results.model import Summary

    # The summary is the project's CI status board: one key, a new version per run.
    outcome = "passed" if doc["ok"] else f"FAILED ({len(doc['failures'])} problem(s))"
    tests = f"; {reports.headline(summary)}" if summary is not None else ""
    doc["reports"] = publish_test_reports(loaded, summary or Summary([]), doc, md, "ci", quarantined,
                                          summary_key=run_labels.board_key(name, "ci"),
                                          description=f"ci of {name}: {outcome}{tests}")
    history_tasks.publish_summary(name)
    if not doc["ok"]:
        raise JobFailed(f"ci failed: {len(doc['failures'])} problem(s): " + "; ".join(doc["failures"][:3]), report=doc)
    return doc
