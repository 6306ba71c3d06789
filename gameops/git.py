"""Git, always the real one: small, fast queries and the few writes gameops makes."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gameops import redaction
from gameops.errors import BadInput, JobFailed


class GitError(JobFailed):
    pass


_REF_FORBIDDEN = set(" ~^:?*[\\") | {chr(c) for c in range(32)} | {chr(127)}


def ref_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid git ref name (git-check-ref-format's rules, and no leading
    ``-`` so it can never read as an option), or None when it is valid."""
    if not name:
        return "is empty"
    if name.startswith("-"):
        return "starts with '-'"
    bad = sorted({c for c in name if c in _REF_FORBIDDEN})
    if bad:
        return "contains " + ", ".join(repr(c) for c in bad)
    if ".." in name:
        return "contains '..'"
    if "@{" in name or name == "@":
        return "contains '@{' or is '@'"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "has an empty '/' part"
    if name.endswith("."):
        return "ends with '.'"
    for part in name.split("/"):
        if part.startswith("."):
            return f"has a part starting with '.' ({part!r})"
        if part.endswith(".lock"):
            return f"has a part ending with '.lock' ({part!r})"
    return None


def git(root: Path | str, *args: str, check: bool = True, input: str | None = None, env: dict[str, str] | None = None) -> str:
    """Run git in ``root`` and return stdout (text, trailing newline stripped, secrets redacted)."""
    return redaction.redact(git_bytes(root, *args, check=check, input=input, env=env).decode("utf-8", errors="replace").rstrip("\n"))


def git_bytes(root: Path | str, *args: str, check: bool = True, input: str | None = None,
              env: dict[str, str] | None = None) -> bytes:
    """Run git in ``root`` and return stdout exactly as git wrote it (file contents, blobs)."""
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    try:
        out = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, input=input.encode() if input is not None else None,
            env=full_env, stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise BadInput("git: command not found; install git") from None
    if check and out.returncode != 0:
        msg = out.stderr.decode("utf-8", errors="replace").strip().splitlines()
        # a hook's output ends up here: redacted, it may become a flow's state message
        raise GitError(redaction.redact(f"git {' '.join(args)}: {msg[-1] if msg else f'exit {out.returncode}'}"))
    return out.stdout


def file_at_head(root: Path, rel: str) -> bytes | None:
    """A file's exact bytes at HEAD, or None when HEAD does not track it."""
    try:
        return git_bytes(root, "cat-file", "blob", "--end-of-options", f"HEAD:{rel}")
    except GitError:
        return None


def is_repo(root: Path) -> bool:
    return git(root, "rev-parse", "--is-inside-work-tree", check=False) == "true"


def current_branch(root: Path) -> str | None:
    """The branch name, or None when HEAD is detached."""
    out = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return out or None


def work_tree_head(root: Path) -> tuple[bool, str | None]:
    """Whether ``root`` is inside a work tree, and its HEAD commit (None before the first
    commit): ``is_repo`` and ``head`` in one git call, for commands where each call counts."""
    out = git(root, "rev-parse", "--is-inside-work-tree", "--verify", "--quiet", "HEAD", check=False).splitlines()
    return (out[:1] == ["true"], out[1] if len(out) > 1 else None)


def head(root: Path) -> str | None:
    out = git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    return out or None


def commit_time(root: Path, rev: str = "HEAD") -> int:
    return int(git(root, "log", "-1", "--format=%ct", "--end-of-options", rev))


def is_shallow(root: Path) -> bool:
    return git(root, "rev-parse", "--is-shallow-repository", check=False) == "true"


def changed_paths(root: Path) -> list[str]:
    """Paths with uncommitted changes (untracked ones too), as git names them relative to ``root``.

    Read NUL-separated so names with spaces, quotes or non-ASCII characters come back as they
    are (plain ``--porcelain`` quotes and escapes them); a rename gives its new path.
    """
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=normal", check=False)
    fields = out.split("\0")
    paths: list[str] = []
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":  # the next field is the rename's source
            i += 1
    return paths


@dataclass(frozen=True)
class TagRef:
    """A tag as git lists it: its name and the commit it points at (annotated tags peeled)."""

    name: str
    commit: str


_TAG_FORMAT = "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)"


def list_tags(root: Path, merged: str | None = None) -> list[TagRef]:
    """Every tag of the repository (``merged``: only those reachable from that commit), one git call.

    Tags of trees or blobs (no commit) are left out; outside a repository the list is empty.
    """
    args = ["for-each-ref", f"--format={_TAG_FORMAT}"]
    if merged:
        args.append(f"--merged={merged}")
    out = git(root, *args, "refs/tags/", check=False)
    found: list[TagRef] = []
    for line in out.splitlines():
        parts = line.split("\0")
        if len(parts) != 5:
            continue
        name, kind, obj, peeled_kind, peeled = parts
        if (peeled_kind or kind) == "commit":
            found.append(TagRef(name, peeled or obj))
    return found


def tag_names(root: Path) -> list[str]:
    """The names of every tag, without reading the tag objects (cheaper than :func:`list_tags`)."""
    return git(root, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags/", check=False).splitlines()


def is_ancestor(root: Path, commit: str, rev: str = "HEAD") -> bool:
    """Whether ``rev`` reaches ``commit`` (both object names, never user text)."""
    try:
        git_bytes(root, "merge-base", "--is-ancestor", commit, rev)
    except GitError:
        return False
    return True


def tracked_files(root: Path) -> list[str]:
    out = git(root, "ls-files", "-z", check=False)
    return [p for p in out.split("\0") if p]


@dataclass
class RepoState:
    is_repo: bool
    branch: str | None = None
    head: str | None = None
    dirty: list[str] | None = None
    shallow: bool = False


def state(root: Path) -> RepoState:
    if not is_repo(root):
        return RepoState(is_repo=False)
    return RepoState(
        is_repo=True,
        branch=current_branch(root),
        head=head(root),
        dirty=changed_paths(root),
        shallow=is_shallow(root),
    )
