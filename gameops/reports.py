"""Reports of test results: markdown, JSON and JUnit XML; step summaries for GitHub Actions.

``gameops report`` renders result files produced elsewhere; the test and CI flows write
``test-summary.md``, ``test-results.json`` and ``junit.xml`` into the results folder (atomically,
and not at all when unchanged) and append the markdown to ``$GITHUB_STEP_SUMMARY`` when set.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from gameops import fileops, strict_json
from gameops.results.model import Summary, TestCase

SUMMARY_MD = "test-summary.md"
RESULTS_JSON = "test-results.json"
JUNIT_XML = "junit.xml"
MAX_LISTED = 50


def _cell(text: Any) -> str:
    s = "" if text is None else str(text)
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def headline(summary: Summary) -> str:
    cov = summary.coverage
    text = (f"{summary.total} tests: {summary.passed} passed, {summary.failed} failed, {summary.skipped} skipped"
            f" in {_dur(summary.duration_s) or '0 ms'}")
    if cov is not None and cov.line_rate is not None:
        text += f"; line coverage {cov.line_rate:.1%}"
    if summary.run_errors:
        text += f"; {len(summary.run_errors)} run error(s)"
    return text


def markdown(summary: Summary, title: str = "Test results") -> str:
    ok = summary.ok and (summary.has_tests or summary.coverage is not None)
    lines = [f"## {'✅' if ok else '❌'} {title}", "", f"**{headline(summary)}**", ""]
    rows = [f for f in summary.files if f.kind != "cobertura"]
    if rows:
        lines += ["| Results | Passed | Failed | Skipped | Time |", "|---|---:|---:|---:|---:|"]
        for f in rows:
            label = (f"{f.category}: " if f.category else "") + Path(f.path).name
            s = Summary([f])
            lines.append(f"| {_cell(label)} | {s.passed} | {s.failed} | {s.skipped} | {_dur(s.duration_s)} |")
        lines.append("")
    if summary.run_errors:
        lines += ["### Run errors", ""] + [f"- {_cell(e)}" for e in summary.run_errors] + [""]
    failed = summary.failures()
    if failed:
        lines += ["### Failed tests", "", "| Test | Outcome | Message |", "|---|---|---|"]
        for t in failed[:MAX_LISTED]:
            lines.append(f"| {_cell(t.name)} | {t.outcome} | {_cell((t.message or '')[:500])} |")
        if len(failed) > MAX_LISTED:
            lines.append(f"| … and {len(failed) - MAX_LISTED} more | | |")
        lines.append("")
        traced = [t for t in failed[:MAX_LISTED] if t.stack_trace]
        if traced:
            lines += ["<details><summary>Stack traces</summary>", ""]
            for t in traced[:20]:
                lines += [f"**{_cell(t.name)}**", "", "```", t.stack_trace.replace("```", "'''"), "```", ""]
            lines += ["</details>", ""]
    cov = summary.coverage
    if cov is not None and cov.packages:
        lines += ["### Coverage", "", "| Package | Lines | Branches |", "|---|---:|---:|"]
        for p in cov.packages[:MAX_LISTED]:
            br = f"{p.branch_rate:.1%}" if p.branch_rate is not None else ""
            lines.append(f"| {_cell(p.name or '(unnamed)')} | {p.line_rate:.1%} | {br} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def as_json(summary: Summary) -> dict[str, Any]:
    return summary.as_dict()


def _testcase(parent: ET.Element, t: TestCase) -> None:
    case = ET.SubElement(parent, "testcase", name=t.name, classname=t.classname or "", time=f"{t.duration_s:.6f}")
    if t.status == "failed":
        tag = "failure" if t.outcome.lower() in ("failed", "failure") else "error"
        el = ET.SubElement(case, tag, message=(t.message or t.outcome)[:1000], type=t.outcome)
        el.text = "\n".join(x for x in (t.message, t.stack_trace) if x)
    elif t.status == "skipped":
        ET.SubElement(case, "skipped", message=t.message or t.outcome)
    if t.output and t.status != "passed":
        ET.SubElement(case, "system-out").text = t.output


def junit(summary: Summary) -> str:
    root = ET.Element("testsuites", tests=str(summary.total), failures=str(summary.failed),
                      skipped=str(summary.skipped), time=f"{summary.duration_s:.3f}")
    for f in summary.files:
        if f.kind == "cobertura":
            continue
        s = Summary([f])
        suite = ET.SubElement(root, "testsuite", name=(f.category + ": " if f.category else "") + Path(f.path).name,
                              tests=str(s.total + len(f.run_errors)), failures=str(sum(t.status == "failed" and t.outcome.lower() in ("failed", "failure") for t in f.tests)),
                              errors=str(sum(t.status == "failed" and t.outcome.lower() not in ("failed", "failure") for t in f.tests) + len(f.run_errors)),
                              skipped=str(s.skipped), time=f"{s.duration_s:.3f}")
        for t in f.tests:
            _testcase(suite, t)
        for err in f.run_errors:
            case = ET.SubElement(suite, "testcase", name="(test run)", classname=Path(f.path).name, time="0")
            ET.SubElement(case, "error", message=err[:1000], type="RunError").text = err
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(summary: Summary, fmt: str, title: str = "Test results") -> str:
    if fmt == "md":
        return markdown(summary, title)
    if fmt == "json":
        return strict_json.dumps(as_json(summary), indent=2, ensure_ascii=False) + "\n"
    if fmt == "junit":
        return junit(summary)
    raise ValueError(fmt)


def write_reports(folder: Path, summary: Summary, markdown_text: str | None = None,
                  json_doc: dict[str, Any] | None = None) -> list[Path]:
    """Write the three report files into ``folder``; returns the ones that changed."""
    changed = []
    outputs = {
        SUMMARY_MD: markdown_text if markdown_text is not None else markdown(summary),
        RESULTS_JSON: strict_json.dumps(json_doc if json_doc is not None else as_json(summary), indent=2, ensure_ascii=False) + "\n",
        JUNIT_XML: junit(summary),
    }
    for name, text in outputs.items():
        if fileops.atomic_write_text(folder / name, text):
            changed.append(folder / name)
    return changed


def append_step_summary(markdown_text: str, environ: dict[str, str] | None = None) -> Path | None:
    """Append to ``$GITHUB_STEP_SUMMARY`` (GitHub Actions' job summary) when it is set."""
    env = os.environ if environ is None else environ
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with open(path, "a", encoding="utf-8") as f:
        f.write(markdown_text if markdown_text.endswith("\n") else markdown_text + "\n")
    return path


# ------------------------------------------------------------------ test and CI documents

def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0][:300]


def test_document(summary: Summary, runs: list[dict[str, Any]], not_run: list[str]) -> dict[str, Any]:
    """What ``gameops test --json`` prints: the report keys plus the category runs."""
    doc = summary.as_dict()
    doc["ok"] = summary.ok and summary.has_tests
    doc["categories"] = runs
    doc["not_run"] = not_run
    return doc


def test_failures(summary: Summary, not_run: list[str] | None = None) -> list[str]:
    out = [f"test failed: {t.name}" + (f": {_first_line(t.message)}" if t.message else f" ({t.outcome})")
           for t in summary.failures()]
    out += [f"test run error: {e}" for e in summary.run_errors]
    if not summary.has_tests:
        out.append("no test results were written")
    return out


def ci_document(project: str, checks: list[dict[str, Any]], build: dict[str, Any] | None, summary: Summary | None,
                runs: list[dict[str, Any]], not_run: list[str], gates: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``gameops ci`` report: every stage, and ``failures`` naming everything that failed."""
    failures: list[str] = []
    failures += [f"check {c['name']}: {c['detail']}" for c in checks if not c["ok"]]
    if build is not None and not build["ok"]:
        for e in build["errors"]:
            where = e["file"] or "(build)"
            if e["line"] is not None:
                where += f"({e['line']}" + (f",{e['column']}" if e["column"] is not None else "") + ")"
            failures.append(f"compile error {e['code'] or ''} at {where}: {e['message']}".replace("  ", " "))
        if not build["errors"]:
            failures.append("build failed" + (" (timed out)" if build.get("timed_out") else f" (exit {build['returncode']})")
                            + (": " + " | ".join(build.get("tail", [])[-3:]) if build.get("tail") else ""))
    if summary is not None:
        failures += test_failures(summary)
    for g in gates:
        if not g["ok"]:
            failures.append(f"gate {g['name']}: {g['detail']}")
            failures += [f"gate {g['name']}: {f}" for f in g["findings"][:20]]
    tests_doc = summary.as_dict() if summary is not None else None
    doc: dict[str, Any] = {
        "ok": not failures, "project": project, "failures": failures,
        "checks": checks, "build": build, "categories": runs, "not_run": not_run, "gates": gates,
    }
    for key in ("total", "passed", "failed", "skipped", "duration_s", "coverage", "tests"):
        doc[key] = tests_doc[key] if tests_doc else (None if key == "coverage" else [] if key == "tests" else 0)
    return doc


def ci_markdown(doc: dict[str, Any], summary: Summary | None) -> str:
    lines = [f"# {'✅' if doc['ok'] else '❌'} gameops ci: {doc['project']}", ""]
    if doc["failures"]:
        lines += ["## What failed", ""] + [f"- {_cell(f)}" for f in doc["failures"][:100]] + [""]
    if doc["checks"]:
        lines += ["## Checks", "", "| | Check | Detail |", "|---|---|---|"]
        lines += [f"| {'✅' if c['ok'] else '❌'} | {_cell(c['name'])} | {_cell(c['detail'])} |" for c in doc["checks"]]
        lines.append("")
    b = doc["build"]
    if b is not None:
        lines += ["## Build", "", f"{'✅ succeeded' if b['ok'] else '❌ FAILED'}: {len(b['errors'])} error(s), "
                  f"{len(b['warnings'])} warning(s) in {_dur(b['duration_s'])}", ""]
        diags = b["errors"] + b["warnings"]
        if diags:
            lines += ["| Severity | Code | Where | Message |", "|---|---|---|---|"]
            for d in diags[:MAX_LISTED]:
                where = (d["file"] or "") + (f"({d['line']})" if d["line"] is not None else "")
                lines.append(f"| {d['severity']} | {d['code'] or ''} | {_cell(where)} | {_cell(d['message'])} |")
            lines.append("")
    if doc["categories"] or doc["not_run"]:
        lines += ["## Tests by category", "", "| | Category | Passed | Failed | Skipped | Coverage | Time |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for r in doc["categories"]:
            cov = f"{r['coverage'] * 100:.1f}%" if r.get("coverage") is not None else "-"
            lines.append(f"| {'✅' if r['ok'] else '❌'} | {_cell(r['category'])} | {r['passed']} | {r['failed']} | "
                         f"{r['skipped']} | {cov} | {_dur(r['duration_s'])} |")
        lines += [f"| ⏭️ | {_cell(name)} | | | | | not run |" for name in doc["not_run"]]
        lines.append("")
    if summary is not None:
        lines.append(markdown(summary, "Tests").replace("## ", "## ", 1))
    if doc["not_run"]:
        lines += [f"Not run: {', '.join(doc['not_run'])}", ""]
    if doc["gates"]:
        lines += ["## Quality gates", "", "| | Gate | Detail |", "|---|---|---|"]
        for g in doc["gates"]:
            mark = "⏭️" if g.get("skipped") else ("✅" if g["ok"] else "❌")
            lines.append(f"| {mark} | {_cell(g['name'])} | {_cell(g['detail'])} |")
        lines.append("")
        for g in doc["gates"]:
            if not g["ok"] and g["findings"]:
                lines += [f"**{g['name']}**", ""] + [f"- {_cell(f)}" for f in g["findings"][:MAX_LISTED]] + [""]
    return "\n".join(lines).rstrip() + "\n"
