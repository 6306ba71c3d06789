"""pre-push: no pushes to protected branches; the quick tests when C# files are in the push.

Git passes ``<local ref> <local sha> <remote ref> <remote sha>`` lines on stdin, one per ref
being pushed (a deletion has an all-zero local sha). The remote ref is what counts: pushing
``feat/x:main`` is a push to main.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from gameops import branch_rules
from gameops.git import git
from gameops.hooks.common import ZERO_SHA, HookCall, is_zero, say

CSHARP_SUFFIXES = (".cs", ".csproj", ".sln", ".props", ".targets", ".slnx")


@dataclass
class PushedRef:
    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str

    @property
    def remote_branch(self) -> str | None:
        return self.remote_ref.removeprefix("refs/heads/") if self.remote_ref.startswith("refs/heads/") else None

    @property
    def deletes(self) -> bool:
        return is_zero(self.local_sha)


def parse_refs(stdin: str, environ: dict[str, str] | None = None) -> list[PushedRef]:
    """The refs git passes on stdin; under the pre-commit framework, its PRE_COMMIT_* variables."""
    refs = []
    for line in stdin.splitlines():
        parts = line.split()
        if len(parts) == 4:
            refs.append(PushedRef(*parts))
    env = os.environ if environ is None else environ
    if not refs and env.get("PRE_COMMIT_REMOTE_BRANCH"):
        refs.append(PushedRef(env.get("PRE_COMMIT_LOCAL_BRANCH", ""), env.get("PRE_COMMIT_TO_REF", "HEAD"),
                              env["PRE_COMMIT_REMOTE_BRANCH"], env.get("PRE_COMMIT_FROM_REF", ZERO_SHA)))
    return refs


def changed_files(root: Path, refs: list[PushedRef]) -> list[str]:
    """Files touched by the commits this push sends that no remote-tracking branch has yet."""
    files: set[str] = set()
    for ref in refs:
        if ref.deletes:
            continue
        args = ["log", "--format=", "--name-only", "--no-renames", ref.local_sha, "--not", "--remotes"]
        if not is_zero(ref.remote_sha) and git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref.remote_sha + "^{commit}", check=False):
            args.append(ref.remote_sha)
        files.update(line for line in git(root, *args, check=False).splitlines() if line)
    return sorted(files)


def csharp_changed(files: list[str]) -> list[str]:
    return [f for f in files if f.lower().endswith(CSHARP_SUFFIXES)]


def run_quick_tests(call: HookCall) -> int:
    """``gameops test --category <quick ones>`` in a subprocess; 0 when there is nothing to test."""
    from gameops.config import load  # slow path (pydantic): only when C# files are being pushed

    loaded = load(call.root, call.config)
    if not loaded.config.dotnet.solution:
        return 0  # no .sln: nothing to build or test
    categories = [c.name for c in loaded.config.dotnet.categories if c.quick]
    if not categories:
        return 0
    say(f"gameops pre-push: C# files changed, running the quick tests ({', '.join(categories)}) ...")
    cmd = [sys.executable, "-m", "gameops.cli", "--project", str(call.root)]
    if call.config:
        cmd += ["--config", call.config]
    cmd.append("test")
    for c in categories:
        cmd += ["--category", c]
    # The tests' own output goes to stderr with ours; stdout stays free. Through the runner, so
    # Ctrl+C or a hang takes the whole dotnet tree down with it.
    from gameops.process import run

    rc = run(cmd, on_line=say).returncode
    if rc != 0:
        say(f"gameops pre-push: push refused, the quick tests failed (exit {rc}). Fix them and push again;")
        say("bypass once (not recommended): git push --no-verify")
        return 1
    return 0


def run(call: HookCall) -> int:
    s = call.settings
    refs = parse_refs(call.stdin)
    remote = call.arg(0, os.environ.get("PRE_COMMIT_REMOTE_NAME", s.remote))
    for ref in refs:
        branch = ref.remote_branch
        if branch and branch_rules.is_protected(branch, s.protected_branches):
            what = "deleting" if ref.deletes else "pushing to"
            say(f"gameops pre-push: push refused, {what} '{branch}' on '{remote}' (protected).")
            local = ref.local_ref.removeprefix("refs/heads/") if ref.local_ref.startswith("refs/heads/") else None
            shown_remote = remote if "/" not in remote and ":" not in remote else s.remote
            say(branch_rules.protected_push_help(branch, s.branch_prefixes, shown_remote, local))
            return 1
    if not s.pre_push_tests:
        return 0
    cs = csharp_changed(changed_files(call.root, refs))
    if not cs:
        return 0
    return run_quick_tests(call)
