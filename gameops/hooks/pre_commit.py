"""pre-commit: no commits on protected branches (except the release commit `gameops release` makes:
the CHANGELOG alone, see gameops.release_commit); branch names follow the configured prefixes."""

from __future__ import annotations

from gameops import branch_rules, release_commit
from gameops.git import current_branch, head
from gameops.hooks.common import HookCall, say


def run(call: HookCall) -> int:
    s = call.settings
    branch = current_branch(call.root)
    if branch is None:  # detached HEAD: a rebase, bisect or cherry-pick in progress
        return 0
    if branch_rules.is_protected(branch, s.protected_branches):
        if head(call.root) is None:  # the repository's first commit has nowhere else to go
            return 0
        if release_commit.staged_is_release_commit(call.root):  # `gameops release` committing its CHANGELOG
            return 0
        say("gameops pre-commit: commit refused. " + branch_rules.protected_commit_help(branch, s.branch_prefixes))
        return 1
    problems = branch_rules.name_problems(branch, s.branch_prefixes, s.branch_exceptions, s.work_item_pattern,
                                          s.branch_requires_work_item)
    if problems:
        say(f"gameops pre-commit: commit refused, the branch name '{branch}' breaks the naming rule.")
        for p in problems:
            say(f"  - {p}")
        say("Rename the branch (your changes stay as they are), then commit again:")
        say(f"    git branch -m {branch_rules.example(s.branch_prefixes)}")
        say("Names: <type>/<work item>-<description>, e.g. feat/VS_003-grid, fix/BR_012-score, tech/TD_042-cleanup")
        return 1
    return 0
