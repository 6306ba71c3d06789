"""gameops serve: the deployment table served from one process (no worker, no work pool)."""

from __future__ import annotations

import os

from gameops.console import esc
from gameops.errors import BadInput


def register(sub, parents) -> None:
    p = sub.add_parser("serve", parents=parents, help="serve the gameops deployments from this process (no worker)",
                       description="Register the gameops deployments (check, ci, release, roi and the scheduled maintenance "
                                   "flows; cron and time zone from schedules: in gameops.yaml) with the Prefect server and "
                                   "run them when due or asked, until stopped (Ctrl+C). --dry-run lists them. The per-OS "
                                   "export deployments are left to workers (gameops deploy).")
    p.add_argument("--only", action="append", default=None, metavar="NAME",
                   help="serve only this deployment (e.g. docs-sync, release); repeatable")
    p.add_argument("--limit", type=int, default=1, help="runs at the same time (default 1)")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    from gameops.deployments.table import project_parameters, select, table

    loaded = ctx.loaded()
    try:
        rows = select([d for d in table(loaded.config) if d.served], args.only)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    listed = [{"name": d.name, "entrypoint": d.entrypoint,
               "cron": d.schedule.cron if d.schedule else None,
               "timezone": d.schedule.timezone if d.schedule else None,
               "active": bool(d.schedule and d.schedule.active)} for d in rows]
    if ctx.dry_run:
        if ctx.json:
            ctx.emit_json({"deployments": listed})
        else:
            ctx.table("deployments to serve", ["name", "cron", "time zone", "flow"],
                      [(e["name"], (e["cron"] or "on demand") + ("" if e["active"] or not e["cron"] else " (inactive)"),
                        e["timezone"] or "", e["entrypoint"]) for e in listed])
        return 0
    from gameops.server import prepare_prefect_environment

    prepare_prefect_environment(ctx.verbose)
    if not os.environ.get("PREFECT_API_URL"):
        raise BadInput("no Prefect server: start one with `gameops server start` (or set PREFECT_API_URL); "
                       "schedules need a server that outlives this process")
    from gameops.deployments.serve import serve

    if not ctx.json:
        for e in listed:
            ctx.say(f"serving {esc(e['name'])}: " + (esc(f"cron {e['cron']} ({e['timezone']})") if e["active"] else "on demand"))
    serve(rows, project_parameters(loaded.root, loaded.file), limit=args.limit, announce=not ctx.json)
    return 0
