"""Quarantine: chosen tests run in a step of their own whose failures are reported, not fatal.

``dotnet.quarantine`` lists fully qualified test names (a theory row's arguments are ignored:
the whole method is quarantined), or is ``auto``: the flaky tests of the project's test history.
Every category's filter excludes them (``(<filter>)&FullyQualifiedName!=<name>``) and one more
step, ``Quarantine``, runs exactly them. Its results never fail ``test`` or ``ci``; the report
says on every run what was quarantined and what failed there, so nothing is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gameops.config import TestCategory
from gameops.results.model import Summary
from gameops.testnames import NAME, method_name

STEP = "Quarantine"


def names_for_filter(tests: list[str]) -> list[str]:
    """Distinct method names usable in a ``dotnet test --filter`` (others, such as xUnit custom
    display names with spaces, cannot be selected by name and are left out)."""
    out: list[str] = []
    for t in tests:
        m = method_name(t)
        if NAME.match(m) and m not in out:
            out.append(m)
    return out


def split(categories: list[TestCategory], tests: list[str]) -> tuple[list[TestCategory], TestCategory | None]:
    """The categories without the quarantined tests, and the quarantine step (None when empty)."""
    names = names_for_filter(tests)
    if not names:
        return categories, None
    exclude = "&".join(f"FullyQualifiedName!={n}" for n in names)
    kept = [c.model_copy(update={"filter": f"({c.filter})&{exclude}" if c.filter else exclude}) for c in categories]
    step = TestCategory(name=STEP, filter="|".join(f"FullyQualifiedName={n}" for n in names))
    return kept, step


@dataclass
class Quarantined:
    """What was quarantined in one run, and its results (None when the step did not run)."""

    tests: list[str]
    source: str
    summary: Summary | None = None

    def as_dict(self) -> dict[str, Any]:
        """The ``quarantine`` key of the test/ci report."""
        doc: dict[str, Any] = {"source": self.source, "tests": names_for_filter(self.tests), "ran": self.summary is not None}
        if self.summary is not None:
            doc.update(total=self.summary.total, passed=self.summary.passed, failed=self.summary.failed,
                       failures=[t.name for t in self.summary.failures()])
        return doc


def markdown(doc: dict[str, Any]) -> str:
    """One paragraph for the report, written on every run that has a quarantine."""
    if not doc["tests"]:
        return ""
    line = (f"**Quarantine** ({doc['source']}): {len(doc['tests'])} test(s) ran in their own step; "
            "their failures are reported here and do not fail the run.")
    if doc.get("ran"):
        line += f" {doc['passed']} passed, {doc['failed']} failed"
        if doc["failures"]:
            line += ": " + ", ".join(f"`{n}`" for n in doc["failures"][:20])
        line += "."
    else:
        line += " Not run this time."
    return "\n" + line + "\n" + "".join(f"- `{n}`\n" for n in doc["tests"][:50])
