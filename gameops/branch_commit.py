"""Commit maintenance changes on a branch named for the job and date, never on a protected branch.

``chore/<job>-<YYYY-MM-DD>`` (``-2``, ``-3``... when that branch exists) is created from the
current commit, only the files the job changed are committed there, the branch is pushed when
``git.push`` is set, and the working tree goes back to the branch it was on: the maintenance
change lives on its own branch, ready for a pull request, and the user's branch is untouched.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from gameops import branch_rules, git
from gameops.config import Loaded
from gameops.errors import BadInput, JobFailed


# Every message gameops commits is a plain conventional commit that passes gameops' own
# commit-msg rules with their defaults: a default type, no scope (a scope there must be a work
# item, and linters reject invented ones such as "backlog"), one line of at most 72 characters.
MAX_SUBJECT = 72


def archive_message(ids: list[str]) -> str:
    """``chore: archive 2 backlog items (BR_016, TD_082)``; ids that do not fit are counted."""
    head = f"chore: archive {len(ids)} backlog item{'s' if len(ids) != 1 else ''}"
    shown = list(ids)
    while shown:
        rest = len(ids) - len(shown)
        text = f"{head} ({', '.join(shown)}{f' and {rest} more' if rest else ''})"
        if len(text) <= MAX_SUBJECT:
            return text
        shown.pop()
    return head


def docs_sync_message(files: int) -> str:
    return f"docs: sync backlog summaries in {files} file{'s' if files != 1 else ''}"


def branch_name(job: str, today: date) -> str:
    return f"chore/{job}-{today.isoformat()}"


def _free_branch(root: Path, base: str) -> str:
    name, n = base, 1
    while git.git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"refs/heads/{name}", check=False):
        n += 1
        name = f"{base}-{n}"
    return name


def ensure_clean(loaded: Loaded, paths: list[str]) -> None:
    """Refuse (before anything is written) when files the job may touch hold uncommitted edits:
    committing them would put someone's work into a maintenance commit."""
    root = loaded.root
    if not git.is_repo(root):
        return
    out = git.git(root, "status", "--porcelain", "--untracked-files=no", "--", *paths, check=False)
    dirty = [ln[3:] for ln in out.splitlines() if ln.strip()]
    if dirty:
        raise BadInput(f"{dirty[0]}: has uncommitted changes; commit or stash them before a committing maintenance run")


def commit(loaded: Loaded, job: str, paths: list[str], message: str, today: date | None = None) -> dict | None:
    """Commit ``paths`` on a new maintenance branch; returns ``{"branch", "commit", "pushed"}``,
    or None when there is nothing to commit or the project is not a git repository."""
    root = loaded.root
    if not paths or not git.is_repo(root):
        return None
    cfg = loaded.config.git
    branch = _free_branch(root, branch_name(job, today or date.today()))
    if branch_rules.is_protected(branch, cfg.protected_branches):
        raise BadInput(f"{branch}: is a protected branch (git.protected_branches); maintenance never commits there")
    original = git.current_branch(root)
    start = git.head(root)
    if start is None:
        raise JobFailed(f"{root}: the repository has no commit yet; commit once before maintenance runs")
    git.git(root, "switch", "--quiet", "-c", branch)
    try:
        git.git(root, "add", "--all", "--", *paths)
        git.git(root, "commit", "--quiet", "-m", message, "--", *paths)
        sha = git.head(root)
    except Exception:
        # the commit failed (a hook refused it...): leave things as they were, branch gone
        git.git(root, "reset", "--quiet", "--mixed", start, check=False)
        git.git(root, "switch", "--quiet", original, check=False) if original else \
            git.git(root, "switch", "--quiet", "--detach", start, check=False)
        git.git(root, "branch", "-D", branch, check=False)
        raise
    if original:
        git.git(root, "switch", "--quiet", original)
    else:
        git.git(root, "switch", "--quiet", "--detach", start)
    pushed = False
    if cfg.push:
        git.git(root, "push", "--quiet", "-u", "--end-of-options", cfg.remote, f"refs/heads/{branch}:refs/heads/{branch}")
        pushed = True
    return {"branch": branch, "commit": sha, "pushed": pushed, "remote": cfg.remote if pushed else None}
