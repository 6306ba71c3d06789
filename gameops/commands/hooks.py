"""gameops hooks install | uninstall | status | run NAME: the git workflow guard."""

from __future__ import annotations

import argparse
import sys

from gameops.console import esc
from gameops.hooks.settings import HOOKS


def register(sub, parents) -> None:
    p = sub.add_parser("hooks", parents=parents, help="install, remove or run the git hooks",
                       description="Git hooks that refuse commits and pushes on protected branches, check branch names "
                                   "and commit messages, pre-fill messages from the branch and report how far behind main "
                                   "a branch is. Installed where git runs hooks (core.hooksPath and Husky.NET's .husky/ "
                                   "included); hooks that were there before are saved and restored on uninstall.")
    hs = p.add_subparsers(dest="hooks_command", metavar="ACTION", required=True)
    i = hs.add_parser("install", parents=parents, help="install the hooks (git.hooks in gameops.yaml)")
    i.add_argument("--hook", action="append", choices=HOOKS, metavar="NAME", help="only this hook (repeatable)")
    i.add_argument("--chain", action="store_true", help="keep running the hook that was there before, after gameops' checks")
    i.set_defaults(handler=run_install)
    u = hs.add_parser("uninstall", parents=parents, help="remove the hooks and restore the ones that were there before")
    u.set_defaults(handler=run_uninstall)
    s = hs.add_parser("status", parents=parents, help="which hooks are installed, and where")
    s.set_defaults(handler=run_status)
    r = hs.add_parser("run", parents=parents, help="run one hook now, as git would (arguments after NAME go to the hook)")
    r.add_argument("name", choices=HOOKS, metavar="NAME", help=", ".join(HOOKS))
    r.add_argument("hook_args", nargs=argparse.REMAINDER, help="what git passes to the hook")
    r.set_defaults(handler=run_hook)


def _print_report(ctx, report, verb: str) -> None:
    if ctx.json:
        ctx.emit_json(report.as_dict())
        return
    ctx.table(None, ["hook", "action", "path", "note"],
              [(h.name, h.action, h.path, h.note) for h in report.hooks])
    for note in report.notes:
        ctx.say(f"[dim]note: {esc(note)}[/dim]")
    if not report.changed:
        ctx.say(f"nothing to do: hooks already {verb}" if report.hooks else "nothing to do")
    else:
        ctx.say(f"hooks {verb} in {esc(report.hooks_dir)} ({esc(report.manager)})")


def run_install(args, ctx) -> int:
    from gameops.hooks.install import install

    loaded = ctx.loaded()
    names = args.hook or loaded.config.git.hooks
    report = install(loaded.root, names, project=loaded.root, config=getattr(args, "config", None),
                     chain=args.chain, dry_run=ctx.dry_run)
    _print_report(ctx, report, "installed")
    return 0


def run_uninstall(args, ctx) -> int:
    from gameops.hooks.install import uninstall

    loaded = ctx.loaded()
    _print_report(ctx, uninstall(loaded.root, dry_run=ctx.dry_run), "removed")
    return 0


def run_status(args, ctx) -> int:
    from gameops.hooks.install import status

    loaded = ctx.loaded()
    doc = status(loaded.root)
    if ctx.json:
        ctx.emit_json(doc)
    else:
        ctx.table(f"hooks in {doc['hooks_dir']} ({doc['manager']})", ["hook", "gameops", "other hook", "saved previous"],
                  [(h["name"], ctx.mark(h["installed"]), "yes" if h["other_hook"] else "",
                    "yes" if h["saved_previous"] else "") for h in doc["hooks"]])
        for note in doc.get("notes", []):
            ctx.say(f"[yellow]note:[/yellow] {note}")
    return 0


def run_hook(args, ctx) -> int:
    from gameops.hooks.runner import run_hook as run

    hook_args = list(args.hook_args)
    if hook_args and hook_args[0] == "--":
        hook_args = hook_args[1:]
    stdin = None
    if args.name == "pre-push":
        stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    return run(args.name, hook_args, getattr(args, "project", None), getattr(args, "config", None), stdin=stdin)
