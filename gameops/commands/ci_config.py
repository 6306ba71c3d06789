"""gameops ci-config github: write .github/workflows/gameops.yml into the game repository."""

from __future__ import annotations

from gameops import __version__
from gameops.console import esc
from gameops.errors import BadInput


def register(sub, parents) -> None:
    p = sub.add_parser("ci-config", parents=parents, help="write a CI workflow that runs gameops (github)",
                       description="Write .github/workflows/gameops.yml: `gameops ci` on push and pull request "
                                   "(.NET, Godot, caches, TRX artifacts, step summary) and `gameops release` on tags "
                                   "and manual dispatch. Run it again after changing gameops.yaml.")
    p.add_argument("provider", choices=["github"], help="CI provider (github: GitHub Actions)")
    p.add_argument("--pip-spec", default="gameops", metavar="REQ",
                   help=f'how CI installs gameops, e.g. "gameops=={__version__}" or "git+https://host/you/gameops@v{__version__}" (default: gameops)')
    p.add_argument("--force", action="store_true", help="replace a gameops.yml that gameops did not write")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    from gameops import github_actions as gha
    from gameops.fileops import atomic_write_text

    loaded = ctx.loaded()
    s = gha.settings(loaded, args.pip_spec)
    text = gha.render(s)
    target = gha.workflow_file(loaded)
    rel = gha.WORKFLOW_PATH.as_posix()
    if target.is_dir():
        raise BadInput(f"{rel}: is a folder, expected the workflow file")
    if target.exists() and not args.force:
        try:
            current = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = ""
        if not gha.is_generated(current):
            raise BadInput(f"{rel}: exists and was not written by gameops; use --force to replace it")
    if ctx.dry_run:
        changed = not target.exists() or target.read_text(encoding="utf-8", errors="replace") != text
        if ctx.json:
            ctx.emit_json({"path": rel, "changed": changed, "written": False, "assumed": s.assumed, "workflow": text})
        else:
            ctx.say(f"would {'write' if changed else 'leave unchanged'} {esc(rel)} (dry run):")
            ctx.console.print(text, markup=False, highlight=False, soft_wrap=True)
        return 0
    changed = atomic_write_text(target, text)
    if ctx.json:
        ctx.emit_json({"path": rel, "changed": changed, "written": changed, "assumed": s.assumed})
    else:
        ctx.say(f"{'wrote' if changed else 'unchanged:'} {esc(rel)}")
        for a in s.assumed:
            ctx.say(f"[dim]assumed {esc(a)}[/dim]")
        if changed:
            ctx.say("[dim]commit it; the ci job runs on the next push, the release job on a tag or from the Actions tab[/dim]")
    return 0
