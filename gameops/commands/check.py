"""gameops check: tools and files needed by the project."""

from __future__ import annotations


def register(sub, parents) -> None:
    p = sub.add_parser("check", parents=parents, help="tools and files needed by the project",
                       description="Check tools and versions, required files, the Godot project and export presets, and the git state.")
    p.set_defaults(handler=run)


def print_checks(ctx, report: dict) -> None:
    ctx.table(None, ["", "check", "detail"], [(ctx.mark(c["ok"]), c["name"], c["detail"]) for c in report["checks"]])
    for c in report["checks"]:
        if not c["ok"]:
            ctx.say(ctx.mark(False), f"{c['name']}: {c['detail']}", markup=False)
            if c.get("hint"):
                ctx.say(f"    fix: {c['hint']}", markup=False)


def run(args, ctx) -> int:
    report, code = ctx.run_job("gameops.flows.check:check")
    if ctx.json:
        ctx.emit_json(report)
    else:
        print_checks(ctx, report)
        failed = [c for c in report["checks"] if not c["ok"]]
        ctx.say(f"[red]{len(failed)} check(s) failed[/red]" if failed else "[green]all checks passed[/green]")
    return code
