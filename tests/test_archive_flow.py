"""The archive through the command line and its Prefect flow: commit on a branch, rollback of a
failed run through the transaction, the markdown artifact, dry run, verify's exit codes."""

from __future__ import annotations

import pytest

from tests.backlog_helpers import copy_fixture, tree_bytes
from tests.conftest import git

DATE = "2025-08-29"


def _repo(tmp_path, layout="inline"):
    root = copy_fixture(layout, tmp_path / "game")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "chore: import backlog")
    return root


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path, gameops_cli):
    root = _repo(tmp_path)
    before = tree_bytes(root)
    r = gameops_cli("--project", str(root), "--dry-run", "backlog", "archive", "--date", DATE, process=True)
    assert r.code == 0, r.stderr
    assert "+#### TD_077: Incremental test runner ❌ REJECTED" in r.stderr
    assert "would archive TD_088 (done)" in r.stderr
    assert tree_bytes(root) == before and not (root / ".gameops").exists()
    assert git(root, "status", "--porcelain") == ""


def test_verify_json_and_exit_codes(tmp_path, gameops_cli):
    root = _repo(tmp_path, "table")
    r = gameops_cli("--project", str(root), "--json", "backlog", "verify", process=True)
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["ok"] is True
    assert {"id", "status", "ok", "errors"} <= set(doc["items"][0])
    # a file copied by hand into the archive while the original stays: a duplicate
    src = root / "Docs/Backlog/items/BF_004_Backlog_Maintainer_File_Overwrite.md"
    (root / "Docs/Backlog/archive/2025-Q3/2025_08_16-BF_004-backlog-maintainer-[bug][resolved].md").write_bytes(src.read_bytes())
    r = gameops_cli("--project", str(root), "--json", "backlog", "verify")
    assert r.code == 1
    bad = [i for i in r.json["items"] if not i["ok"]]
    assert [(i["id"], i["status"]) for i in bad] == [("BF_004", "duplicate_files")]
    assert "exists in both" in bad[0]["errors"][0]
    r = gameops_cli("--project", str(root), "backlog", "verify")
    assert r.code == 1 and "BF_004" in r.stderr and "duplicate_files" in r.stderr


def test_bad_date_is_bad_input(tmp_path, gameops_cli):
    root = _repo(tmp_path)
    before = tree_bytes(root)
    r = gameops_cli("--project", str(root), "backlog", "archive", "--date", "2025-13-01")
    assert r.code == 2 and r.stderr.strip() == "gameops: --date 2025-13-01: expected YYYY-MM-DD"
    assert tree_bytes(root) == before


@pytest.mark.prefect
def test_archive_commits_on_a_branch_and_leaves_an_artifact(tmp_path, gameops_cli, prefect):
    root = _repo(tmp_path)
    before = tree_bytes(root)
    r = gameops_cli("--project", str(root), "--json", "backlog", "archive", "--commit", "--date", DATE)
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["commit"]["branch"] == f"chore/backlog-archive-{DATE}"
    assert git(root, "branch", "--show-current") == "main"  # back where the user was
    assert tree_bytes(root) == before                      # main's files untouched
    branch = doc["commit"]["branch"]
    on_branch = git(root, "show", f"{branch}:Docs/01-Active/Backlog.md")
    assert "### TD_088:" not in on_branch and "### BR_016:" in on_branch
    assert "#### TD_088: Fix TurnManager double-spawn race ✅ COMPLETED" in git(root, "show", f"{branch}:Docs/07-Archive/Completed_Backlog.md")
    assert git(root, "log", "-1", "--format=%s", branch) == "chore: archive 7 backlog items (TD_088, VS_003B-4, VS_000.3 and 4 more)"
    assert git(root, "rev-list", "--count", "main") == "1"

    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        art = client.read_latest_artifacts()
    ours = [a for a in art if a.key == "blocklike-backlog"]
    assert ours and "TD_077" in ours[0].data and f"chore/backlog-archive-{DATE}" in ours[0].data


@pytest.mark.prefect
def test_failed_run_is_rolled_back_through_the_transaction(tmp_path, gameops_cli, prefect):
    """A pre-commit hook refuses the maintenance commit: the flow's transaction rolls back, its
    on_rollback hook restores every file, and no branch is left behind."""
    root = _repo(tmp_path)
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'commits are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = tree_bytes(root)
    r = gameops_cli("--project", str(root), "backlog", "archive", "--commit", "--date", DATE)
    assert r.code == 1, r.stderr
    assert tree_bytes(root) == before
    assert git(root, "branch", "--list", "chore/*") == ""
    assert git(root, "branch", "--show-current") == "main"
    assert git(root, "status", "--porcelain") == ""
    assert not any((root / ".gameops" / "runs").iterdir())


@pytest.mark.prefect
def test_archive_without_commit_changes_the_working_tree_then_verify_passes(tmp_path, gameops_cli, prefect):
    root = _repo(tmp_path, "table")
    r = gameops_cli("--project", str(root), "--json", "backlog", "archive", "--date", DATE)
    assert r.code == 0, r.stderr
    assert len(r.json["archived"]) == 8 and r.json["commit"] is None
    v = gameops_cli("--project", str(root), "--json", "backlog", "verify")
    assert v.code == 0 and v.json["ok"]
    import shutil

    shutil.rmtree(root / ".gameops")
    before = tree_bytes(root)
    again = gameops_cli("--project", str(root), "--json", "backlog", "archive", "--date", DATE)
    assert again.code == 0 and again.json["archived"] == [] and again.json["changed_files"] == []
    # a run with nothing to do writes nothing, not even gameops' own state folder
    assert tree_bytes(root) == before and not (root / ".gameops").exists()
