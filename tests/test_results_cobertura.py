"""Cobertura parser: totals from the root element, packages and classes counted by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameops.results import read
from gameops.results.model import merge_coverage

FIX = Path(__file__).resolve().parent / "fixtures" / "cobertura"

EXPECTED = {  # lines covered, lines valid, branches covered, branches valid, packages, classes
    "DaS.NoDiscardAnalyzer__coverage.cobertura.xml": (72, 79, 37, 48, 3, 4),
    "dotnet-test-reporter__test_coverage_cobertura.xml": (121, 263, 5, 18, 1, 30),
    "version-checker__coverage.cobertura.xml": (384, 772, 28, 60, 6, 16),
    "CodeCoverageSummary__coverage.gcovr.xml": (345, 572, 100, 252, 1, 1),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_totals_packages_classes(name):
    c = read(FIX / name).coverage
    assert (c.lines_covered, c.lines_valid, c.branches_covered, c.branches_valid,
            len(c.packages), sum(len(p.classes) for p in c.packages)) == EXPECTED[name]


def test_rates_and_duplicate_package_names():
    c = read(FIX / "DaS.NoDiscardAnalyzer__coverage.cobertura.xml").coverage
    assert c.line_rate == pytest.approx(72 / 79)
    assert c.branch_rate == pytest.approx(37 / 48)
    v = read(FIX / "version-checker__coverage.cobertura.xml").coverage
    names = [p.name for p in v.packages]
    assert names.count("VersionCheckerTests") == 2  # kept apart, not merged by name
    assert read(FIX / "CodeCoverageSummary__coverage.gcovr.xml").coverage.packages[0].name == ""


def test_class_lines_counted_without_method_copies():
    c = read(FIX / "dotnet-test-reporter__test_coverage_cobertura.xml").coverage
    assert sum(cl.lines_valid for p in c.packages for cl in p.classes) == 263
    assert sum(cl.lines_covered for p in c.packages for cl in p.classes) == 121


def test_shared_only_fixture(shared_fixtures):
    c = read(shared_fixtures / "cobertura" / "coverlet-issue-760-demo__coverage.cobertura.xml").coverage
    assert (c.lines_covered, c.lines_valid, c.branches_covered, c.branches_valid) == (2, 2, 4, 4)
    assert c.packages[0].classes[0].name == "Demo.Implementation/<>c"


def test_counts_without_root_totals(tmp_path):
    p = tmp_path / "c.xml"
    p.write_text('<coverage line-rate="0.5"><packages><package name="P" line-rate="0.5"><classes>'
                 '<class name="A" filename="a.cs" line-rate="0.5"><methods><method name="m"><lines>'
                 '<line number="1" hits="1"/></lines></method></methods><lines>'
                 '<line number="1" hits="1"/><line number="2" hits="0" branch="True" condition-coverage="50% (1/2)"/>'
                 '</lines></class></classes></package></packages></coverage>')
    c = read(p).coverage
    assert (c.lines_covered, c.lines_valid, c.branches_covered, c.branches_valid) == (1, 2, 1, 2)


def test_merge_sums_reports():
    a = read(FIX / "DaS.NoDiscardAnalyzer__coverage.cobertura.xml").coverage
    b = read(FIX / "dotnet-test-reporter__test_coverage_cobertura.xml").coverage
    m = merge_coverage([a, b])
    assert (m.lines_covered, m.lines_valid) == (72 + 121, 79 + 263)


def _one_file_report(tmp_path, name: str, hits: list[int]) -> Path:
    lines = "".join(f'<line number="{n}" hits="{h}"/>' for n, h in enumerate(hits, start=1))
    p = tmp_path / name
    p.write_text('<?xml version="1.0"?><coverage><packages><package name="Lumen.Core"><classes>'
                 f'<class name="Lumen.Core.Grid" filename="src/Lumen.Core/Grid.cs"><lines>{lines}</lines></class>'
                 '</classes></package></packages></coverage>')
    return p


def test_merge_counts_a_line_covered_by_either_run_once(tmp_path):
    # two test projects instrument the same Core file: lines 1-2 covered by one, 2-3 by the other
    a = read(_one_file_report(tmp_path, "a.xml", [1, 1, 0, 0])).coverage
    b = read(_one_file_report(tmp_path, "b.xml", [0, 1, 1, 0])).coverage
    m = merge_coverage([a, b])
    assert (m.lines_covered, m.lines_valid) == (3, 4)  # summing would say 4 of 8: 50 % instead of 75 %
    assert m.line_rate == 0.75
