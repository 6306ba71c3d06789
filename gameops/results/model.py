"""What the result parsers produce: test cases, coverage, one file's results, a merged summary.

Counting rules (DESIGN.md): Passed (and PassedButRunAborted) count as passed; Failed, Error,
Timeout, Aborted and Disconnected mean the test or the run broke and count as failed; every
other outcome (NotExecuted, Inconclusive, NotRunnable, Warning, Skipped, ...) counts as skipped.
A run-level error (a TRX ``RunInfo outcome="Error"``: the test host never started) makes the
run fail even with zero tests.

Memory stays bounded per test: messages, stack traces and output are cut to a few KB, and only
kept for tests that did not pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PASSED_OUTCOMES = frozenset({"passed", "passedbutrunaborted", "success"})
FAILED_OUTCOMES = frozenset({"failed", "error", "timeout", "aborted", "disconnected", "failure"})
MAX_MESSAGE = 4000
MAX_TRACE = 8000
MAX_OUTPUT = 2000


def status_of(outcome: str | None) -> str:
    """passed | failed | skipped for any TRX / JUnit outcome; a missing outcome is a failure."""
    if not outcome:
        return "failed"
    key = outcome.strip().lower()
    if key in PASSED_OUTCOMES:
        return "passed"
    if key in FAILED_OUTCOMES:
        return "failed"
    return "skipped"


MAX_WARNINGS = 20


def _warn(warnings: list[str], message: str) -> None:
    """Keep the first MAX_WARNINGS warnings of a file, then say how many more there were."""
    if len(warnings) < MAX_WARNINGS:
        warnings.append(message)
    elif len(warnings) == MAX_WARNINGS:
        warnings.append("more impossible figures: only the first ones are listed")


def figure(text: str | None, what: str, warnings: list[str], *, hi: float | None = None,
           whole: bool = False) -> float | int | None:
    """A figure a result file states (a duration, a rate, a count): never negative, never above
    ``hi``, never NaN or Infinity, so no report, gate or ``--json`` document carries one.

    Absent or not a number: None. NaN or Infinity: None, with a warning. Negative or above
    ``hi``: clamped, with a warning (``what`` names it). ``whole``: an integer.
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    try:
        value: float | int = int(raw) if whole else float(raw.replace(",", ""))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        _warn(warnings, f"{what} is {raw}, not a finite number; ignored")
        return None
    if value < 0:
        _warn(warnings, f"{what} is negative ({raw}); counted as 0")
        return 0
    if hi is not None and value > hi:
        _warn(warnings, f"{what} is {raw}, more than {hi:g}; counted as {hi:g}")
        return hi
    return value


def cut(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class TestCase:
    name: str
    outcome: str
    duration_s: float = 0.0
    message: str | None = None
    classname: str | None = None
    stack_trace: str | None = None
    output: str | None = None
    category: str | None = None

    @property
    def status(self) -> str:
        return status_of(self.outcome)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "outcome": self.outcome, "duration_s": round(self.duration_s, 6),
                             "message": self.message, "classname": self.classname, "status": self.status}
        if self.stack_trace:
            d["stack_trace"] = self.stack_trace
        if self.category:
            d["category"] = self.category
        return d


@dataclass
class ClassCoverage:
    name: str
    filename: str | None
    line_rate: float
    branch_rate: float | None
    lines_valid: int
    lines_covered: int


@dataclass
class PackageCoverage:
    name: str
    line_rate: float
    branch_rate: float | None
    classes: list[ClassCoverage] = field(default_factory=list)

    @property
    def lines_valid(self) -> int:
        return sum(c.lines_valid for c in self.classes)

    @property
    def lines_covered(self) -> int:
        return sum(c.lines_covered for c in self.classes)


@dataclass
class Coverage:
    lines_covered: int
    lines_valid: int
    branches_covered: int
    branches_valid: int
    packages: list[PackageCoverage] = field(default_factory=list)
    declared_line_rate: float | None = None
    declared_branch_rate: float | None = None
    # Per source line, for merging runs that instrument the same code: (file, line) -> covered,
    # and (file, line) -> (conditions covered, conditions) for branch lines. None when unknown.
    line_hits: dict[tuple[str, int], bool] | None = field(default=None, repr=False)
    branch_hits: dict[tuple[str, int], tuple[int, int]] | None = field(default=None, repr=False)

    @property
    def line_rate(self) -> float | None:
        if self.lines_valid:
            return self.lines_covered / self.lines_valid
        return self.declared_line_rate

    @property
    def branch_rate(self) -> float | None:
        if self.branches_valid:
            return self.branches_covered / self.branches_valid
        return self.declared_branch_rate

    def as_dict(self) -> dict[str, Any]:
        return {
            "line_rate": _r(self.line_rate), "branch_rate": _r(self.branch_rate),
            "lines_covered": self.lines_covered, "lines_valid": self.lines_valid,
            "branches_covered": self.branches_covered, "branches_valid": self.branches_valid,
            "packages": [{"name": p.name, "line_rate": _r(p.line_rate), "branch_rate": _r(p.branch_rate),
                          "classes": [{"name": c.name, "filename": c.filename, "line_rate": _r(c.line_rate),
                                       "branch_rate": _r(c.branch_rate), "lines_valid": c.lines_valid,
                                       "lines_covered": c.lines_covered} for c in p.classes]}
                         for p in self.packages],
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def merge_coverage(items: list[Coverage]) -> Coverage | None:
    """Several Cobertura reports (one per test project or category) as one.

    Reports that instrument the same code (two test projects over one Core assembly) are
    merged line by line: a line counts once, covered when any run covered it; a branch line
    keeps its best condition count. Only when a report has no line detail are totals summed.
    """
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    if all(c.line_hits is not None for c in items):
        lines: dict[tuple[str, int], bool] = {}
        branches: dict[tuple[str, int], tuple[int, int]] = {}
        for c in items:
            for key, covered in c.line_hits.items():
                lines[key] = lines.get(key, False) or covered
            for key, (got, of) in (c.branch_hits or {}).items():
                best = branches.get(key, (0, of))
                branches[key] = (max(best[0], got), max(best[1], of))
        return Coverage(
            sum(lines.values()), len(lines),
            sum(g for g, _ in branches.values()), sum(o for _, o in branches.values()),
            [p for c in items for p in c.packages], line_hits=lines, branch_hits=branches,
        )
    merged = Coverage(
        sum(c.lines_covered for c in items), sum(c.lines_valid for c in items),
        sum(c.branches_covered for c in items), sum(c.branches_valid for c in items),
        [p for c in items for p in c.packages],
    )
    if not merged.lines_valid:
        rates = [c.declared_line_rate for c in items if c.declared_line_rate is not None]
        merged.declared_line_rate = sum(rates) / len(rates) if rates else None
    return merged


@dataclass
class ResultFile:
    path: str
    kind: str  # trx | junit | cobertura
    tests: list[TestCase] = field(default_factory=list)
    run_errors: list[str] = field(default_factory=list)
    duration_s: float | None = None
    coverage: Coverage | None = None
    declared: dict[str, int] = field(default_factory=dict)  # counters the file claims about itself
    category: str | None = None
    warnings: list[str] = field(default_factory=list)  # impossible figures the parser clamped or ignored


@dataclass
class Summary:
    """Results of one or more files, merged: what ``report`` and ``test`` print."""

    files: list[ResultFile] = field(default_factory=list)

    @property
    def tests(self) -> list[TestCase]:
        return [t for f in self.files for t in f.tests]

    def _count(self, status: str) -> int:
        return sum(1 for f in self.files for t in f.tests if t.status == status)

    @property
    def total(self) -> int:
        return sum(len(f.tests) for f in self.files)

    @property
    def passed(self) -> int:
        return self._count("passed")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def run_errors(self) -> list[str]:
        return [f"{Path(f.path).name}: {e}" for f in self.files for e in f.run_errors]

    @property
    def warnings(self) -> list[str]:
        return [f"{Path(f.path).name}: {w}" for f in self.files for w in f.warnings]

    @property
    def duration_s(self) -> float:
        total = 0.0
        for f in self.files:
            if f.kind == "cobertura":
                continue
            total += f.duration_s if f.duration_s is not None else sum(t.duration_s for t in f.tests)
        return total

    @property
    def coverage(self) -> Coverage | None:
        return merge_coverage([f.coverage for f in self.files if f.coverage is not None])

    @property
    def has_tests(self) -> bool:
        return any(f.kind != "cobertura" for f in self.files)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.run_errors

    def failures(self) -> list[TestCase]:
        return [t for t in self.tests if t.status == "failed"]

    def as_dict(self, with_tests: bool = True) -> dict[str, Any]:
        cov = self.coverage
        doc: dict[str, Any] = {
            "total": self.total, "passed": self.passed, "failed": self.failed, "skipped": self.skipped,
            "duration_s": round(self.duration_s, 3),
            "coverage": _r(cov.line_rate) if cov else None,
            "ok": self.ok,
            "run_errors": self.run_errors,
            "warnings": self.warnings,
            "files": [
                {"path": f.path, "kind": f.kind, "category": f.category, "total": len(f.tests),
                 "passed": sum(t.status == "passed" for t in f.tests),
                 "failed": sum(t.status == "failed" for t in f.tests),
                 "skipped": sum(t.status == "skipped" for t in f.tests),
                 "run_errors": f.run_errors,
                 **({"coverage": _r(f.coverage.line_rate)} if f.coverage else {})}
                for f in self.files
            ],
        }
        if cov:
            doc["coverage_detail"] = cov.as_dict()
        if with_tests:
            doc["tests"] = [t.as_dict() for t in self.tests]
        return doc
