"""JUnit parser: counts checked by hand (grep of <testcase>, <failure>, <skipped>)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameops.results import Summary, read

FIX = Path(__file__).resolve().parent / "fixtures" / "junit"

EXPECTED = {  # total, passed, failed, skipped
    "spekt-testlogger__TestResults.xml": (53, 30, 15, 8),
    "spekt-junit.testlogger__TestResults.xml": (52, 32, 14, 6),
    "trx2junit__mstest-datadriven.xml": (5, 3, 2, 0),
    "enricomi__pytest_junit.fail.xml": (5, 3, 1, 1),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts_match_the_xml(name):
    f = read(FIX / name)
    s = Summary([f])
    assert (s.total, s.passed, s.failed, s.skipped) == EXPECTED[name]
    assert f.declared["tests"] == s.total


def test_shared_only_fixture(shared_fixtures):
    s = Summary([read(shared_fixtures / "junit" / "coverage-files__junit.xml")])
    assert (s.total, s.passed, s.failed, s.skipped) == (10, 10, 0, 0)
    assert s.duration_s == pytest.approx(0.285)


def test_failure_details():
    f = read(FIX / "trx2junit__mstest-datadriven.xml")
    failed = [t for t in f.tests if t.status == "failed"]
    assert {t.name for t in failed} == {"Two_pass_one_fails (1)", "Failing_test"}
    assert all(t.classname == "MsTestSample.DataDriven" for t in f.tests)
    assert failed[0].message


def test_trx_and_its_junit_conversion_agree():
    here = Path(__file__).resolve().parent / "fixtures"
    a = Summary([read(here / "trx" / "trx2junit__mstest-datadriven.trx")])
    b = Summary([read(here / "junit" / "trx2junit__mstest-datadriven.xml")])
    assert (a.total, a.passed, a.failed) == (b.total, b.passed, b.failed)
    assert sorted(t.name for t in a.tests) == sorted(t.name for t in b.tests)
