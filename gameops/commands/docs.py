"""gameops docs sync [--check-links]."""

from __future__ import annotations

from datetime import date

from gameops.console import esc
from gameops.errors import EXIT_FAILED


def register(sub, parents) -> None:
    p = sub.add_parser("docs", parents=parents, help="keep docs in step with the backlog")
    s = p.add_subparsers(dest="docs_command", metavar="ACTION", required=True)
    sync = s.add_parser("sync", parents=parents, help="recompute backlog summaries, stamp Last Updated where changed, check links",
                        description="Recompute the <!-- gameops:backlog-summary --> blocks from the backlog, stamp "
                                    "'Last Updated' only in files whose content changed, and check internal links.")
    sync.add_argument("--check-links", action="store_true", help="exit 1 when an internal link is broken")
    sync.add_argument("--commit", action="store_true", help="commit the change on branch chore/docs-sync-<date>")
    sync.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="date stamped (default: today)")
    sync.set_defaults(handler=run_sync)


def run_sync(args, ctx) -> int:
    from gameops.commands.backlog import _date

    loaded = ctx.loaded()
    today = _date(args.date) if args.date else None
    code = 0
    if ctx.dry_run:
        from gameops import docs_sync

        report = docs_sync.run(loaded, date.fromisoformat(today) if today else None,
                               check_links_fail=args.check_links, dry_run=True)
    else:
        report, code = ctx.run_job("gameops.flows.docs_sync:docs_sync", check_links_fail=args.check_links,
                                   commit=args.commit, today=today)
    if ctx.json:
        ctx.emit_json(report)
    else:
        if report["diff"]:
            ctx.console.print(report["diff"], markup=False, highlight=False, soft_wrap=True, end="")
        verb = "would update" if report["dry_run"] else "updated"
        for f in report["changed_files"]:
            ctx.say(f"{verb} {esc(f)}")
        for f in report["missing_markers"]:
            ctx.warn(f"{f}: listed in docs.summary_files but has no <!-- gameops:backlog-summary --> block")
        for b in report["broken_links"]:
            ctx.say(f"{ctx.mark(False)} broken link {esc(b['file'])}:{b['line']}: {esc(b['target'])}")
        ctx.say(f"{report['files_scanned']} file(s), {report['links_checked']} internal link(s) checked, "
                f"{len(report['broken_links'])} broken; {len(report['changed_files'])} file(s) {verb}")
    return code if code else (0 if report["ok"] else EXIT_FAILED)
