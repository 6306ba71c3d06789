"""commit-msg: conventional commits with an optional work-item scope; a refusal explains itself."""

from __future__ import annotations

from pathlib import Path

from gameops import commit_rules, release_commit
from gameops.errors import BadInput
from gameops.git import git
from gameops.hooks.common import HookCall, say


def comment_char(root: Path) -> str:
    value = git(root, "config", "--get", "core.commentChar", check=False)
    return value if len(value) == 1 else "#"


def read_message(root: Path, name: str) -> tuple[Path, str]:
    path = Path(name)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        return path, path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise BadInput(f"{name}: cannot read the commit message ({exc.strerror})") from None


def run(call: HookCall) -> int:
    if not call.args:
        raise BadInput("commit-msg: git passes the message file as the first argument; none was given")
    _, text = read_message(call.root, call.args[0])
    if release_commit.message_is_release_commit(text):  # exactly `chore(release): VERSION`, made by gameops release
        return 0
    mismatch = release_commit.marker_mismatch(text)  # the release marker lets exactly that one message through
    if mismatch:
        say("gameops commit-msg: commit refused: " + mismatch)
        return 1
    rules = call.settings.rules()
    verdict = commit_rules.validate(text, rules, comment_char(call.root))
    if verdict.ok:
        return 0
    say("gameops commit-msg: " + commit_rules.rejection_text(verdict, rules, call.args[0]))
    return 1
