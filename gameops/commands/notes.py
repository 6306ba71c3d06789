"""gameops notes [RANGE] [--unreleased] [--next-version]: release notes from conventional commits.

Runs without Prefect: one ``git log`` call over the history (``--unreleased``: only the commits
after the last release tag), grouped in the core (gameops/changelog.py).
"""

from __future__ import annotations

import sys


def register(sub, parents) -> None:
    p = sub.add_parser(
        "notes", parents=parents, help="release notes from conventional commits (no Prefect, fast)",
        description="Print release notes grouped by release.sections. Without arguments: every release, newest first. "
                    "RANGE (A..B): the commits in it. --unreleased: commits since the last release tag. "
                    "--next-version: the version --bump would release (with --json: the unreleased notes under it).",
    )
    p.add_argument("range", nargs="?", metavar="RANGE", help="revision range, e.g. v1.2.0..v1.3.0 or v1.3.0..HEAD")
    p.add_argument("--unreleased", action="store_true", help="only the commits since the last release tag")
    p.add_argument("--next-version", action="store_true", help="print the version --bump would release")
    p.set_defaults(handler=run)


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def run(args, ctx) -> int:
    from gameops import changelog
    from gameops import git as gitops
    from gameops.errors import BadInput

    loaded = ctx.loaded()
    root = loaded.root
    if not gitops.is_repo(root):
        raise BadInput(f"{root}: not a git repository")
    if args.range and (args.unreleased or args.next_version):
        raise BadInput("give a RANGE or --unreleased/--next-version, not both")
    src = changelog.NotesSource.from_loaded(loaded)
    if not gitops.head(root):
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
                    ctx.say(f"nothing to release since {notes.previous_tag or 'the first commit'}")
                    return 0
                _out(f"{nxt}\n")
                return 0
        return _emit(ctx, src, [notes])
    return _emit(ctx, src, changelog.history(src), full=True)


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
