"""Visual Studio TRX (``dotnet test --logger trx``), streamed.

Handles both schemas (``.../TeamTest/2010`` and the VS 2005/2008 ``.../TeamTest/2006``, whose
element order differs), every outcome, MSTest data-driven results (the ``InnerResults`` rows
are the tests; their parent is only an aggregate and is not counted again), xUnit theory rows
that share one ``testId``, error messages, stack traces, stdout, durations, run-level errors
(``RunInfo outcome="Error"``: the test host never started) and the file's own counters, which
are kept for information only: results are counted from the results, not from ``Counters``.

Elements are dropped as soon as they are read, so memory does not grow with the file.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from gameops.errors import BadInput
from gameops.results.model import MAX_MESSAGE, MAX_OUTPUT, MAX_TRACE, ResultFile, TestCase, cut, status_of
from gameops.results.xmlstream import child, events, local, namespace, text_of

NAMESPACES = {
    "http://microsoft.com/schemas/VisualStudio/TeamTest/2010": "2010",
    "http://microsoft.com/schemas/VisualStudio/TeamTest/2006": "2006",
}
_SPAN = re.compile(r"^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$")
_FRACTION = re.compile(r"(\.\d{6})\d+")
# xUnit 2 repeats each failed test as a RunInfo "error" ("[xUnit.net 00:00:00.39]  Name [FAIL]"):
# that is the test's own failure, already counted, not a broken run.
_XUNIT_ECHO = re.compile(r"^\[xUnit\.net [\d:.]+\].*\[(FAIL|SKIP)\]$")


def parse_span(text: str | None) -> float | None:
    """``00:00:01.2345678`` (optionally ``d.hh:mm:ss``) -> seconds."""
    if not text:
        return None
    m = _SPAN.match(text.strip())
    if not m:
        return None
    days, h, mi, s = m.groups()
    return int(days or 0) * 86400 + int(h) * 3600 + int(mi) * 60 + float(s)


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip()).replace("Z", "+00:00"))
    except ValueError:
        return None


def _between(start: str | None, end: str | None) -> float | None:
    a, b = parse_time(start), parse_time(end)
    if a is None or b is None or (a.tzinfo is None) != (b.tzinfo is None):
        return None
    return max(0.0, (b - a).total_seconds())


def _case(elem: Element, row_of: str | None) -> TestCase:
    a = elem.attrib
    name = a.get("testName") or a.get("testId") or "(unnamed)"
    if row_of is not None and a.get("dataRowInfo") is not None and name == row_of:
        name = f"{name} (row {a['dataRowInfo']})"
    outcome = a.get("outcome") or ""
    duration = parse_span(a.get("duration"))
    if duration is None:
        duration = _between(a.get("startTime"), a.get("endTime")) or 0.0
    message = trace = output = None
    if status_of(outcome) != "passed":
        out = child(elem, "Output")
        if out is not None:
            info = child(out, "ErrorInfo")
            if info is not None:
                message = cut(text_of(child(info, "Message")), MAX_MESSAGE)
                trace = cut(text_of(child(info, "StackTrace")), MAX_TRACE)
            output = cut(text_of(child(out, "StdOut")), MAX_OUTPUT)
            if message is None and status_of(outcome) == "skipped":
                message = output  # xUnit writes skip reasons to StdOut
    return TestCase(name=name, outcome=outcome or "(none)", duration_s=duration, message=message,
                    stack_trace=trace, output=output)


def parse(path: str | Path) -> ResultFile:
    path = Path(path)
    result = ResultFile(path=str(path), kind="trx")
    class_of: dict[str, str] = {}
    categories_of: dict[str, list[str]] = {}
    test_ids: list[str | None] = []
    stack: list[Element] = []
    # One entry per open UnitTestResult: how many inner rows it has seen so far.
    rows: list[int] = []
    open_results: list[Element] = []
    times: tuple[str | None, str | None] | None = None

    for event, elem in events(path, "TRX", ("TestRun",)):
        name = local(elem.tag)
        if event == "start":
            if not stack:
                if namespace(elem.tag) not in NAMESPACES:
                    raise BadInput(f"{path}: unknown TRX schema {namespace(elem.tag) or '(no namespace)'!r}")
            if name == "UnitTestResult":
                rows.append(0)
                open_results.append(elem)
            stack.append(elem)
            continue

        stack.pop()
        parent = stack[-1] if stack else None
        if name == "UnitTestResult":
            own_rows = rows.pop()
            open_results.pop()
            inner = parent is not None and local(parent.tag) == "InnerResults"
            if inner and rows:
                rows[-1] += 1
            if own_rows == 0:  # a leaf: a plain result or a data row
                row_of = open_results[-1].get("testName") if inner and open_results else None
                result.tests.append(_case(elem, row_of))
                test_ids.append(elem.get("testId"))
        elif name == "UnitTest":
            tid = elem.get("id")
            method = child(elem, "TestMethod")
            if tid and method is not None and method.get("className"):
                class_of[tid] = method.get("className", "").split(",", 1)[0].strip()
            cats = child(elem, "TestCategory")
            if tid and cats is not None:
                categories_of[tid] = [c.get("TestCategory", "") for c in cats if c.get("TestCategory")]
        elif name == "Times" and parent is not None and local(parent.tag) == "TestRun":
            times = (elem.get("start") or elem.get("creation"), elem.get("finish"))
        elif name == "Counters" and parent is not None and local(parent.tag) == "ResultSummary":
            result.declared = {k: int(v) for k, v in elem.attrib.items() if v.isdigit()}
        elif name == "RunInfo":
            if (elem.get("outcome") or "").lower() == "error":
                text = " ".join((text_of(child(elem, "Text")) or "run error").split())
                if not _XUNIT_ECHO.match(text):
                    result.run_errors.append(cut(text, MAX_MESSAGE) or "run error")
        elif name == "ResultSummary":
            outcome = (elem.get("outcome") or "").lower()
            if outcome in ("aborted", "timeout") and not result.run_errors:
                result.run_errors.append(f"test run {elem.get('outcome')}")
        # Drop what was read: the element's subtree, and its slot in the parent.
        if name in ("UnitTestResult", "UnitTest", "TestEntry", "TestList", "Times", "Counters",
                    "RunInfo", "ResultSummary", "TestSettings", "TestRunConfiguration") or parent is None \
                or local(parent.tag) == "TestRun":
            if parent is not None and (name != "UnitTestResult" or not open_results):
                if len(parent) and parent[-1] is elem:
                    del parent[-1]
            elem.clear()

    for case, tid in zip(result.tests, test_ids):
        if tid and tid in class_of:
            case.classname = class_of[tid]
        if tid and categories_of.get(tid):
            case.category = ", ".join(categories_of[tid])
    if times:
        result.duration_s = _between(*times)
    return result
