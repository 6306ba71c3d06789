"""post-checkout: how far the branch is behind main, from the last fetch (no network: stays fast)."""

from __future__ import annotations

import os

from gameops import branch_rules
from gameops.git import current_branch, git
from gameops.hooks.common import HookCall, say


def main_ref(call: HookCall) -> tuple[str, str] | None:
    """(full ref, short name) of main: the remote-tracking branch when there is one, else the local one."""
    s = call.settings
    names = [s.main_branch] if s.main_branch else [b for b in s.protected_branches if not any(c in b for c in "*?[")]
    candidates = []
    for n in names:
        candidates += [f"refs/remotes/{s.remote}/{n}", f"refs/heads/{n}"]
    if not candidates:
        return None
    existing = set(git(call.root, "for-each-ref", "--format=%(refname)", *candidates, check=False).splitlines())
    for ref in candidates:
        if ref in existing:
            return ref, ref.removeprefix("refs/remotes/").removeprefix("refs/heads/")
    return None


def behind(call: HookCall, ref: str) -> int:
    out = git(call.root, "rev-list", "--count", f"HEAD..{ref}", check=False)
    return int(out) if out.isdigit() else 0


def run(call: HookCall) -> int:
    flag = call.arg(2) or os.environ.get("PRE_COMMIT_CHECKOUT_TYPE", "")  # the pre-commit framework's name for it
    if flag != "1":  # a file checkout, not a branch checkout
        return 0
    s = call.settings
    branch = current_branch(call.root)
    if not branch or branch_rules.is_protected(branch, s.protected_branches):
        return 0
    found = main_ref(call)
    if not found:
        return 0
    ref, short = found
    n = behind(call, ref)
    if n <= 0:
        return 0
    fetched = " (as of your last fetch)" if ref.startswith("refs/remotes/") else ""
    if n >= s.behind_alert:
        say(f"gameops: WARNING: '{branch}' is {n} commits behind {short}{fetched}: high risk of merge conflicts.")
        say(f"    rebase now: git fetch && git rebase {short}")
    elif n >= s.behind_warn:
        say(f"gameops: '{branch}' is {n} commits behind {short}{fetched}; consider: git rebase {short}")
    return 0
