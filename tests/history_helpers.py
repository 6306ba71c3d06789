"""Ten recorded runs made from a real TRX file's shape (dorny's xUnit sample): one test flips,
one fails from a commit on, one gets three times slower; every other test passes steadily."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

TRX = Path(__file__).resolve().parent / "fixtures" / "trx" / "dorny__dotnet-trx.trx"
NS = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"
FLAKY = "DotnetTests.XUnitTests.CalculatorTests.Passing_Test"
BROKEN = "DotnetTests.XUnitTests.CalculatorTests.Exception_In_Test"
SLOWER = "DotnetTests.XUnitTests.CalculatorTests.Timeout_Test"
# Run i is of COMMITS[i]: runs 4 and 5 re-ran one commit. BROKEN fails from commit c6 on.
COMMITS = [f"c{i}" + "0" * 38 for i in (0, 1, 2, 3, 4, 4, 6, 7, 8, 9)]
FLAKY_FAILS = {2, 5, 7}
BROKEN_FROM = 6
SLOWER_FROM = 5


def span(seconds: float) -> str:
    return f"00:00:{seconds:010.7f}"


def write_runs(folder: Path) -> list[Path]:
    """TRX files run-0.trx .. run-9.trx; tests tagged with category Unit."""
    ET.register_namespace("", NS)
    paths = []
    for i in range(10):
        tree = ET.parse(TRX)
        root = tree.getroot()
        for unit in root.iter(f"{{{NS}}}UnitTest"):
            cats = ET.SubElement(unit, f"{{{NS}}}TestCategory")
            ET.SubElement(cats, f"{{{NS}}}TestCategoryItem", TestCategory="Unit")
        for k, res in enumerate(root.iter(f"{{{NS}}}UnitTestResult")):
            name = res.get("testName")
            failed = (name == FLAKY and i in FLAKY_FAILS) or (name == BROKEN and i >= BROKEN_FROM)
            res.set("outcome", "Failed" if failed else "Passed")
            seconds = 0.1 + 0.002 * ((i + k) % 3)  # small jitter
            if name == SLOWER:
                seconds = 0.2 * (3 if i >= SLOWER_FROM else 1) + 0.001 * (i % 2)
            res.set("duration", span(seconds))
        path = folder / f"run-{i}.trx"
        tree.write(path, encoding="utf-8", xml_declaration=True)
        paths.append(path)
    return paths
