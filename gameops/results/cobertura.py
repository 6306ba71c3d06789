"""Cobertura coverage XML (coverlet, OpenCover converter, gcovr), streamed.

Line and branch rates overall, by package and by class. The totals come from the root's
``lines-covered`` / ``lines-valid`` when present, else from counting ``<line>`` elements of the
classes (method lines are the same lines again and are not counted twice). Branch counts come
from ``condition-coverage="50% (1/2)"``. ``branch="True"`` and ``branch="true"`` both work.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

from gameops.results.model import ClassCoverage, Coverage, PackageCoverage, ResultFile, figure
from gameops.results.xmlstream import events, local

_CONDITIONS = re.compile(r"\((\d+)\s*/\s*(\d+)\)")


def _int(text: str | None) -> int | None:
    """A whole number attribute (a line number); anything else is None."""
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


def parse(path: str | Path) -> ResultFile:
    path = Path(path)
    warnings: list[str] = []

    def rate(elem: Element, attr: str) -> float | None:
        return figure(elem.get(attr), f"{attr} of {local(elem.tag)} {elem.get('name') or ''}".rstrip(), warnings, hi=1.0)

    stack: list[Element] = []
    packages: list[PackageCoverage] = []
    package: PackageCoverage | None = None
    root_attrs: dict[str, str] = {}
    # counts of the current class (its own <lines>, not the methods' copies)
    c_valid = c_covered = 0
    t_valid = t_covered = t_bvalid = t_bcovered = 0
    line_hits: dict[tuple[str, int], bool] = {}
    branch_hits: dict[tuple[str, int], tuple[int, int]] = {}
    for event, elem in events(path, "Cobertura", ("coverage",)):
        name = local(elem.tag)
        if event == "start":
            if not stack:
                root_attrs = dict(elem.attrib)
            elif name == "package":
                package = PackageCoverage(elem.get("name") or "", rate(elem, "line-rate") or 0.0, rate(elem, "branch-rate"))
                packages.append(package)
            elif name == "class":
                c_valid = c_covered = 0
            stack.append(elem)
            continue
        stack.pop()
        parent = stack[-1] if stack else None
        if name == "line" and len(stack) >= 2 and local(stack[-2].tag) == "class":
            hits = figure(elem.get("hits"), f"hits of line {elem.get('number')}", warnings, whole=True) or 0
            c_valid += 1
            t_valid += 1
            if hits > 0:
                c_covered += 1
                t_covered += 1
            cls = stack[-2]
            number = _int(elem.get("number"))
            key = (cls.get("filename") or cls.get("name") or "", number if number is not None else -t_valid)
            line_hits[key] = line_hits.get(key, False) or hits > 0
            if (elem.get("branch") or "").lower() == "true":
                m = _CONDITIONS.search(elem.get("condition-coverage") or "")
                if m:
                    t_bcovered += int(m.group(1))
                    t_bvalid += int(m.group(2))
                    got, of = branch_hits.get(key, (0, 0))
                    branch_hits[key] = (max(got, int(m.group(1))), max(of, int(m.group(2))))
        elif name == "class":
            klass = ClassCoverage(elem.get("name") or "", elem.get("filename"), rate(elem, "line-rate") or 0.0,
                                  rate(elem, "branch-rate"), c_valid, c_covered)
            if package is None:
                package = PackageCoverage("", 0.0, None)
                packages.append(package)
            package.classes.append(klass)
        if parent is not None and name in ("line", "method", "class", "package", "lines", "methods", "conditions"):
            if len(parent) and parent[-1] is elem:
                del parent[-1]
            elem.clear()
    def count(attr: str, hi: float | None = None) -> int | None:
        v = figure(root_attrs.get(attr), f"{attr} of coverage", warnings, hi=hi, whole=True)
        return None if v is None else int(v)

    lv, bv = count("lines-valid"), count("branches-valid")
    lc, bc = count("lines-covered", hi=lv), count("branches-covered", hi=bv)
    cov = Coverage(
        lines_covered=lc if lc is not None and lv else t_covered,
        lines_valid=lv if lv else t_valid,
        branches_covered=bc if bc is not None and bv else t_bcovered,
        branches_valid=bv if bv else t_bvalid,
        packages=packages,
        declared_line_rate=figure(root_attrs.get("line-rate"), "line-rate of coverage", warnings, hi=1.0),
        declared_branch_rate=figure(root_attrs.get("branch-rate"), "branch-rate of coverage", warnings, hi=1.0),
        line_hits=line_hits or None,
        branch_hits=branch_hits or None,
    )
    return ResultFile(path=str(path), kind="cobertura", coverage=cov, warnings=warnings)
