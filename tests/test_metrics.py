"""The statistics block: counts from TRX runs, rewritten in place, nothing written when unchanged."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ci_helpers import game_repo, standin_path
from conftest import snapshot
from gameops import metrics

BLOCK_DOC = """# Catalogue\r\n\r\n## 📊 Current Statistics\r\n- **Total Tests**: 75 (as of 2025-08-01)\r\n- **Architecture Tests**: 16\r\n- **Unit Tests**: 50\r\n\r\n**Test Coverage Target**: 80%\r\n"""


def runs():
    return [
        {"category": "Architecture", "tests": [{"name": "a1", "status": "passed"}, {"name": "a2", "status": "passed"}]},
        {"category": "Unit", "tests": [{"name": f"u{i}", "status": "passed"} for i in range(6)] + [{"name": "u6", "status": "skipped"}]},
        {"category": "Performance", "tests": [{"name": "p1", "status": "failed"}, {"name": "a1", "status": "passed"}]},
    ]


def test_from_runs_counts_distinct_tests():
    m = metrics.from_runs(runs())
    assert m.total == 10  # a1 is in two categories, counted once
    assert m.categories == {"Architecture": 2, "Unit": 7, "Performance": 2}
    assert (m.passed, m.failed, m.skipped) == (8, 1, 1)


def test_rewrites_the_block_keeps_the_rest_and_line_endings(tmp_path):
    p = tmp_path / "CATALOGUE.md"
    p.write_bytes(("\ufeff" + BLOCK_DOC).encode())
    u = metrics.plan_update(p, metrics.from_runs(runs()), date(2026, 3, 2))
    assert u.found and u.changed
    assert metrics.apply(u)
    text = p.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff# Catalogue\r\n")
    assert "- **Total Tests**: 10 (as of 2026-03-02)\r\n- **Architecture Tests**: 2\r\n- **Unit Tests**: 7\r\n- **Performance Tests**: 2\r\n\r\n**Test Coverage Target**: 80%\r\n" in text


def test_same_numbers_write_nothing_not_even_the_date(tmp_path):
    p = tmp_path / "c.md"
    p.write_text("## 📊 Current Statistics\n- **Total Tests**: 10 (as of 2025-01-01)\n- **Architecture Tests**: 2\n"
                 "- **Unit Tests**: 7\n- **Performance Tests**: 2\n")
    before = p.stat().st_mtime_ns, p.read_bytes()
    u = metrics.plan_update(p, metrics.from_runs(runs()), date(2026, 3, 2))
    assert u.found and not u.changed and not metrics.apply(u)
    assert (p.stat().st_mtime_ns, p.read_bytes()) == before


def test_absent_block_changes_nothing(tmp_path):
    p = tmp_path / "c.md"
    p.write_text("# No statistics here\n")
    u = metrics.plan_update(p, metrics.from_runs(runs()))
    assert not u.found and not u.changed and not metrics.apply(u)
    assert p.read_text() == "# No statistics here\n"


def test_missing_statistics_file_is_bad_input(tmp_path):
    from gameops.errors import BadInput

    with pytest.raises(BadInput):
        metrics.statistics_file(tmp_path, None)
    with pytest.raises(BadInput):
        metrics.plan_update(tmp_path / "nope.md", metrics.from_runs(runs()))


@pytest.mark.prefect
def test_metrics_update_docs_with_the_standin(prefect, gameops_cli, tmp_path):
    repo = game_repo(tmp_path)
    env = {"PATH": standin_path()}
    doc_path = repo / "Docs" / "DOCUMENTATION_CATALOGUE.md"
    r = gameops_cli("--project", str(repo), "--json", "metrics", "--update-docs", env=env)
    assert r.code == 0, r.stderr
    d = json.loads(r.stdout)
    # counted from the TRX of each category run: 2 Architecture, 7 others (3 theory rows), 1 Performance
    assert d["categories"] == {"Architecture": 2, "Unit": 7, "Performance": 1}
    assert d["total"] == 10 and d["docs"]["changed"] and d["docs"]["written"]
    text = doc_path.read_text(encoding="utf-8")
    assert f"- **Total Tests**: 10 (as of {date.today().isoformat()})" in text
    assert "- **Unit Tests**: 7" in text and "**Test Coverage Target**" in text
    before = snapshot(repo / "Docs")
    r = gameops_cli("--project", str(repo), "--json", "metrics", "--update-docs", env=env)
    assert r.code == 0 and json.loads(r.stdout)["docs"]["changed"] is False
    assert snapshot(repo / "Docs") == before
