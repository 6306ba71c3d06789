"""TRX parser: counts checked by hand against each fixture's XML (see tests/fixtures/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameops.errors import BadInput
from gameops.results import Summary, read, trx

FIX = Path(__file__).resolve().parent / "fixtures" / "trx"

# file: (total, passed, failed, skipped, run errors)
EXPECTED = {
    "dorny__dotnet-trx.trx": (11, 5, 5, 1, 0),
    "dorny__dotnet-xunitv3.trx": (4, 1, 3, 0, 1),
    "enricomi__NUnit-netcoreapp3.1-sample.trx": (6, 2, 3, 1, 0),
    # 2 Passed, 2 Failed + 1 Aborted (run broke: failed), 1 NotRunnable + 19 NotExecuted (skipped)
    "enricomi__yami_YAMILEX_2015-10-24_04_18_59.trx": (25, 2, 3, 20, 1),
    # data-driven parent replaced by its 3 rows, + Slow_test + Failing_test
    "trx2junit__mstest-datadriven.trx": (5, 3, 2, 0, 0),
    "dotnet-test-reporter__fail_test_result.trx": (44, 38, 3, 3, 0),
    "trxfileparser__FrameworkFailure.trx": (0, 0, 0, 0, 1),
    "mstest-plugin__mstest_vs_2012_timeout.trx": (2, 1, 1, 0, 0),
    "mstest-plugin__JENKINS-23531-charset.trx": (1, 0, 1, 0, 0),
    # 12 UnitTestResult elements: 3 data-driven parents, each with 3 rows
    "mstest-plugin__DataDriven.2008.trx": (9, 9, 0, 0, 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts_match_the_xml(name):
    s = Summary([read(FIX / name)])
    assert (s.total, s.passed, s.failed, s.skipped, len(s.run_errors)) == EXPECTED[name]


def test_every_shared_trx_fixture_parses(shared_fixtures):
    for path in sorted((shared_fixtures / "trx").glob("*.trx")):
        assert trx.parse(path).kind == "trx"


def test_framework_failure_is_a_failed_run_with_the_reason():
    s = Summary([read(FIX / "trxfileparser__FrameworkFailure.trx")])
    assert not s.ok
    assert "Microsoft.NETCore.App" in s.run_errors[0]
    assert "6.0.18" in s.run_errors[0]


def test_messages_stack_traces_and_names():
    f = read(FIX / "dorny__dotnet-trx.trx")
    by_name = {t.name: t for t in f.tests}
    failing = by_name["DotnetTests.XUnitTests.CalculatorTests.Failing_Test"]
    assert failing.outcome == "Failed"
    assert failing.message.startswith("Assert.Equal() Failure")
    assert "\r" not in failing.message
    assert "CalculatorTests.cs:line 27" in failing.stack_trace
    assert failing.classname == "DotnetTests.XUnitTests.CalculatorTests"
    # custom display names that do not start with the class name are kept as written
    assert "Should be even number(i: 3)" in by_name
    assert by_name["DotnetTests.XUnitTests.CalculatorTests.Skipped_Test"].status == "skipped"
    # xUnit's "[FAIL]" RunInfo echoes are not run errors
    assert f.run_errors == []


def test_xunit_v3_class_cleanup_failure_without_classname():
    f = read(FIX / "dorny__dotnet-xunitv3.trx")
    cleanup = [t for t in f.tests if "Class Cleanup Failure" in t.name]
    assert len(cleanup) == 2 and all(t.status == "failed" and t.classname is None for t in cleanup)


def test_data_rows_are_named_and_counted_once():
    f = read(FIX / "trx2junit__mstest-datadriven.trx")
    names = [t.name for t in f.tests]
    assert [n for n in names if n.startswith("Two_pass_one_fails")] == [
        "Two_pass_one_fails (0)", "Two_pass_one_fails (1)", "Two_pass_one_fails (2)"]
    assert f.declared["total"] == 6  # the file counts the parent too; we do not
    old = read(FIX / "mstest-plugin__DataDriven.2008.trx")
    assert "OmitTest (row 1)" in [t.name for t in old.tests]


def test_invalid_xml_char_refs_are_repaired_not_fatal():
    f = read(FIX / "mstest-plugin__JENKINS-23531-charset.trx")
    assert f.tests[0].status == "failed"
    assert "\ufffd" in (f.tests[0].stack_trace or "")


def test_timeout_counts_as_failed_and_non_ascii_names_survive():
    t = read(FIX / "mstest-plugin__mstest_vs_2012_timeout.trx").tests
    assert sorted(x.outcome for x in t) == ["Passed", "Timeout"]
    yami = read(FIX / "enricomi__yami_YAMILEX_2015-10-24_04_18_59.trx")
    assert any("Diseño" in x.name for x in yami.tests)


def test_durations():
    assert trx.parse_span("00:00:01.5000000") == 1.5
    assert trx.parse_span("1.02:00:00") == 93600
    assert trx.parse_span("garbage") is None
    s = Summary([read(FIX / "trx2junit__mstest-datadriven.trx")])
    assert s.duration_s == pytest.approx(2.134, abs=0.01)


def test_utf16_trx_is_read(tmp_path):
    text = (FIX / "mstest-plugin__mstest_vs_2012_timeout.trx").read_bytes().decode("utf-8-sig")
    text = text.replace('encoding="UTF-8"', 'encoding="utf-16"').replace('encoding="utf-8"', 'encoding="utf-16"')
    p = tmp_path / "utf16.trx"
    p.write_bytes(text.encode("utf-16"))
    assert len(read(p).tests) == 2


@pytest.mark.parametrize("content, words", [
    (None, "truncated"),
    (b"this is not xml at all", "unreadable XML"),
    (b'<TestRun xmlns="urn:someone-else"><Results/></TestRun>', "unknown TRX schema"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><TestRun>&b;</TestRun>', "unsafe XML"),
    (b"", "truncated"),
])
def test_bad_trx_is_bad_input_naming_the_file(tmp_path, content, words):
    p = tmp_path / "bad.trx"
    p.write_bytes(content if content is not None else (FIX / "dorny__dotnet-trx.trx").read_bytes()[:3000])
    with pytest.raises(BadInput) as err:
        read(p)
    assert "bad.trx" in str(err.value) and words in str(err.value)
