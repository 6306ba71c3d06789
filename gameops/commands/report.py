"""gameops report: summarize TRX / JUnit / Cobertura files produced elsewhere (no Prefect)."""

from __future__ import annotations

import sys

from gameops.console import esc
from gameops.errors import EXIT_FAILED


def register(sub, parents) -> None:
    p = sub.add_parser("report", parents=parents, help="summarize TRX / JUnit / Cobertura files",
                       description="Read test result files (TRX, JUnit XML, Cobertura; folders are searched) and print a "
                                   "report: markdown (default), json or junit on stdout. Exit 1 when a test failed or a "
                                   "run broke, 2 when a file is unreadable.")
    p.add_argument("--format", choices=("md", "json", "junit"), default="md", help="output format (default md)")
    p.add_argument("files", nargs="+", metavar="FILE", help="result files or folders")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    from gameops import reports, results

    summary = results.read_many(args.files)  # BadInput (exit 2) names the unreadable file
    if ctx.json:
        ctx.emit_json(reports.as_json(summary))
    else:
        sys.stdout.write(reports.render(summary, args.format))
        sys.stdout.flush()
        for warning in summary.warnings:
            ctx.warn(warning)
        ctx.say(("[green]ok[/green] " if summary.ok else "[red]FAILED[/red] ") + esc(reports.headline(summary)))
    return 0 if summary.ok else EXIT_FAILED
