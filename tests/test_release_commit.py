"""The release commit: gameops' protected-branch hooks let exactly `chore(release): VERSION` of the
CHANGELOG alone through, and nothing else (real git, the installed hooks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GIT_ENV, git
from gameops import release_commit
from gameops.git import GitError


def commit_with(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "commit", *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, **(env or {})})


@pytest.fixture
def protected(tmp_path) -> Path:
    """A repository on main with gameops' hooks installed (main is protected by default)."""
    repo = tmp_path / "game"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("game\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "chore: start")  # the very first commit passes any hook
    out = subprocess.run([sys.executable, "-m", "gameops.cli", "--project", str(repo), "hooks", "install"], cwd=repo,
                         capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert out.returncode == 0, out.stderr
    return repo


def test_the_release_commit_passes_the_hooks_and_takes_only_the_changelog(protected):
    repo = protected
    (repo / "CHANGELOG.md").write_text("# Changelog\n\n## [1.0.0]\n")  # a first CHANGELOG: untracked
    (repo / "notes.txt").write_text("staged by the user\n")
    git(repo, "add", "notes.txt")
    sha = release_commit.commit(repo, "CHANGELOG.md", "1.0.0")
    assert git(repo, "log", "-1", "--format=%s") == "chore(release): 1.0.0" and git(repo, "rev-parse", "HEAD") == sha
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == "CHANGELOG.md"
    assert git(repo, "diff", "--cached", "--name-only") == "notes.txt"  # the user's staged file stays staged, not committed
    assert release_commit.release_commit_of(repo, "1.0.0", "CHANGELOG.md") == git(repo, "rev-parse", "HEAD^")
    assert release_commit.release_commit_of(repo, "1.0.1", "CHANGELOG.md") is None


def test_anything_else_on_main_is_still_refused(protected):
    repo = protected
    marker = {release_commit.ENV: "1.0.0:CHANGELOG.md"}
    (repo / "notes.txt").write_text("x\n")
    git(repo, "add", "notes.txt")
    plain = commit_with(repo, "-qm", "docs: a note")
    assert plain.returncode != 0 and "commit refused" in plain.stderr
    other_file = commit_with(repo, "-qm", "chore(release): 1.0.0", env=marker)  # the marker, but not the CHANGELOG
    assert other_file.returncode != 0 and "commit refused" in other_file.stderr
    git(repo, "reset", "-q", "HEAD", "notes.txt")
    (repo / "CHANGELOG.md").write_text("# Changelog\n")
    git(repo, "add", "CHANGELOG.md")
    wrong_message = commit_with(repo, "-qm", "chore(release): 9.9.9", env=marker)  # not this version's message
    assert wrong_message.returncode != 0
    assert git(repo, "log", "--format=%s") == "chore: start"


def test_a_hook_that_refuses_it_gives_one_clear_error_and_leaves_the_index(tmp_path):
    repo = tmp_path / "game"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("game\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "chore: start")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'team rule: no commits on main' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "CHANGELOG.md").write_text("# Changelog\n")
    with pytest.raises(GitError, match="chore\\(release\\): 1.0.0.*release.commit_changelog: false"):
        release_commit.commit(repo, "CHANGELOG.md", "1.0.0")
    assert git(repo, "status", "--porcelain") == "?? CHANGELOG.md"
