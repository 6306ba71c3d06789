"""gameops deploy: the deployment table (gameops/deployments/table.py) applied to the Prefect server.

For one game repository: every deployment gets its ``project`` parameter (and a non-default
``--config``); export deployments are one per platform of ``release.work_pools``; schedules
come from ``schedules:``. Missing work pools are created (process pools), then the table is
applied through Prefect's Python API (``flow.to_deployment`` + ``prefect.deploy``). Entrypoints
are module paths, so workers run the flows of their installed gameops package. With
``alerts.webhook_url`` or ``alerts.notification_block`` configured, a notification block and an
automation are put on the server too: failed or crashed runs of this project's deployments
notify the team from the server itself.
A Prefect server is required (a gameops-started one, or PREFECT_API_URL): deployments,
schedules and workers cannot live on the ephemeral server.
"""

from __future__ import annotations

from gameops.console import esc
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
    from gameops.alerts import server_alert
    from gameops.deployments.table import project_parameters, select, table

    loaded = ctx.loaded()
    alerts_cfg = loaded.config.alerts
    alert = server_alert(loaded.config.project.name or loaded.root.name, alerts_cfg.webhook_url,
                         alerts_cfg.notification_block)
    try:
        rows = select(table(loaded.config), args.only)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    listed = [{"name": d.name, "entrypoint": d.entrypoint, "work_pool": d.work_pool, "schedule": _schedule(d)}
              for d in rows]
    columns = ["deployment", "entrypoint", "work pool", "schedule"]
    table_rows = [(r["name"], r["entrypoint"], r["work_pool"], r["schedule"]) for r in listed]
    planned_alerts = {"automation": alert.automation, "block": alert.block} if alert else None
    if ctx.dry_run:
        if ctx.json:
            ctx.emit_json({"deployed": False, "deployments": listed, "alerts": planned_alerts})
        else:
            ctx.table("would deploy (dry run)", columns, table_rows)
            if alert:
                ctx.say(f"would set up alerts: automation '{alert.automation}' -> block {alert.block}")
        return 0
    from gameops.server import prepare_prefect_environment

    api = prepare_prefect_environment(ctx.verbose)
    if not api:
        raise BadInput("gameops deploy needs a Prefect server: run `gameops server start`, or set PREFECT_API_URL")
    from gameops.deployments.serve import apply
    from gameops.deployments.work_pools import ensure_pools

    created = ensure_pools([d.work_pool for d in rows])
    params = project_parameters(loaded.root, loaded.file)
    try:
        ids = apply(rows, params)
    except (RuntimeError, ValueError) as exc:
        raise JobFailed(f"deploying failed: {exc}") from None
    for r in listed:
        r["id"] = ids.get(r["name"])
    alerts_made = None
    if alert:
        from gameops.deployments.serve import deployed_ids
        from gameops.flows.alerts import ensure_server_alerts

        try:  # every deployment of this project on the server, not only the ones of --only
            alerts_made = ensure_server_alerts(alert, deployed_ids(table(loaded.config), params["project"]))
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    if ctx.json:
        ctx.emit_json({"deployed": True, "api_url": api, "pools_created": created, "deployments": listed,
                       "alerts": alerts_made})
    else:
        ctx.table(f"deployed to {api}", columns, table_rows)
        if created:
            ctx.say("created work pools: " + esc(", ".join(created)))
        if alerts_made:
            ctx.say(esc(f"alerts: automation '{alerts_made['automation']}' sends to block {alerts_made['block']} ")
                    + "(UI: Automations, Blocks)")
        pools = sorted({d.work_pool for d in rows})
        ctx.say(f"[dim]start a worker per pool where gameops is installed: prefect worker start --pool NAME "
                f"({esc(', '.join(pools))})[/dim]")
    return 0
