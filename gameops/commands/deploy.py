"""gameops deploy: the deployment table (gameops/deployments/table.py) applied to the Prefect server.

For one game repository: every deployment gets its ``project`` parameter (and a non-default
``--config``); export deployments are one per platform of ``release.work_pools``; schedules
come from ``schedules:``. Missing work pools are created (process pools), then the table is
applied through Prefect's Python API (``flow.to_deployment`` + ``prefect.deploy``). Entrypoints
are module paths, so workers run the flows of their installed gameops package.
A Prefect server is required (a gameops-started one, or PREFECT_API_URL): deployments,
schedules and workers cannot live on the ephemeral server.
"""

from __future__ import annotations

from gameops.errors import BadInput, JobFailed


def register(sub, parents) -> None:
    p = sub.add_parser("deploy", parents=parents, help="deploy every gameops flow to the Prefect server",
                       description="Create or update the gameops deployments for this game repository: check, ci, "
                                   "release, roi, one export per platform of release.work_pools and the scheduled "
                                   "maintenance flows; creates missing work pools.")
    p.add_argument("--only", action="append", metavar="NAME", default=None,
                   help="deploy only this deployment (repeatable), e.g. --only release --only export-windows")
    p.set_defaults(handler=run)


def _schedule(d) -> str:
    if not d.schedule:
        return ""
    return f"{d.schedule.cron} ({d.schedule.timezone})" + ("" if d.schedule.active else " inactive")


def run(args, ctx) -> int:
    from gameops.deployments.table import project_parameters, select, table

    loaded = ctx.loaded()
    try:
        rows = select(table(loaded.config), args.only)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    listed = [{"name": d.name, "entrypoint": d.entrypoint, "work_pool": d.work_pool, "schedule": _schedule(d)}
              for d in rows]
    columns = ["deployment", "entrypoint", "work pool", "schedule"]
    table_rows = [(r["name"], r["entrypoint"], r["work_pool"], r["schedule"]) for r in listed]
    if ctx.dry_run:
        if ctx.json:
            ctx.emit_json({"deployed": False, "deployments": listed})
        else:
            ctx.table("would deploy (dry run)", columns, table_rows)
        return 0
    from gameops.server import prepare_prefect_environment

    api = prepare_prefect_environment(ctx.verbose)
    if not api:
        raise BadInput("gameops deploy needs a Prefect server: run `gameops server start`, or set PREFECT_API_URL")
    from gameops.deployments.serve import apply
    from gameops.deployments.work_pools import ensure_pools

    created = ensure_pools([d.work_pool for d in rows])
    try:
        ids = apply(rows, project_parameters(loaded.root, loaded.file))
    except (RuntimeError, ValueError) as exc:
        raise JobFailed(f"deploying failed: {exc}") from None
    for r in listed:
        r["id"] = ids.get(r["name"])
    if ctx.json:
        ctx.emit_json({"deployed": True, "api_url": api, "pools_created": created, "deployments": listed})
    else:
        ctx.table(f"deployed to {api}", columns, table_rows)
        if created:
            ctx.say("created work pools: " + ", ".join(created))
        pools = sorted({d.work_pool for d in rows})
        ctx.say(f"[dim]start a worker per pool where gameops is installed: prefect worker start --pool NAME "
                f"({', '.join(pools)})[/dim]")
    return 0
