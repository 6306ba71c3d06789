"""gameops setup: onboarding, from prerequisites to the first green quick tests."""

from __future__ import annotations

from gameops.console import esc


_STYLE = {"ok": "green", "done": "cyan", "warn": "yellow", "skipped": "dim", "failed": "red"}


def register(sub, parents) -> None:
    p = sub.add_parser("setup", parents=parents, help="onboarding: prerequisites, hooks, first build and tests",
                       description="Set up this machine for the game repository: prerequisites with versions and install "
                                   "hints, Python dependencies, git hooks, Godot import, first build and quick tests (C#), "
                                   "then the next steps. Running it again changes nothing and says so.")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    report, code = ctx.run_job("gameops.flows.setup:setup", dry_run=ctx.dry_run)
    if ctx.json:
        ctx.emit_json(report)
        return code
    from rich.text import Text

    rows = []
    for s in report["steps"]:
        detail = Text(s["detail"])
        if s["hint"] and s["status"] in ("failed", "warn"):
            detail.append(f"\nfix: {s['hint']}", style="dim")
        rows.append((Text(s["status"], style=_STYLE.get(s["status"], "")), s["name"], detail))
    ctx.table(None, ["", "step", "detail"], rows)
    colour = "red" if not report["ok"] else ("green" if not report["changed"] else "cyan")
    ctx.say(f"[{colour}]{esc(report['message'])}[/{colour}]")
    ctx.say("next steps:")
    for n in report["next_steps"]:
        ctx.say(f"  - {n}", markup=False)
    return code
