"""gameops roi: time saved per job, from real run history on the Prefect server."""

from __future__ import annotations

from gameops.console import esc
from gameops.errors import BadInput


def register(sub, parents) -> None:
    p = sub.add_parser("roi", parents=parents, help="time saved, from real run history",
                       description="Per job: completed runs, minutes by hand (manual_minutes in gameops.yaml), "
                                   "actual run time, time saved per run and per month. No run history, no savings claimed.")
    p.add_argument("--days", type=int, default=30, metavar="N", help="look back N days (default 30)")
    p.set_defaults(handler=run)


def print_report(ctx, report: dict) -> None:
    from gameops.roi import hours

    if not report["claimed"]:
        for note in report["notes"]:
            ctx.say(esc(note))
        return
    ctx.table(f"Time saved on {report.get('project') or 'the project'}, last {report['days']} day(s)",
              ["job", "runs", "by hand / run", "automated / run", "saved / run", "saved", "saved / month"],
              [(j["job"], j["runs"], f"{j['manual_minutes']:.1f} min", f"{j['actual_minutes']:.2f} min",
                f"{j['saved_per_run_minutes']:.1f} min", hours(j["saved_minutes"]), hours(j["saved_per_month_minutes"]))
               for j in report["jobs"]])
    ctx.say(f"total: {hours(report['saved_minutes'])} in {report['runs']} run(s), "
            f"about {hours(report['saved_per_month_minutes'])} a month")
    for note in report["notes"]:
        ctx.say(f"[dim]{esc(note)}[/dim]")


def run(args, ctx) -> int:
    if args.days <= 0:
        raise BadInput(f"--days {args.days}: must be a positive number of days")
    loaded = ctx.loaded()
    report = ctx.run_flow("gameops.flows.roi:roi", project=str(loaded.root),
                          config=str(loaded.file) if loaded.file else None, days=args.days)
    if ctx.json:
        ctx.emit_json(report)
    else:
        print_report(ctx, report)
    return 0
