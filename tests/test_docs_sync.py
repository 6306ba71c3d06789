"""Docs sync: summaries recomputed from the backlog, Last Updated stamped only where content
changed, a run with nothing to change writes nothing, the link check."""

from __future__ import annotations

from datetime import date

import pytest

from gameops import archive, docs_sync
from gameops.config import load
from tests.backlog_helpers import copy_fixture, tree_bytes

CATALOGUE = "Docs/03-Reference/DOCUMENTATION_CATALOGUE.md"


def _mtimes(root):
    return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_summary_recomputed_and_stamped_then_second_run_writes_nothing(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    backlog_before = (root / "Docs/01-Active/Backlog.md").read_bytes()
    r = docs_sync.run(load(root), date(2025, 8, 30))
    assert r["changed_files"] == [CATALOGUE]
    text = (root / CATALOGUE).read_text()
    assert "**Last Updated**: 2025-08-30\n" in text
    assert "- **In the backlog**: 14 (ART 1, BR 2, TD 6, VS 5)" in text
    assert "- **Archived**: 7 (5 completed, 1 rejected, 1 cancelled or obsolete)" in text
    assert "- **Done, waiting for the archive**: 7" in text
    assert (root / "Docs/01-Active/Backlog.md").read_bytes() == backlog_before  # no stamp where nothing changed
    snap, mtimes = tree_bytes(root), _mtimes(root)
    again = docs_sync.run(load(root), date(2025, 9, 30))
    assert again["changed_files"] == []
    assert tree_bytes(root) == snap and _mtimes(root) == mtimes
    # after an archive run the counts move, and the stamp with them
    archive.run(load(root), date(2025, 10, 1))
    third = docs_sync.run(load(root), date(2025, 10, 2))
    assert third["changed_files"] == [CATALOGUE]
    text = (root / CATALOGUE).read_text()
    assert "**Last Updated**: 2025-10-02" in text and "- **Archived**: 14 (11 completed, 2 rejected, 1 cancelled or obsolete)" in text


def test_table_layout_summary(tmp_path):
    root = copy_fixture("table", tmp_path / "r")
    (root / "Docs/Summary.md").write_text(f"*Last Updated: 2020-01-01*\n\n{docs_sync.START}\n{docs_sync.END}\n")
    r = docs_sync.run(load(root), date(2025, 8, 30))
    assert r["summary"]["active"] == 12 and r["summary"]["archived"] == 1
    text = (root / "Docs/Summary.md").read_text()
    assert text.startswith("*Last Updated: 2025-08-30*\n")


def test_crlf_and_bom_survive_the_sync(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    p = root / CATALOGUE
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes().replace(b"\n", b"\r\n"))
    docs_sync.run(load(root), date(2025, 8, 30))
    data = p.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    assert b"**Last Updated**: 2025-08-30\r\n" in data


def test_links_anchors_stripped_externals_skipped_code_ignored(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    (root / "Docs/links.md").write_text(
        "# Links\n"
        "[ok](01-Active/Backlog.md#td_081-add-merge-system-test-coverage)\n"
        "[ok with query](01-Active/Backlog.md?plain=1)\n"
        "[space](<03-Reference/My Notes.md>) and [encoded](03-Reference/My%20Notes.md)\n"
        "[web](https://example.invalid/x) [mail](mailto:a@example.invalid) [ftp](ftp://x) [anchor](#links)\n"
        "![missing image](img/logo.png)\n"
        "`[not a link](nowhere.md)`\n"
        "```\n[also not](nowhere.md)\n```\n"
        "[ref]: ../README.md\n"
        "[broken](01-Active/Nope.md#section)\n"
    )
    (root / "Docs/03-Reference/My Notes.md").write_text("notes\n")
    r = docs_sync.run(load(root), date(2025, 8, 30))
    broken = {(b["file"], b["line"], b["target"]) for b in r["broken_links"]}
    assert ("Docs/links.md", 6, "img/logo.png") in broken
    assert ("Docs/links.md", 11, "../README.md") in broken
    assert ("Docs/links.md", 12, "01-Active/Nope.md#section") in broken
    assert not any(b[0] == "Docs/links.md" and b[1] in (2, 3, 4, 5, 7, 9) for b in broken)
    assert ("Docs/01-Active/Backlog.md", 92, "../02-Design/Game/Match3.md#rewards") in broken
    assert r["ok"] is True  # broken links fail the run only with --check-links
    assert docs_sync.run(load(root), date(2025, 8, 30), check_links_fail=True)["ok"] is False


def test_links_are_found_as_commonmark_reads_them():
    text = (
        "# Links\n"                                     # 1
        "\n"                                            # 2
        "    [indented code](nowhere.md)\n"             # 3: an indented code block, not a link
        "\n"                                            # 4
        "[a\\]b](b.md) then a link over\n"              # 5: escaped bracket inside the text
        "two [lines](\n"                                # 6
        "c.md)\n"                                       # 7
        "\n"                                            # 8
        "| col | link |\n"                              # 9
        "|-----|------|\n"                              # 10
        "| x | ![pic](img/p.png) |\n"                   # 11
        "\n"                                            # 12
        "- item with [d](<My Notes.md> \"title\")\n"    # 13
        "\n"                                            # 14
        "~~~\n[fenced](no.md)\n~~~\n"                    # 15-17
        "`[span](no.md)` and [used][ref]\n"             # 18
        "\n"                                            # 19
        "[ref]: e.md\n"                                 # 20
    )
    assert docs_sync.links(text) == [(5, "b.md"), (6, "c.md"), (11, "img/p.png"), (13, "My Notes.md"),
                                     (18, "e.md"), (20, "e.md")]


def test_dry_run_writes_nothing_and_shows_the_diff(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    before = tree_bytes(root)
    r = docs_sync.run(load(root), date(2025, 8, 30), dry_run=True)
    assert r["changed_files"] == [CATALOGUE] and "+**Last Updated**: 2025-08-30" in r["diff"]
    assert tree_bytes(root) == before and not (root / ".gameops").exists()


def test_cli_check_links_exit_codes(tmp_path, gameops_cli):
    root = copy_fixture("inline", tmp_path / "r")
    r = gameops_cli("--project", str(root), "--dry-run", "--json", "docs", "sync", "--check-links", "--date", "2025-08-30")
    assert r.code == 1 and len(r.json["broken_links"]) == 2
    (root / "Docs/02-Design/Game").mkdir(parents=True)
    (root / "Docs/02-Design/Game/Match3.md").write_text("# Match-3\n")
    r = gameops_cli("--project", str(root), "--dry-run", "docs", "sync", "--check-links")
    assert r.code == 0 and "0 broken" in r.stderr


@pytest.mark.prefect
def test_docs_sync_flow_commits_on_a_branch(tmp_path, gameops_cli, prefect):
    from tests.conftest import git

    root = copy_fixture("inline", tmp_path / "r")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "chore: import")
    r = gameops_cli("--project", str(root), "--json", "docs", "sync", "--commit", "--date", "2025-08-30")
    assert r.code == 0, r.stderr
    assert r.json["commit"]["branch"] == "chore/docs-sync-2025-08-30"
    assert "2025-08-30" in git(root, "show", f"chore/docs-sync-2025-08-30:{CATALOGUE}")
    assert git(root, "status", "--porcelain") == "" and git(root, "branch", "--show-current") == "main"


@pytest.mark.skipif(__import__("os").name == "nt", reason="SIGKILL")
def test_rerun_after_a_killed_sync_finishes_it(tmp_path):
    """Killed at each write step, a second docs sync recovers the first and then plans from disk."""
    import os
    import subprocess
    import sys

    from conftest import SAMPLE_GAME
    from gameops.fileops import KILL_ENV

    day = "2026-11-27"
    reference = tmp_path / "reference"
    import shutil

    shutil.copytree(SAMPLE_GAME, reference)
    docs_sync.run(load(reference, environ={}), date.fromisoformat(day))
    expected = tree_bytes(reference)
    script = ("import sys; from datetime import date; from gameops.config import load; from gameops import docs_sync; "
              "docs_sync.run(load(sys.argv[1], environ={}), date.fromisoformat(sys.argv[2]))")
    for kill_at in range(1, 8):
        game = tmp_path / f"game-{kill_at}"
        shutil.copytree(SAMPLE_GAME, game)
        subprocess.run([sys.executable, "-c", script, str(game), day], env={**os.environ, KILL_ENV: str(kill_at)})
        again = docs_sync.run(load(game, environ={}), date.fromisoformat(day))
        assert again["ok"], kill_at
        assert tree_bytes(game) == expected, f"killed after step {kill_at}: the rerun did not finish the sync"


def test_archived_counts_are_by_unique_id_over_every_archive_file(tmp_path):
    root = copy_fixture("inline", tmp_path / "r")
    other = root / "Docs/07-Archive/CompletedBacklog.md"
    # TD_042 is archived in both files (counted once); TD_029 is obsolete, BR_012 resolved
    other.write_text(other.read_text() + "\n### TD_042: Replace static event router\n**Status**: Done ✅\n\n"
                     "#### TD_029: Main directory protection ❌ OBSOLETE\n**Reason**: no longer needed\n\n"
                     "#### BR_012: Worktree branch conflict ✅ RESOLVED\n**Completed**: 2025-08-21\n")
    s = docs_sync.summarize(load(root)).as_dict()
    assert (s["archived_completed"], s["archived_rejected"], s["archived_cancelled"]) == (6, 1, 2)
    assert s["archived"] == 9


def test_table_layout_counts_an_id_archived_twice_once(tmp_path):
    root = copy_fixture("table", tmp_path / "r")
    q = root / "Docs/Backlog/archive/2025-Q3"
    src = next(q.glob("2025_08_15-TD_015-*.md"))
    (q / "2025_08_20-TD_015-archive-naming-again-[refactor][completed].md").write_bytes(src.read_bytes())
    assert docs_sync.summarize(load(root)).as_dict()["archived"] == 1
