"""gameops ci: check, build, tests by category, quality gates, reports."""

from __future__ import annotations


def register(sub, parents) -> None:
    p = sub.add_parser("ci", parents=parents, help="check, build, tests by category, quality gates, reports",
                       description="The whole CI job as one flow: checks, dotnet build, tests by category with coverage, "
                                   "quality gates (coverage, architecture rules, vulnerable packages, committed secrets) "
                                   "and reports. Exit 0 only when everything passed.")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    doc, code = ctx.run_job("gameops.flows.ci:ci")
    if ctx.json:
        ctx.emit_json(doc)
        return code
    print_report(ctx, doc)
    return code


def print_report(ctx, doc: dict) -> None:
    ctx.table(None, ["", "gate", "detail"], [
        (ctx.styled("skip", "dim") if g.get("skipped") else ctx.mark(g["ok"]), g["name"], g["detail"]) for g in doc["gates"]])
    if doc["build"] is not None:
        b = doc["build"]
        ctx.say(f"build: {'[green]ok[/green]' if b['ok'] else '[red]FAILED[/red]'}, {len(b['errors'])} error(s), {len(b['warnings'])} warning(s)")
    ctx.say(f"tests: {doc['total']} total, {doc['passed']} passed, {doc['failed']} failed, {doc['skipped']} skipped"
            + (f", coverage {doc['coverage']:.1%}" if doc.get("coverage") is not None else ""))
    if doc["failures"]:
        ctx.say("[red]What failed:[/red]")
        for f in doc["failures"][:30]:
            ctx.say(f"  - {f}", markup=False)
    ctx.say("[green]ci passed[/green]" if doc["ok"] else f"[red]ci FAILED[/red] ({len(doc['failures'])} problem(s))")
