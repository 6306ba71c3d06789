"""The archive core (no Prefect): archive then verify, ids exactly once, never overwrite, dry run."""

from __future__ import annotations

from datetime import date

import pytest

from gameops import archive, backlog_verify
from gameops.config import load
from gameops.errors import JobFailed
from tests.backlog_helpers import copy_fixture, tree_bytes

TODAY = date(2025, 8, 29)


def _ids(root):
    return backlog_verify.ids_everywhere(load(root))


@pytest.mark.parametrize("layout", ["inline", "table"])
def test_archive_then_verify_passes_and_every_id_appears_once(layout, tmp_path):
    root = copy_fixture(layout, tmp_path / layout)
    before = _ids(root)
    assert set(before.values()) == {1}
    result = archive.run(load(root), TODAY)
    assert result["ok"] and result["archived"] and not result["skipped"]
    after = _ids(root)
    assert after == before  # nothing lost, nothing duplicated
    report = backlog_verify.verify(load(root))
    assert report["ok"], backlog_verify.text_report(report)
    archived = {a["id"] for a in result["archived"]}
    statuses = {i["id"]: i["status"] for i in report["items"]}
    assert all(statuses[i] == "correctly_archived" for i in archived)
    # a second run has nothing to do and writes nothing
    snap = tree_bytes(root)
    again = archive.run(load(root), TODAY)
    assert again["archived"] == [] and again["changed_files"] == []
    assert tree_bytes(root) == snap


def test_inline_archive_is_append_only_under_todays_heading(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    old = (root / "Docs/07-Archive/Completed_Backlog.md").read_bytes()
    archive.run(load(root), TODAY)
    new = (root / "Docs/07-Archive/Completed_Backlog.md").read_bytes()
    assert new.startswith(old)
    added = new[len(old):].decode()
    assert added.startswith("\n### 2025-08-29\n")
    assert "#### TD_077: Incremental test runner ❌ REJECTED" in added
    assert "[RESURRECT-IF: The full suite takes more than 2 minutes.]" in added
    assert "#### VS_003B-4: Tier-up merges (sub-slice 4) ✅ COMPLETED" in added
    assert "##### Implementation Notes" in added  # sub-heading kept inside the entry
    backlog = (root / "Docs/01-Active/Backlog.md").read_text()
    for gone in ("### TD_088", "### VS_003B-4", "### TD_077", "### BR_015", "### TD_089", "### TD_090"):
        assert gone not in backlog
    assert "### TD_999: Example only" in backlog  # the template in the code fence is untouched
    # the same day again appends under the same heading, without a second heading
    (root / "Docs/01-Active/Backlog.md").write_text(backlog.replace("**Status**: Ready for Dev", "**Status**: Done"))
    archive.run(load(root), TODAY)
    final = (root / "Docs/07-Archive/Completed_Backlog.md").read_text()
    assert final.count("### 2025-08-29") == 1 and "#### ART_002: Tier-2 block sprites ✅ COMPLETED" in final


def test_table_archive_moves_files_rewrites_links_and_marks_rows(tmp_path):
    root = copy_fixture("table", tmp_path / "r")
    result = archive.run(load(root), TODAY)
    moved = {a["id"]: a for a in result["archived"]}
    assert set(moved) == {"HF_002", "TD_019", "VS_000.3", "TD_020", "BF_005", "ART_001", "VS_004", "BF_006"}
    hf = moved["HF_002"]["to"]
    assert hf == "Docs/Backlog/archive/2025-Q3/2025_08_15-HF_002-concurrentqueue-thread-safety-[bug][critical][dataloss][resolved].md"
    assert (root / hf).read_text().startswith("# HF_002: ConcurrentQueue Thread Safety")
    assert not (root / "Docs/Backlog/items/HF_002_ConcurrentQueue_Thread_Safety.md").exists()
    text = (root / "Docs/Backlog/Backlog.md").read_text()
    assert "[TD_019](archive/2025-Q3/2025_08_16-TD_019-double-verification-protocol-[test][completed].md#acceptance)" in text
    assert "[BF_005](archive/2025-Q3/2025_08_16-BF_005-false-archive-report-[bug][critical][fileops][resolved].md#root-cause)" in text
    assert text.count("📦 ARCHIVED") == 9  # 8 new + TD_015 from before
    assert "| **P1** | [BF_004](items/BF_004_Backlog_Maintainer_File_Overwrite.md) |" in text


def test_never_overwrites_an_existing_archive_file(tmp_path):
    root = copy_fixture("table", tmp_path / "r")
    dst = root / "Docs/Backlog/archive/2025-Q3/2025_08_16-BF_006-duplicate-files-after-move-[bug][security][fileops][resolved].md"
    dst.write_text("someone else's file\n")
    before = tree_bytes(root)
    result = archive.run(load(root), TODAY)
    assert not result["ok"]
    assert [s["id"] for s in result["skipped"]] == ["BF_006"]
    assert "already archived" in result["skipped"][0]["reason"]
    after = tree_bytes(root)
    assert after[dst.relative_to(root).as_posix()] == b"someone else's file\n"
    assert "Docs/Backlog/items/BF_006_Duplicate_Files_After_Move.md" in after
    assert len(result["archived"]) == 7 and after != before


def test_inline_item_already_in_archive_stays_and_is_reported(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    p = root / "Docs/01-Active/Backlog.md"
    p.write_text(p.read_text().replace("### TD_089:", "### TD_068:"))
    result = archive.run(load(root), TODAY)
    assert [s["id"] for s in result["skipped"]] == ["TD_068"]
    assert "never overwritten" in result["skipped"][0]["reason"]
    assert "### TD_068:" in p.read_text()
    assert (root / "Docs/07-Archive/Completed_Backlog.md").read_text().count("#### TD_068:") == 1


@pytest.mark.parametrize("layout", ["inline", "table"])
def test_dry_run_shows_a_diff_and_changes_nothing(layout, tmp_path):
    root = copy_fixture(layout, tmp_path / "r")
    before = tree_bytes(root)
    result = archive.run(load(root), TODAY, dry_run=True)
    assert result["dry_run"] and result["archived"]
    assert tree_bytes(root) == before and not (root / ".gameops").exists()
    if layout == "inline":
        assert "+#### TD_088: Fix TurnManager double-spawn race ✅ COMPLETED" in result["diff"]
        assert "-### TD_088: Fix TurnManager double-spawn race" in result["diff"]
    else:
        assert "rename from Docs/Backlog/items/HF_002_ConcurrentQueue_Thread_Safety.md" in result["diff"]
        assert "+| **P0** | [HF_002](archive/2025-Q3/" in result["diff"]


def test_file_changed_between_plan_and_apply_is_refused(tmp_path):
    from gameops import fileops, journal

    root = copy_fixture("inline", tmp_path / "r")
    plan = archive.plan_archive(load(root), TODAY)
    (root / "Docs/01-Active/Backlog.md").write_text("# someone edited this meanwhile\n")
    before = tree_bytes(root)
    with journal.Lock(root), pytest.raises(JobFailed, match="changed on disk"):
        fileops.apply(root, "backlog-archive", plan.plan)
    assert tree_bytes(root) == before
    assert journal.pending(root) == []
