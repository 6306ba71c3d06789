"""gameops history: flaky, broken and slower tests and per-category trends over the last runs."""

from __future__ import annotations

import sys
from pathlib import Path


def register(sub, parents) -> None:
    p = sub.add_parser("history", parents=parents, help="flaky, broken and slower tests over the last runs",
                       description="Read the test records the last N `test` / `ci` / `report --record` runs left on the "
                                   "Prefect server (one query) and report flaky tests, broken tests (with the commit "
                                   "since which they fail), slowdowns, and pass rate and duration per category per run.")
    p.add_argument("--last", type=int, default=30, metavar="N", help="how many recorded runs to read (default 30)")
    p.add_argument("--category", metavar="NAME", help="only tests of this category")
    p.add_argument("--factor", type=float, default=2.0, metavar="X",
                   help="a median duration that grew by this factor counts as a slowdown (default 2)")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page (inline CSS and SVG)")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    from gameops import fileops, history
    from gameops.errors import BadInput

    if args.last < 1:
        raise BadInput(f"--last {args.last}: must be at least 1")
    if args.factor <= 1:
        raise BadInput(f"--factor {args.factor}: must be greater than 1")
    out = Path(args.html) if args.html else None
    if out is not None and out.is_dir():
        raise BadInput(f"--html {out}: is a folder, not a file")
    from gameops import project_name

    # the one value this command needs; the config model only when the file is not plain
    name = project_name.configured(args.project, args.config) or ctx.loaded().config.project.name
    runs = _read_runs(ctx, name, args.last)
    doc = history.analyze(runs, category=args.category, factor=args.factor)
    if out is not None and not args.dry_run:
        fileops.atomic_write_text(out, history.render_html(doc, f"Test history of {name}"))
        doc["html"] = str(out)
    if ctx.json:
        ctx.emit_json(doc)
        return 0
    sys.stdout.write(history.markdown(doc, f"Test history of {name}"))
    sys.stdout.flush()
    if out is not None:
        ctx.say(f"[dim]page: {out}{' (not written: --dry-run)' if args.dry_run else ''}[/dim]")
    return 0


def _read_runs(ctx, name: str, last: int):
    """The records over plain HTTP when the environment holds every Prefect client setting
    (no ``import prefect``: 1.5-2 s less); else through Prefect's client, which reads the rest."""
    import os

    from gameops import history_artifacts, prefect_api
    from gameops.console import esc

    if not os.environ.get("PREFECT_API_URL"):  # the home's running server, as flow commands find it
        from gameops.server import prepare_prefect_environment

        prepare_prefect_environment(ctx.verbose)
    decision = prefect_api.plain_settings()
    if decision.settings is None and not os.environ.get("PREFECT_API_URL") and prefect_api.no_api_url(decision):
        # No server anywhere (no URL in the environment or Prefect's settings files, the home's
        # server not running): the history lives in the home's server, started as a flow command
        # starts it, never Prefect's ephemeral server.
        from gameops.server import connect

        cfg = ctx._server_config()
        connect(ctx.verbose, cfg.host, cfg.port, cfg.database,
                announce=lambda text: ctx.say(f"[dim]{esc(text)}[/dim]", markup=True)).ready()
        decision = prefect_api.plain_settings()
    if decision.settings is None:
        from gameops.server import prepare_prefect_environment

        prepare_prefect_environment(ctx.verbose)  # Prefect's logging and analytics, before it is imported
        if ctx.verbose:
            ctx.say(f"[dim]reading the history through Prefect's client: {esc(decision.reason)}[/dim]")
        from gameops.tasks.history import read_runs

        return read_runs(name, last)
    with prefect_api.RestClient(decision.settings) as client:
        return history_artifacts.read_runs(client, name, last, decision.settings.ui_url)
