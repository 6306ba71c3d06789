"""gameops test: tests by category, TRX parsed, reports written; --watch re-runs on saves."""

from __future__ import annotations

from gameops.console import esc


def register(sub, parents) -> None:
    p = sub.add_parser("test", parents=parents, help="dotnet test by category, with reports",
                       description="Run the test categories of dotnet.categories in order (Architecture first, fail fast; "
                                   "on-request ones such as Performance only when named). Writes TRX, test-summary.md, "
                                   "test-results.json and junit.xml to dotnet.results_dir.")
    p.add_argument("--category", action="append", metavar="NAME", help="run only this category (repeatable)")
    p.add_argument("--filter", metavar="EXPR", help='a dotnet test --filter expression instead of categories')
    p.add_argument("--coverage", action="store_true", help='collect coverage (--collect:"XPlat Code Coverage")')
    p.add_argument("--watch", action="store_true", help="re-run the quick categories when .cs/.csproj files are saved")
    p.set_defaults(handler=run)


def print_summary(ctx, doc: dict) -> None:
    failed = [t for t in doc.get("tests", []) if t.get("status") == "failed"]
    if failed:
        ctx.table("Failed tests", ["test", "outcome", "message"],
                  [(t["name"], t["outcome"], (t["message"] or "").split("\n", 1)[0][:200]) for t in failed[:40]])
    for e in doc.get("run_errors", []):
        ctx.say(f"[red]run error[/red]: {esc(e)}")
    cov = doc.get("coverage")
    line = (f"{doc['total']} tests: {doc['passed']} passed, {doc['failed']} failed, {doc['skipped']} skipped"
            + (f"; line coverage {cov:.1%}" if cov is not None else ""))
    ctx.say(("[green]ok[/green] " if doc.get("ok") else "[red]FAILED[/red] ") + esc(line))
    if doc.get("not_run"):
        ctx.say(f"[yellow]not run[/yellow] (a fail-fast category failed): {esc(', '.join(doc['not_run']))}")


def run(args, ctx) -> int:
    loaded = ctx.loaded()
    if args.watch:
        return watch(args, ctx, loaded)
    doc, code = ctx.run_job("gameops.flows.test:test", categories=args.category, filter=args.filter, coverage=args.coverage)
    if ctx.json:
        ctx.emit_json(doc)
    else:
        print_summary(ctx, doc)
    return code


def watch(args, ctx, loaded) -> int:
    """The watch loop runs the core directly (no Prefect): feedback in seconds matters more here."""
    from gameops import dotnet, reports
    from gameops.results.model import Summary
    from gameops.watch import watch as watch_loop

    dotnet.target(loaded)
    cats = dotnet.categories_to_run(loaded, args.category, args.filter, quick_only=not (args.category or args.filter))

    def once(changed: set[str] | None = None) -> None:
        if changed:
            names = sorted({p.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] for p in changed})
            ctx.say(f"[dim]changed: {esc(', '.join(names[:5]))}{' …' if len(names) > 5 else ''}[/dim]")
        runs, _ = dotnet.run_in_order(cats, lambda i, cat: dotnet.run_tests(loaded, cat, no_build=i > 0))
        summary = Summary([f for run in runs for f in run.files])
        for t in summary.failures()[:10]:
            ctx.say(" ", ctx.mark(False), f"{t.name}: {(t.message or t.outcome).splitlines()[0][:150]}", markup=False)
        for e in summary.run_errors[:3]:
            ctx.say(f"  [red]run error[/red] {esc(e[:300])}")
        ctx.say(("[green]ok[/green] " if summary.ok and summary.has_tests else "[red]FAILED[/red] ") + esc(reports.headline(summary)))
        ctx.say("[dim]watching .cs/.csproj files; Ctrl+C stops[/dim]")

    once()
    watch_loop(loaded.root, once)
    ctx.say("stopped watching")
    return 0
