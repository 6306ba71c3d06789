"""gameops backlog archive | verify."""

from __future__ import annotations

from datetime import date

from gameops.console import esc
from gameops.errors import EXIT_FAILED, BadInput


def _date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadInput(f"--date {text}: expected YYYY-MM-DD") from None


def register(sub, parents) -> None:
    p = sub.add_parser("backlog", parents=parents, help="archive done items; verify the backlog and archive agree")
    s = p.add_subparsers(dest="backlog_command", metavar="ACTION", required=True)
    a = s.add_parser("archive", parents=parents, help="move done and rejected items to the archive (--dry-run: show the diff)",
                     description="Done and rejected items leave the backlog for the archive (inline layout: every line of the "
                                 "item into the archive's Completed or Rejected section; table layout: file moved to the quarter folder, link rewritten, row "
                                 "marked archived). Verified, journaled file operations; never overwrites.")
    a.add_argument("--commit", action="store_true", help="commit the change on branch chore/backlog-archive-<date> (never on a protected branch)")
    a.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="archive date (default: today)")
    a.set_defaults(handler=run_archive)
    v = s.add_parser("verify", parents=parents, help="every item in exactly one place, marked for that place (exit 1 if not)")
    v.set_defaults(handler=run_verify)


def _print_archive(ctx, report: dict) -> None:
    if report.get("diff") and report["dry_run"]:
        ctx.console.print(report["diff"], markup=False, highlight=False, soft_wrap=True, end="")
    for note in report.get("recovered", []):
        ctx.say(f"[yellow]recovery:[/yellow] {esc(note)}")
    verb = "would archive" if report["dry_run"] else "archived"
    for a in report["archived"]:
        ctx.say(f"{ctx.mark(True)} {verb} {esc(a['id'])} ({esc(a['kind'])}) -> {esc(a['to'])}"
                + (f" (finishes an interrupted move: {esc(a['finished'])})" if a.get("finished") else ""))
    for s in report["skipped"]:
        ctx.say(f"{ctx.mark(False)} {esc(s['id'])}: {esc(s['reason'])}")
    if not report["archived"] and not report["skipped"]:
        ctx.say("nothing to archive")
    if report.get("commit"):
        c = report["commit"]
        ctx.say(f"committed on branch {esc(c['branch'])}" + (f", pushed to {esc(c['remote'])}" if c["pushed"] else ""))


def run_archive(args, ctx) -> int:
    loaded = ctx.loaded()
    today = _date(args.date) if args.date else None
    code = 0
    if ctx.dry_run:  # read-only: no Prefect needed, nothing written anywhere
        from gameops import archive

        report = archive.run(loaded, date.fromisoformat(today) if today else None, dry_run=True)
    else:
        report, code = ctx.run_job("gameops.flows.backlog_archive:backlog_archive", commit=args.commit, today=today)
    if ctx.json:
        ctx.emit_json(report)
    else:
        _print_archive(ctx, report)
    return code if report.get("ok", False) or code else EXIT_FAILED


def run_verify(args, ctx) -> int:
    from gameops import backlog_verify

    result = backlog_verify.verify(ctx.loaded())
    if ctx.json:
        ctx.emit_json(result)
    else:
        failed = [i for i in result["items"] if not i["ok"]]
        if failed:
            ctx.table("BACKLOG ARCHIVE VERIFICATION", ["", "id", "status", "errors"],
                      [(ctx.mark(False), i["id"], i["status"], "\n".join(i["errors"])) for i in failed])
        for i in result["items"]:
            for w in i["warnings"]:
                ctx.warn(w)
        ctx.say(f"{result['total']} item(s) checked: {result['passed']} passed, {result['failed']} failed"
                + ("" if failed else " - all verifications passed"))
    return 0 if result["ok"] else EXIT_FAILED
