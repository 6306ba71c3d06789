"""Branch rules: protected branches and branch names like ``feat/VS_003-grid-snapping``.

Used by the pre-commit, pre-push, prepare-commit-msg and post-checkout hooks. Plain Python
with the standard library only: hooks must answer in a fraction of a second.
"""

from __future__ import annotations

import fnmatch
import re

# Defaults shared with gameops.config.GitConfig (the hooks read them without pydantic).
DEFAULT_PROTECTED = ("main", "master")
DEFAULT_PREFIXES = ("feat", "fix", "tech", "docs", "test", "refactor", "chore", "hotfix", "perf", "ci", "build", "release")
DEFAULT_EXCEPTIONS = ("develop",)
MIN_NAME_LENGTH = 3

# Branch prefix -> commit type, for prefixes that are not commit types themselves.
PREFIX_TO_TYPE = {"feature": "feat", "hotfix": "fix", "bugfix": "fix", "bug": "fix", "release": "chore"}


def matches(branch: str | None, patterns: list[str] | tuple[str, ...]) -> bool:
    """True when ``branch`` matches one of the names or globs (``release/*``)."""
    return branch is not None and branch != "" and any(fnmatch.fnmatchcase(branch, p) for p in patterns)


def is_protected(branch: str | None, patterns: list[str] | tuple[str, ...]) -> bool:
    """True when ``branch`` is one of the protected branches (git.protected_branches)."""
    return matches(branch, patterns)


def work_item(branch: str, pattern: str) -> str | None:
    """The first work-item id in the branch name (``feat/VS_003-grid`` -> ``VS_003``)."""
    m = re.search(rf"(?<![A-Za-z0-9])({pattern})(?![0-9])", branch)
    return m.group(1) if m else None


def name_problems(branch: str, prefixes: list[str] | tuple[str, ...], exceptions: list[str] | tuple[str, ...] = (),
                  work_item_pattern: str | None = None, require_work_item: bool = False) -> list[str]:
    """What is wrong with a branch name; empty when it is fine (or no prefixes are configured)."""
    if not prefixes or any(fnmatch.fnmatchcase(branch, p) for p in exceptions):
        return []
    prefix, slash, rest = branch.partition("/")
    problems: list[str] = []
    if not slash:
        problems.append(f"'{branch}' has no type prefix: name it <type>/<description>, e.g. {example(prefixes)}")
        return problems
    if prefix not in prefixes:
        lower = prefix.lower()
        hint = f" (use '{lower}/')" if lower in prefixes else ""
        problems.append(f"'{prefix}/' is not an allowed branch prefix{hint}; allowed: " + ", ".join(f"{p}/" for p in prefixes))
    if len(rest) < MIN_NAME_LENGTH:
        problems.append(f"'{rest}' after '{prefix}/' is too short: describe the work in at least {MIN_NAME_LENGTH} characters")
    if require_work_item and work_item_pattern and not work_item(branch, work_item_pattern):
        problems.append(f"'{branch}' names no work item: put its id after the prefix, e.g. {example(prefixes)}")
    return problems


def example(prefixes: list[str] | tuple[str, ...]) -> str:
    first = prefixes[0] if prefixes else "feat"
    return f"{first}/VS_003-grid-snapping"


def commit_type_for(branch: str, commit_types: list[str] | tuple[str, ...]) -> str | None:
    """The commit type a branch suggests: ``feat/...`` -> feat, ``hotfix/...`` -> fix."""
    prefix, slash, _ = branch.partition("/")
    if not slash:
        return None
    prefix = prefix.lower()
    if prefix in commit_types:
        return prefix
    mapped = PREFIX_TO_TYPE.get(prefix)
    if mapped and mapped in commit_types:
        return mapped
    return None


def protected_commit_help(branch: str, prefixes: list[str] | tuple[str, ...]) -> str:
    """The recovery steps printed when a commit on a protected branch is refused."""
    ex = example(prefixes)
    return "\n".join([
        f"Commits on '{branch}' are not allowed (git.protected_branches). Work on a branch and open a pull request.",
        "Your changes are safe. Move them to a new branch (staged and unstaged changes come along):",
        f"    git switch -c {ex}",
        "    git commit",
        f"Already committed on '{branch}' by mistake? Keep the commit on a branch and rewind '{branch}':",
        f"    git branch {ex}",
        "    git reset --keep HEAD~1",
        f"    git switch {ex}",
        "Bypass once (not recommended): git commit --no-verify",
    ])


def protected_push_help(branch: str, prefixes: list[str] | tuple[str, ...], remote: str = "origin",
                        local_branch: str | None = None) -> str:
    """The recovery steps printed when a push to a protected branch is refused."""
    lines = [f"Pushes to '{branch}' are not allowed (git.protected_branches): changes reach it through pull requests."]
    if local_branch and local_branch != branch:
        lines += ["Push your branch under its own name and open a pull request:", f"    git push -u {remote} {local_branch}"]
    else:
        ex = example(prefixes)
        lines += [
            "Move your commits to a branch, push it and open a pull request:",
            f"    git switch -c {ex}",
            f"    git push -u {remote} {ex}",
            f"Then put your local '{branch}' back where {remote} has it:",
            f"    git branch -f {branch} {remote}/{branch}",
        ]
    lines.append("Bypass once (not recommended): git push --no-verify")
    return "\n".join(lines)
