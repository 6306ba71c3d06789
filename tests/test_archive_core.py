"""The archive core (no Prefect): archive then verify, ids exactly once, never overwrite, dry run."""

from __future__ import annotations

import re
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
    if layout == "inline":  # the second archive file is read too
        td048 = next(i for i in report["items"] if i["id"] == "TD_048")
        assert td048["status"] == "correctly_archived" and td048["where"][0].startswith("Docs/07-Archive/CompletedBacklog.md:")
    # a second run has nothing to do and writes nothing
    snap = tree_bytes(root)
    again = archive.run(load(root), TODAY)
    assert again["archived"] == [] and again["changed_files"] == []
    assert tree_bytes(root) == snap


def _blocks(text: str, ids: list[str]) -> dict[str, list[str]]:
    """The lines of each ``### ID:`` block of a backlog text (until the next heading of level 3 or
    above, or a ``---`` rule); read independently of gameops' parser."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^(#{2,3}) (\S+?):", line)
        if re.match(r"^#{1,3} ", line) or line.strip() == "---":
            current = m.group(2) if m and m.group(2) in ids else None
            if current:
                out[current] = []
        if current:
            out[current].append(line)
    return out


def _entry(archive_text: str, item_id: str) -> str:
    m = re.search(rf"^#### {re.escape(item_id)}: .*?(?=^#{{1,4}} |\Z)", archive_text, re.M | re.S)
    assert m, f"{item_id} not in the archive"
    return m.group(0)


def _assert_every_line_kept(block: list[str], entry: str, marker: str) -> None:
    """Every non-blank line of the backlog block is in the archive entry: verbatim; the heading
    with the marker; sub-headings one level down; the first Status line as the marker."""
    heading, body = block[0], block[1:]
    assert entry.splitlines()[0] == heading.replace("### ", "#### ", 1) + " " + marker
    lines = entry.splitlines()
    status_seen = False
    for line in body:
        if not line.strip():
            continue
        if line.startswith("**Status**:") and not status_seen:
            status_seen = True
            continue
        if line.startswith("#"):
            assert "#####" + line.lstrip("#") in lines, line
        else:
            assert line in lines, f"lost: {line!r}"


def test_inline_archive_keeps_every_line_in_the_right_section(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    apath = root / "Docs/07-Archive/Completed_Backlog.md"
    old_lines = apath.read_text().splitlines()
    moved = ["TD_088", "VS_003B-4", "VS_000.3", "TD_077", "BR_015", "TD_089", "TD_090"]
    blocks = _blocks((root / "Docs/01-Active/Backlog.md").read_text(), moved)
    assert set(blocks) == set(moved)
    result = archive.run(load(root), TODAY)
    assert sorted(a["id"] for a in result["archived"]) == sorted(moved)
    text = apath.read_text()
    for item_id, block in blocks.items():
        marker = "❌ REJECTED" if item_id == "TD_077" else "✅ COMPLETED"
        _assert_every_line_kept(block, _entry(text, item_id), marker)
    # no line of the archive changed or went away: the old lines are a subsequence of the new
    it = iter(text.splitlines())
    assert all(any(old == new for new in it) for old in old_lines)
    # completed entries open the Completed section (newest date block first) ...
    completed = text.index("## ✅ Completed Items")
    today = text.index("### 2025-08-29")
    assert completed < today < text.index("#### TD_088:") < text.index("## 2025-08-19")
    assert text.count("### 2025-08-29") == 2  # one block in each section
    # ... rejected ones go to the Rejected section (added, since the archive had none), not under
    # the archive's last heading
    rejected = text.index("## ❌ Rejected Items")
    assert rejected > text.index("#### TD_085:") and text.index("#### TD_077:") > rejected
    assert "[RESURRECT-IF: The full suite takes more than 2 minutes.]" in _entry(text, "TD_077")
    assert "##### Implementation Notes" in _entry(text, "TD_088")
    backlog = (root / "Docs/01-Active/Backlog.md").read_text()
    for gone in ("### TD_088", "### VS_003B-4", "### TD_077", "### BR_015", "### TD_089", "### TD_090"):
        assert gone not in backlog
    assert "### TD_999: Example only" in backlog  # the template in the code fence is untouched
    # the same day again joins today's block of the Completed section, without a second heading
    (root / "Docs/01-Active/Backlog.md").write_text(backlog.replace("**Status**: Ready for Dev", "**Status**: Done"))
    archive.run(load(root), TODAY)
    final = apath.read_text()
    assert final.count("### 2025-08-29") == 2
    assert final.index("#### TD_088:") < final.index("#### ART_002: Tier-2 block sprites ✅ COMPLETED") < final.index("## 2025-08-19")


def test_a_later_day_opens_a_new_block_above_the_older_ones(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    archive.run(load(root), TODAY)
    p = root / "Docs/01-Active/Backlog.md"
    p.write_text(p.read_text().replace("**Status**: Ready for Dev", "**Status**: Done"))
    archive.run(load(root), date(2025, 9, 2))
    text = (root / "Docs/07-Archive/Completed_Backlog.md").read_text()
    assert text.index("## ✅ Completed Items") < text.index("### 2025-09-02") < text.index("#### ART_002:") \
        < text.index("### 2025-08-29") < text.index("#### TD_088:")


def test_interrupted_move_is_finished_when_the_archive_has_every_line(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    bpath = root / "Docs/01-Active/Backlog.md"
    block = _blocks(bpath.read_text(), ["VS_000.3"])["VS_000.3"]
    # someone copied VS_000.3 into the other archive file by hand and stopped there
    other = root / "Docs/07-Archive/CompletedBacklog.md"
    other.write_text(other.read_text() + "\n" + "\n".join(block) + "\n")
    archived_before = other.read_bytes()
    result = archive.run(load(root), TODAY)
    entry = {a["id"]: a for a in result["archived"]}["VS_000.3"]
    assert entry["to"] == "Docs/07-Archive/CompletedBacklog.md" and "already archived" in entry["finished"]
    assert "### VS_000.3" not in bpath.read_text()
    assert other.read_bytes() == archived_before
    assert "VS_000.3" not in (root / "Docs/07-Archive/Completed_Backlog.md").read_text()
    assert _ids(root)["VS_000.3"] == 1


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
    reason = result["skipped"][0]["reason"]
    assert "already archived at Docs/07-Archive/Completed_Backlog.md:" in reason and "never overwritten" in reason
    assert "add what is missing to the archive entry" in reason and "then run again" in reason
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
    from gameops import fileplan, journal

    root = copy_fixture("inline", tmp_path / "r")
    plan = archive.plan_archive(load(root), TODAY)
    (root / "Docs/01-Active/Backlog.md").write_text("# someone edited this meanwhile\n")
    before = tree_bytes(root)
    with journal.Lock(root), pytest.raises(JobFailed, match="changed on disk"):
        fileplan.apply(root, "backlog-archive", plan.plan)
    assert tree_bytes(root) == before
    assert journal.pending(root) == []
