"""gameops notes [RANGE] [--unreleased] [--next-version]: release notes from conventional commits.

Runs without Prefect: one ``git log`` call over the history (``--unreleased``: only the commits
after the previous release, the highest release version reachable from HEAD, whatever the tag
scheme: gameops/release_tags.py), grouped in the core (gameops/changelog.py). In a repository with
no gameops.yaml and no ``GAMEOPS_*__*`` override it does not even load the config model
(pydantic): the notes settings are then the defaults (``NotesSource.defaults``), the tag scheme
detected from the repository's tags.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gameops.console import esc


def register(sub, parents) -> None:
    p = sub.add_parser(
        "notes", parents=parents, help="release notes from conventional commits (no Prefect, fast)",
        description="Print release notes grouped by release.sections. Without arguments: every release, newest first. "
                    "RANGE (A..B): the commits in it. --unreleased: commits since the previous release (the highest "
                    "release version reachable from HEAD; v1.2.3, 1.2.3 and game-1.2.3 tags alike). "
                    "--next-version: the version --bump would release (with --json: the unreleased notes under it).",
    )
    p.add_argument("range", nargs="?", metavar="RANGE", help="revision range, e.g. v1.2.0..v1.3.0 or v1.3.0..HEAD")
    p.add_argument("--unreleased", action="store_true", help="only the commits since the previous release (highest version reachable from HEAD)")
    p.add_argument("--next-version", action="store_true", help="print the version --bump would release")
    p.set_defaults(handler=run)


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def run(args, ctx) -> int:
    from gameops import changelog
    from gameops import git as gitops
    from gameops.errors import BadInput

    src = _settings_without_config(args)
    if src is None:
        loaded = ctx.loaded()
        src = changelog.NotesSource.from_loaded(loaded)
    root = src.root
    inside, head = gitops.work_tree_head(root)
    if not inside:
        raise BadInput(f"{root}: not a git repository")
    if args.range and (args.unreleased or args.next_version):
        raise BadInput("give a RANGE or --unreleased/--next-version, not both")
    if not head:
        raise BadInput(f"{root}: the repository has no commits")

    if args.range:
        start, sep, _ = args.range.partition("..")
        for rev in filter(None, [start, args.range.partition("..")[2].lstrip(".") or "HEAD"] if sep else [args.range]):
            if not gitops.git(root, "rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}", check=False):
                raise BadInput(f"RANGE {args.range!r}: {rev!r} is not a commit or tag here")
        notes = changelog.for_range(src, args.range)
        return _emit(ctx, src, [notes])
    if args.unreleased or args.next_version:
        notes = changelog.unreleased(src)
        if args.next_version:
            nxt = changelog.bumped(src, notes)
            notes.version = str(nxt) if nxt else None
            if not ctx.json:
                if nxt is None:
                    ctx.say(f"nothing to release since {esc(notes.previous_tag or 'the first commit')}")
                    return 0
                _out(f"{nxt}\n")
                return 0
        return _emit(ctx, src, [notes])
    return _emit(ctx, src, changelog.history(src), full=True)


def _settings_without_config(args):
    """The notes settings when nothing configures them (no config file, no override), else None:
    the full loader then validates the config and reports a bad one (exit 2)."""
    from gameops import changelog
    from gameops import CONFIG_FILE

    if getattr(args, "config", None):
        return None
    root = Path(getattr(args, "project", None) or ".").expanduser()
    if not root.is_dir() or (root / CONFIG_FILE).exists():
        return None
    if any(k.upper().startswith("GAMEOPS_") and "__" in k for k in os.environ):  # config.ENV_PREFIX overrides
        return None
    return changelog.NotesSource.defaults(root.resolve())


def _emit(ctx, src, releases, full: bool = False) -> int:
    from gameops import changelog

    if ctx.json:
        first = releases[0].as_dict() if releases else {"version": None, "previous_tag": None, "sections": []}
        doc = dict(first)
        if full:
            doc["releases"] = [n.as_dict() for n in releases]
        ctx.emit_json(doc)
        return 0
    if not releases:
        ctx.say("no commits")
        return 0
    _out("\n".join(changelog.render_markdown(n, src.links) for n in releases))
    return 0
