"""`gameops report`: counts of every fixture, formats, exit codes, bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gameops.cli import main

FIX = Path(__file__).resolve().parent / "fixtures"

COUNTS = {  # total, passed, failed, skipped, coverage (line rate) or None
    "trx/dorny__dotnet-trx.trx": (11, 5, 5, 1, None),
    "trx/dorny__dotnet-xunitv3.trx": (4, 1, 3, 0, None),
    "trx/enricomi__NUnit-netcoreapp3.1-sample.trx": (6, 2, 3, 1, None),
    "trx/enricomi__yami_YAMILEX_2015-10-24_04_18_59.trx": (25, 2, 3, 20, None),
    "trx/trx2junit__mstest-datadriven.trx": (5, 3, 2, 0, None),
    "trx/dotnet-test-reporter__fail_test_result.trx": (44, 38, 3, 3, None),
    "trx/trxfileparser__FrameworkFailure.trx": (0, 0, 0, 0, None),
    "trx/mstest-plugin__mstest_vs_2012_timeout.trx": (2, 1, 1, 0, None),
    "trx/mstest-plugin__JENKINS-23531-charset.trx": (1, 0, 1, 0, None),
    "trx/mstest-plugin__DataDriven.2008.trx": (9, 9, 0, 0, None),
    "junit/spekt-testlogger__TestResults.xml": (53, 30, 15, 8, None),
    "junit/spekt-junit.testlogger__TestResults.xml": (52, 32, 14, 6, None),
    "junit/trx2junit__mstest-datadriven.xml": (5, 3, 2, 0, None),
    "junit/enricomi__pytest_junit.fail.xml": (5, 3, 1, 1, None),
    "cobertura/DaS.NoDiscardAnalyzer__coverage.cobertura.xml": (0, 0, 0, 0, 72 / 79),
    "cobertura/dotnet-test-reporter__test_coverage_cobertura.xml": (0, 0, 0, 0, 121 / 263),
    "cobertura/version-checker__coverage.cobertura.xml": (0, 0, 0, 0, 384 / 772),
    "cobertura/CodeCoverageSummary__coverage.gcovr.xml": (0, 0, 0, 0, 345 / 572),
}


def run_json(capsys, *args):
    code = main(["--json", "report", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.mark.parametrize("rel", sorted(COUNTS))
def test_report_counts_every_fixture(capsys, rel):
    code, doc = run_json(capsys, str(FIX / rel))
    total, passed, failed, skipped, cov = COUNTS[rel]
    assert (doc["total"], doc["passed"], doc["failed"], doc["skipped"]) == (total, passed, failed, skipped)
    assert doc["coverage"] == (pytest.approx(cov, abs=1e-6) if cov is not None else None)
    assert len(doc["tests"]) == total
    assert {"name", "outcome", "duration_s", "message"} <= set(doc["tests"][0]) if total else True
    broke = failed or "FrameworkFailure" in rel or "xunitv3" in rel or "yami" in rel
    assert code == (1 if broke else 0)


def test_shared_fixtures_not_copied_here(capsys, shared_fixtures):
    code, doc = run_json(capsys, str(shared_fixtures / "junit" / "coverage-files__junit.xml"))
    assert (code, doc["total"], doc["passed"]) == (0, 10, 10)
    code, doc = run_json(capsys, str(shared_fixtures / "cobertura" / "coverlet-issue-760-demo__coverage.cobertura.xml"))
    assert (code, doc["coverage"]) == (0, 1.0)


def test_folder_and_several_files_are_merged(capsys):
    code, doc = run_json(capsys, str(FIX / "junit"), str(FIX / "cobertura" / "DaS.NoDiscardAnalyzer__coverage.cobertura.xml"))
    assert doc["total"] == 53 + 52 + 5 + 5
    assert doc["coverage"] == pytest.approx(72 / 79, abs=1e-6)
    assert code == 1


def test_formats(capsys):
    trx = str(FIX / "trx" / "dorny__dotnet-trx.trx")
    assert main(["report", "--format", "md", trx]) == 1
    md = capsys.readouterr().out
    assert "11 tests: 5 passed, 5 failed, 1 skipped" in md
    assert "DotnetTests.XUnitTests.CalculatorTests.Failing_Test" in md
    assert main(["report", "--format", "junit", trx]) == 1
    root = ET.fromstring(capsys.readouterr().out.encode())
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("11", "5", "1")
    assert len(root.findall(".//testcase")) == 11
    assert main(["report", "--format", "json", trx]) == 1
    assert json.loads(capsys.readouterr().out)["failed"] == 5


def test_framework_failure_is_reported_failed(capsys):
    assert main(["report", str(FIX / "trx" / "trxfileparser__FrameworkFailure.trx")]) == 1
    out = capsys.readouterr()
    assert "Run errors" in out.out and "6.0.18" in out.out
    assert "FAILED" in out.err


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes((FIX / "trx" / "dorny__dotnet-trx.trx").read_bytes()[:4000]), "truncated"),
    (lambda p: p.write_bytes(b'<TestRun xmlns="urn:x"/>'), "unknown TRX schema"),
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n not xml"), "unreadable XML"),
    (lambda p: p.write_text("<html><body>hi</body></html>"), "not a TRX, JUnit or Cobertura file"),
    (lambda p: None, "no such file or folder"),
])
def test_bad_input_exits_2_naming_the_file(gameops_cli, tmp_path, make, words):
    p = tmp_path / "results.trx"
    make(p)
    r = gameops_cli("report", str(p), process=True)
    assert r.code == 2
    assert "results.trx" in r.stderr and words in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_missing_results_folder_and_empty_folder(gameops_cli, tmp_path):
    r = gameops_cli("report", str(tmp_path / "TestResults"))
    assert r.code == 2 and "TestResults" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "empty").mkdir()
    r = gameops_cli("report", str(tmp_path / "empty"))
    assert r.code == 2 and "no TRX, JUnit or Cobertura files" in r.stderr
