"""prepare-commit-msg: pre-fill ``type(ID): `` from the branch name when the message is empty."""

from __future__ import annotations

import os

from gameops import branch_rules, commit_rules
from gameops.git import current_branch
from gameops.hooks.commit_msg import comment_char, read_message
from gameops.hooks.common import HookCall


def prefill(branch: str, commit_types: list[str], work_item_pattern: str) -> str | None:
    """``feat/VS_003-grid`` -> ``feat(VS_003): ``; ``fix/crash`` -> ``fix: ``; else None."""
    typ = branch_rules.commit_type_for(branch, commit_types)
    if not typ:
        return None
    item = branch_rules.work_item(branch, work_item_pattern)
    return f"{typ}({item}): " if item else f"{typ}: "


def run(call: HookCall) -> int:
    # git passes (file, source, sha); the pre-commit framework passes the file and sets the source in the environment
    source = call.arg(1) or os.environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE", "")
    if not call.args or source:  # -m/-F, template, merge, squash or amend: the message is someone's already
        return 0
    s = call.settings
    branch = current_branch(call.root)
    if not branch or branch_rules.is_protected(branch, s.protected_branches):
        return 0
    text_prefill = prefill(branch, s.commit_types, s.work_item_pattern)
    if not text_prefill:
        return 0
    path, text = read_message(call.root, call.args[0])
    cc = comment_char(call.root)
    if commit_rules.clean(text, cc).strip():
        return 0
    note = (f"{cc} gameops: <type>(<work item>): <description>, first line at most {s.max_subject_length} characters; "
            f"types: {', '.join(s.commit_types)}\n")
    from gameops.fileops import atomic_write_text  # only when writing: hashlib/tempfile cost ~10 ms to import

    atomic_write_text(path, text_prefill + "\n\n" + note + text.lstrip("\n"))
    return 0
