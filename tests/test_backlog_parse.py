"""Backlog parsers: both layouts, the tricky ids and statuses, byte-exact round trips."""

from __future__ import annotations


import pytest

from gameops.backlog import inline, table
from gameops.backlog.model import Document, status_kind
from gameops.errors import BadInput
from tests.backlog_helpers import FIXTURES

INLINE = FIXTURES / "inline" / "Docs" / "01-Active" / "Backlog.md"
ARCHIVE = FIXTURES / "inline" / "Docs" / "07-Archive" / "Completed_Backlog.md"
TABLE = FIXTURES / "table" / "Docs" / "Backlog" / "Backlog.md"
DONE, REJECTED = ["done", "completed", "resolved"], ["rejected"]


def test_inline_items_ids_statuses_and_sections():
    b = inline.load(INLINE, "Backlog.md")
    by_id = {i.id: i for i in b.items}
    assert list(by_id) == ["BR_016", "TD_088", "VS_003A", "VS_003B-4", "TD_081", "VS_000.3", "ART_002", "VS_010",
                           "TD_077", "TD_003_OLD", "VS_001 Phase 2", "BR_015", "TD_089", "TD_090"]
    assert "TD_999" not in by_id  # inside a code fence: a template, not an item
    assert by_id["ART_002"].type == "ART"
    assert by_id["TD_081"].status == "Approved"  # duplicate Status line: the first one counts
    assert by_id["VS_003A"].field("owner") == "Product Owner → Tech Lead"
    assert by_id["BR_016"].section == "🔥 Critical (Do First)"
    assert by_id["BR_016"].title == "MergePatternExecutor throws on an empty grid 🐛"
    kinds = {i.id: status_kind(i.status, DONE, REJECTED) for i in b.items}
    assert [k for k, v in kinds.items() if v == "done"] == ["TD_088", "VS_003B-4", "VS_000.3", "BR_015", "TD_089", "TD_090"]
    assert [k for k, v in kinds.items() if v == "rejected"] == ["TD_077"]
    assert kinds["VS_003A"] == "active"  # "Approved ✅" is not done
    assert kinds["VS_010"] == "active"   # "Backup (...)"
    assert b.counters == {"BR": 17, "TD": 90, "VS": 11, "ART": 3}
    # an item's block stops at its ### sibling, not at its own #### sub-heading
    td088 = by_id["TD_088"]
    assert any("Implementation Notes" in ln for ln in inline.block_lines(b, td088))


def test_archive_entries_with_markers_and_old_heading_levels():
    a = inline.load(ARCHIVE, "Completed_Backlog.md")
    assert [(i.id, i.marker) for i in a.items] == [
        ("TD_042", None), ("VS_002", "COMPLETED"), ("BR_011", "COMPLETED"), ("TD_068", "COMPLETED"), ("TD_085", "REJECTED")]
    assert a.items[-1].title == "Add Comprehensive Logging and Telemetry to Pattern System"


@pytest.mark.parametrize("path", [INLINE, ARCHIVE, TABLE], ids=["backlog", "archive", "table"])
@pytest.mark.parametrize("variant", ["as-is", "crlf", "bom", "bom+crlf"])
def test_parse_then_write_gives_the_same_bytes(path, variant, tmp_path):
    data = path.read_bytes()
    if "crlf" in variant:
        data = data.replace(b"\n", b"\r\n")
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    doc = Document(tmp_path / "x.md", data)
    parsed = table.parse(doc) if path == TABLE else inline.parse(doc)
    assert parsed.doc.to_bytes() == data
    assert len(parsed.items) > 3
    if path != TABLE:  # removing nothing keeps every byte too
        assert doc.to_bytes(inline.remove_items(parsed, [])) == data


def test_crlf_backlog_keeps_crlf_after_removing_items(tmp_path):
    data = INLINE.read_bytes().replace(b"\n", b"\r\n")
    b = inline.parse(Document(tmp_path / "x.md", data))
    out = b.doc.to_bytes(inline.remove_items(b, [i for i in b.items if i.id == "TD_088"]))
    assert b"TD_088" not in out.split(b"## \xf0\x9f\x93\x88")[0]  # gone from the Critical section
    assert b"\n" not in out.replace(b"\r\n", b"")  # no bare LF introduced


def test_table_rows_bold_priorities_sub_ids_three_letter_types_and_anchors():
    t = table.parse(Document.read(TABLE))
    rows = {r.id: r for r in t.items}
    assert list(rows) == ["HF_002", "BF_004", "TD_019", "VS_000.3", "TD_020", "BF_005", "ART_001", "TD_021", "VS_004",
                          "BF_006", "VS_005", "TD_015", "TD_022"]
    assert rows["HF_002"].fields["priority"] == "P0"          # **P0** unbolded
    assert rows["VS_000.3"].fields["priority"] == "NEXT"
    assert rows["TD_019"].link == "items/TD_019_Double_Verification_Protocol.md#acceptance"
    assert table.link_path(rows["TD_019"].link) == "items/TD_019_Double_Verification_Protocol.md"
    assert rows["TD_022"].link is None
    bdir, adir = TABLE.parent, TABLE.parent / "archive"
    kinds = {i: table.row_kind(r, DONE, REJECTED, bdir, adir) for i, r in rows.items()}
    assert kinds["TD_019"] == "done"      # "🟡 Active" but 100%
    assert kinds["TD_020"] == "done"      # "Archive" in its file name is not the archive folder
    assert kinds["TD_015"] == "archived"
    assert kinds["VS_004"] == "rejected"
    assert kinds["BF_004"] == "active"


def test_status_cell_and_link_rewrites_keep_padding_and_anchors():
    t = table.parse(Document.read(TABLE))
    row = t.items[2]
    line = t.doc.lines[row.start]
    new = table.set_status(line, t.columns, table.ARCHIVED_STATUS)
    assert "| 📦 ARCHIVED |" in new and new.count("|") == line.count("|")
    text = table.rewrite_links(t.doc.text(), "TD_019", "archive/2025-Q3/x.md")
    assert "[TD_019](archive/2025-Q3/x.md#acceptance)" in text
    assert "[TD_019](archive/2025-Q3/x.md) for the protocol" in text


def test_archive_names_follow_the_convention():
    from datetime import date

    name = table.archive_name("HF_004", "HF_004_Memory_Leaks.md", "", "", "**P0**", "done", date(2025, 8, 15))
    assert name == "2025_08_15-HF_004-memory-leaks-[bug][critical][resolved].md"  # no [critical] twice
    name = table.archive_name("TD_019", "TD_019_Workflow_Verification.md", "", "verification steps", "P1", "done", date(2025, 8, 16))
    assert name == "2025_08_16-TD_019-workflow-verification-[test][workflow][completed].md"
    assert table.archive_name("VS_007", "VS_007.md", "x", "", "P2", "done", date(2025, 1, 2)).startswith("2025_01_02-VS_007-x-item-")
    assert table.quarter(date(2025, 9, 30)) == "2025-Q3" and table.quarter(date(2025, 10, 1)) == "2025-Q4"


def test_unreadable_backlog_is_bad_input(tmp_path):
    p = tmp_path / "Backlog.md"
    p.write_bytes(b"# Backlog\n\xff\xfe broken")
    with pytest.raises(BadInput, match="Backlog.md: not UTF-8"):
        inline.load(p, "Backlog.md")
    with pytest.raises(BadInput, match="missing.md: file not found"):
        inline.load(tmp_path / "missing.md", "missing.md")
