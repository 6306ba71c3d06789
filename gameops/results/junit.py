"""JUnit XML (JunitXml.TestLogger, trx2junit, pytest, Surefire...), streamed.

``<testsuites>`` or a bare ``<testsuite>`` root, nested suites allowed. A ``<testcase>`` with
``<failure>`` is Failed, with ``<error>`` is Error (both count as failed), with ``<skipped>``
is Skipped; otherwise Passed. The run's duration is the sum of the top-level suites' ``time``
(or of the cases' when the suites have none).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from gameops.results.model import MAX_MESSAGE, MAX_OUTPUT, MAX_TRACE, ResultFile, TestCase, cut, figure
from gameops.results.xmlstream import child, events, local, text_of

ROOTS = ("testsuites", "testsuite")


def _case(elem: Element, warnings: list[str]) -> TestCase:
    outcome, detail = "Passed", None
    for c in elem:
        tag = local(c.tag)
        if tag in ("failure", "error"):
            outcome, detail = ("Failed" if tag == "failure" else "Error"), c
            break
        if tag == "skipped":
            outcome, detail = "Skipped", c
    message = trace = output = None
    if detail is not None:
        body = (text_of(detail) or "").strip()
        message = cut(detail.get("message") or body.split("\n", 1)[0] or None, MAX_MESSAGE)
        if outcome != "Skipped":
            trace = cut(body, MAX_TRACE) if body and body != message else None
            out = child(elem, "system-out")
            output = cut(text_of(out), MAX_OUTPUT)
    return TestCase(name=elem.get("name") or "(unnamed)", outcome=outcome,
                    duration_s=figure(elem.get("time"), f"time of test {elem.get('name')!r}", warnings) or 0.0, message=message,
                    classname=elem.get("classname") or None, stack_trace=trace, output=output)


def parse(path: str | Path) -> ResultFile:
    path = Path(path)
    result = ResultFile(path=str(path), kind="junit")
    stack: list[Element] = []
    suite_times: list[float] = []
    declared = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for event, elem in events(path, "JUnit", ROOTS):
        name = local(elem.tag)
        if event == "start":
            stack.append(elem)
            continue
        stack.pop()
        parent = stack[-1] if stack else None
        if name == "testcase":
            result.tests.append(_case(elem, result.warnings))
        elif name == "testsuite":
            is_top = parent is None or local(parent.tag) == "testsuites"
            if is_top:
                t = figure(elem.get("time"), f"time of suite {elem.get('name')!r}", result.warnings)
                if t is not None:
                    suite_times.append(t)
                for k in declared:
                    v = elem.get(k)
                    if v and v.isdigit():
                        declared[k] += int(v)
        if name in ("testcase", "testsuite", "properties") and parent is not None:
            if len(parent) and parent[-1] is elem:
                del parent[-1]
            elem.clear()
    result.declared = declared
    result.duration_s = sum(suite_times) if suite_times else sum(t.duration_s for t in result.tests)
    return result
