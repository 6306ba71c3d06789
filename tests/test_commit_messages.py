"""gameops passes its own rules: every commit message gameops writes is a plain conventional
commit (no invented scope), accepted by gameops' own commit-msg rules and by its installed hooks."""

from __future__ import annotations

import re
from datetime import date

import pytest

from gameops import archive, branch_commit, commit_rules, docs_sync
from gameops.config import load
from gameops.hooks import install
from tests.backlog_helpers import copy_fixture
from tests.conftest import git

# The header as plain conventional-commit linters read it (commitlint's config-conventional
# types); a scope, when there is one, must be a work item: gameops writes none.
PLAIN = re.compile(r"^(build|chore|ci|docs|feat|fix|perf|refactor|revert|style|test)(\(release\))?!?: \S.{0,70}$")

IDS = ["TD_088", "VS_003B-4", "VS_000.3", "TD_077", "BR_015", "TD_089", "TD_090", "ART_002", "VS_010", "TD_003_OLD"]


def messages() -> list[str]:
    return [branch_commit.archive_message(IDS[:1]), branch_commit.archive_message(IDS[:2]),
            branch_commit.archive_message(IDS), branch_commit.docs_sync_message(1), branch_commit.docs_sync_message(3),
            commit_rules.release_subject("1.4.0"), commit_rules.release_subject("2.0.0-rc.1")]


@pytest.mark.parametrize("message", messages())
def test_every_message_passes_a_plain_linter_and_gameops_rules(message):
    assert PLAIN.match(message), message
    verdict = commit_rules.validate(message)
    assert verdict.ok and verdict.kind == "conventional", verdict.problems
    head = message.split(":", 1)[0]
    assert "(" not in head or head == "chore(release)"  # no scope but the release commit's


def test_release_scope_is_accepted_only_for_the_release_commit():
    assert commit_rules.validate("chore(release): 1.4.0").ok
    for other in ("chore(release): tidy up", "feat(release): 1.4.0", "chore(backlog): archive 2 items"):
        assert not commit_rules.validate(other).ok, other


def test_long_id_lists_are_cut_to_fit_and_say_how_many_are_left():
    m = branch_commit.archive_message(IDS)
    assert m.startswith("chore: archive 10 backlog items (TD_088, ") and m.endswith(" more)") and len(m) <= 72
    assert branch_commit.archive_message(["BR_016"]) == "chore: archive 1 backlog item (BR_016)"


def _repo_with_hooks(tmp_path):
    root = copy_fixture("inline", tmp_path / "game")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "chore: import backlog")
    report = install.install(root)
    assert {h.name for h in report.hooks} >= {"pre-commit", "commit-msg"}
    return root


def test_gameops_own_hooks_accept_its_maintenance_commits(tmp_path):
    """The real installed hooks (pre-commit: protected branch and branch name; commit-msg: the
    message) run on gameops' maintenance commits, made the way the flows make them."""
    root = _repo_with_hooks(tmp_path)
    loaded = load(root)
    result = archive.run(loaded, date(2025, 8, 29))
    ids = [a["id"] for a in result["archived"]]
    changed = result["changed_files"]
    done = branch_commit.commit(loaded, "backlog-archive", changed, branch_commit.archive_message(ids), date(2025, 8, 29))
    assert done is not None
    assert git(root, "log", "-1", "--format=%s", done["branch"]) == branch_commit.archive_message(ids)
    git(root, "checkout", "-q", "--", ".")  # the change lives on its branch; main's copy goes back
    sync = docs_sync.run(load(root), date(2025, 8, 30))
    assert sync["changed_files"]
    done = branch_commit.commit(load(root), "docs-sync", sync["changed_files"],
                                branch_commit.docs_sync_message(len(sync["changed_files"])), date(2025, 8, 30))
    assert done is not None and git(root, "log", "-1", "--format=%s", done["branch"]).startswith("docs: sync backlog")
    # the hooks are really there: the same files committed with an invented scope are refused
    git(root, "switch", "-q", "-c", "chore/by-hand")
    (root / "Docs/01-Active/Backlog.md").write_text("edited\n")
    git(root, "add", "-A")
    import subprocess

    cp = subprocess.run(["git", "commit", "-q", "-m", "chore(backlog): archive 2 item(s)"], cwd=root, capture_output=True, text=True)
    assert cp.returncode == 1 and "scope" in cp.stderr
    # the release commit's subject passes the installed commit-msg hook too (off a protected branch)
    cp = subprocess.run(["git", "commit", "-q", "-m", commit_rules.release_subject("1.4.0")], cwd=root,
                        capture_output=True, text=True)
    assert cp.returncode == 0, cp.stderr
