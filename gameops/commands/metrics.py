"""gameops metrics: test counts per category from TRX; --update-docs rewrites the statistics block."""

from __future__ import annotations

from gameops.console import esc


def register(sub, parents) -> None:
    p = sub.add_parser("metrics", parents=parents, help="test counts per category (from TRX); update the docs",
                       description="Run every test category and count the tests from the TRX results. With --update-docs, "
                                   "rewrite the '📊 Current Statistics' block of docs.statistics_file (nothing is written "
                                   "when the numbers did not change; a missing block is a warning).")
    p.add_argument("--update-docs", action="store_true", help="rewrite the statistics block")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    doc, code = ctx.run_job("gameops.flows.metrics:metrics", update_docs=args.update_docs, dry_run=ctx.dry_run)
    if ctx.json:
        ctx.emit_json(doc)
        return code
    if "categories" in doc:
        ctx.table(None, ["category", "tests"], [*doc["categories"].items(), ("total", doc["total"])])
    for e in doc.get("run_errors", []):
        ctx.say(f"[red]run error[/red]: {esc(e)}")
    docs = doc.get("docs")
    if docs:
        if not docs["block_found"]:
            ctx.warn(f"{docs['file']}: no '📊 Current Statistics' block; nothing changed")
        elif not docs["changed"]:
            ctx.say(f"{esc(docs['file'])}: statistics unchanged; nothing written")
        elif ctx.dry_run:
            ctx.say(f"{docs['file']}: would write:\n" + "\n".join(docs["new"]), markup=False)
        else:
            ctx.say(f"{esc(docs['file'])}: statistics updated")
    elif not args.update_docs:
        ctx.say("[dim]use --update-docs to write these numbers into the docs[/dim]")
    return code
