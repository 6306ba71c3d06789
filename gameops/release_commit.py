"""The release commit: the CHANGELOG update a release commits as ``chore(release): VERSION``.

A release runs on a protected branch (main), where gameops' own hooks refuse commits. This
module names the one commit they let through: gameops makes it with ``GAMEOPS_RELEASE_COMMIT``
set to ``<version>:<changelog path>``, it stages exactly that file, and its message is exactly
``chore(release): <version>``. The hooks (``gameops.hooks.pre_commit`` / ``commit_msg``) check all
three; anything else on a protected branch is refused as before. Light on purpose: the hooks'
fast path imports it.
"""

from __future__ import annotations

import os
from pathlib import Path

from gameops import commit_rules
from gameops.git import GitError, git

ENV = "GAMEOPS_RELEASE_COMMIT"


def message(version: str) -> str:
    """The release commit's subject (and whole message): gameops.commit_rules.release_subject."""
    return commit_rules.release_subject(version)


def _marker(environ: dict[str, str] | None) -> tuple[str, str] | None:
    raw = (os.environ if environ is None else environ).get(ENV, "")
    version, sep, path = raw.partition(":")
    return (version, path) if sep and version and path else None


def staged_paths(root: Path) -> list[str]:
    """Paths whose staged content differs from HEAD (the index git is about to commit)."""
    out = git(root, "diff", "--cached", "--name-only", "--no-renames", "-z", check=False)
    return sorted(p for p in out.split("\0") if p)


def staged_is_release_commit(root: Path, environ: dict[str, str] | None = None) -> bool:
    """pre-commit: gameops is committing its release and the index holds only the CHANGELOG."""
    marker = _marker(environ)
    return marker is not None and staged_paths(root) == [marker[1]]


def message_is_release_commit(text: str, environ: dict[str, str] | None = None) -> bool:
    """commit-msg: the message is exactly the release commit's for the version gameops releases."""
    marker = _marker(environ)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return marker is not None and lines == [message(marker[0])]


def marker_mismatch(text: str, environ: dict[str, str] | None = None) -> str | None:
    """commit-msg: with the release marker set, any other message is refused (why, in one line)."""
    marker = _marker(environ)
    if marker is None or message_is_release_commit(text, environ):
        return None
    return f"{ENV} is set for release {marker[0]}: the only message it allows is {message(marker[0])!r}"


def changes_only(root: Path, rel: str, rev: str = "HEAD") -> bool:
    """``rev`` changes exactly ``rel`` against its first parent (so it may be a release commit)."""
    out = git(root, "diff-tree", "--no-commit-id", "--name-only", "--no-renames", "-r", "-z", f"{rev}^", rev, check=False)
    return [p for p in out.split("\0") if p] == [rel]


def release_commit_of(root: Path, version: str, changelog_rel: str) -> str | None:
    """When HEAD is this version's release commit, the commit it was released from (its parent)."""
    subject = git(root, "log", "-1", "--format=%s", "HEAD", check=False)
    if subject != message(version) or not changes_only(root, changelog_rel):
        return None
    return git(root, "rev-parse", "--verify", "--quiet", "HEAD^", check=False) or None


def commit(root: Path, changelog_rel: str, version: str) -> str:
    """Commit the CHANGELOG alone (other staged or changed files stay as they are); returns the sha.

    ``git commit --only`` builds the commit from HEAD plus this one file, so nothing else the user
    staged slips into it; the marker lets gameops' protected-branch hooks through.
    """
    env = {ENV: f"{version}:{changelog_rel}"}
    new_file = not git(root, "ls-files", "--", changelog_rel, check=False)
    try:
        if new_file:  # a first CHANGELOG: git commits only paths it knows
            git(root, "add", "--", changelog_rel)
        git(root, "commit", "--only", "--quiet", "-m", message(version), "--", changelog_rel, env=env)
    except GitError as exc:
        if new_file:
            git(root, "rm", "--cached", "--quiet", "--", changelog_rel, check=False)  # the index as it was
        raise GitError(f"committing {changelog_rel} as {message(version)!r} failed ({exc}); commit it yourself, "
                       "or set release.commit_changelog: false") from None
    return git(root, "rev-parse", "HEAD")
