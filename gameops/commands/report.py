"""gameops report: summarize TRX / JUnit / Cobertura files produced elsewhere (no Prefect unless --record)."""

from __future__ import annotations

import sys
from pathlib import Path

from gameops.console import esc
from gameops.errors import EXIT_FAILED


def register(sub, parents) -> None:
    p = sub.add_parser("report", parents=parents, help="summarize TRX / JUnit / Cobertura files",
                       description="Read test result files (TRX, JUnit XML, Cobertura; folders are searched) and print a "
                                   "report: markdown (default), json or junit on stdout. Exit 1 when a test failed or a "
                                   "run broke, 2 when a file is unreadable.")
    p.add_argument("--format", choices=("md", "json", "junit"), default="md", help="output format (default md)")
    p.add_argument("--record", action="store_true",
                   help="also add the results to the project's test history (a Prefect run; see `gameops history`)")
    p.add_argument("--commit", metavar="SHA", help="with --record: the commit the results are of (default: the project's HEAD)")
    p.add_argument("--branch", metavar="NAME", help="with --record: the branch (default: the project's current branch)")
    p.add_argument("files", nargs="+", metavar="FILE", help="result files or folders")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    from gameops import reports, results

    summary = results.read_many(args.files)  # BadInput (exit 2) names the unreadable file
    if args.record and not args.dry_run:
        _record(args, ctx, summary)
    if ctx.json:
        ctx.emit_json(reports.as_json(summary))
    else:
        sys.stdout.write(reports.render(summary, args.format))
        sys.stdout.flush()
        for warning in summary.warnings:
            ctx.warn(warning)
        ctx.say(("[green]ok[/green] " if summary.ok else "[red]FAILED[/red] ") + esc(reports.headline(summary)))
    return 0 if summary.ok else EXIT_FAILED


def _record(args, ctx, summary) -> None:
    from gameops.errors import BadInput

    if not summary.has_tests:
        raise BadInput("--record: no TRX or JUnit file among " + ", ".join(args.files))
    if args.commit is not None and not args.commit.strip():
        raise BadInput("--commit: empty")
    ctx.loaded()  # a bad config is bad input before anything is recorded
    ctx.run_flow("gameops.flows.history:record", project=str(ctx.loaded().root),
                 config=str(ctx.loaded().file) if ctx.loaded().file else None,
                 files=[str(Path(f).resolve()) for f in args.files], commit=args.commit, branch=args.branch)
