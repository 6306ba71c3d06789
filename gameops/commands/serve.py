"""gameops serve: run the scheduled deployments (docs sync, backlog archive, test metrics) from one process."""

from __future__ import annotations

import os

from gameops.console import esc
from gameops.errors import BadInput


def register(sub, parents) -> None:
    p = sub.add_parser("serve", parents=parents, help="serve every scheduled deployment from this process (no worker)",
                       description="Register the scheduled deployments (cron and time zone from schedules: in gameops.yaml) "
                                   "with the Prefect server and run them when due, until stopped (Ctrl+C). --dry-run lists them.")
    p.add_argument("--only", action="append", default=None, metavar="NAME",
                   help="serve only this deployment (docs-sync, backlog-archive, test-metrics); repeatable")
    p.add_argument("--limit", type=int, default=1, help="runs at the same time (default 1)")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    from gameops.deployments.schedules import SCHEDULED, entries

    loaded = ctx.loaded()
    known = [s.name for s in SCHEDULED]
    for name in args.only or []:
        if name not in known:
            raise BadInput(f"--only {name}: unknown deployment (known: {', '.join(known)})")
    listed = [e for e in entries(loaded.config.schedules) if not args.only or e["name"] in args.only]
    if ctx.dry_run:
        if ctx.json:
            ctx.emit_json({"deployments": listed})
        else:
            ctx.table("scheduled deployments", ["name", "cron", "time zone", "flow"],
                      [(e["name"], e["cron"], e["timezone"], e["entrypoint"]) for e in listed])
        return 0
    from gameops.server import prepare_prefect_environment

    prepare_prefect_environment(ctx.verbose)
    if not os.environ.get("PREFECT_API_URL"):
        raise BadInput("no Prefect server: start one with `gameops server start` (or set PREFECT_API_URL); "
                       "schedules need a server that outlives this process")
    from gameops.deployments.serve import build, serve

    deployments, notes = build(loaded, args.only)
    for n in notes:
        ctx.warn(n)
    if not deployments:
        raise BadInput("no scheduled deployment could be loaded")
    if not ctx.json:
        for e in listed:
            ctx.say(f"serving {esc(e['name'])}: cron {esc(e['cron'])} ({esc(e['timezone'])})")
    serve(deployments, limit=args.limit, announce=not ctx.json)
    return 0
