"""gameops deploy: `prefect deploy --all` for this checkout's prefect.yaml, set up for one game repository.

What it adds to the plain Prefect command:
- ``GAMEOPS_PROJECT`` (the game repository) for the templates in prefect.yaml; a non-default
  ``--config`` becomes the ``config`` parameter. ``GAMEOPS_CODE_DIR`` is NOT set: the pull
  step resolves it on each worker (its own gameops checkout) unless the deploying shell sets it;
- the OS pools of the export deployments from ``release.work_pools``;
- the work pools are created when missing (process pools);
- a Prefect server is required (a gameops-started one, or PREFECT_API_URL): deployments,
  schedules and workers cannot live on the ephemeral server.
"""

from __future__ import annotations

from gameops.console import esc
from gameops.errors import BadInput, JobFailed


def register(sub, parents) -> None:
    p = sub.add_parser("deploy", parents=parents, help="deploy every gameops flow to the Prefect server (prefect deploy --all)",
                       description="Create or update the deployments of prefect.yaml for this game repository: check, ci, "
                                   "release, roi, per-OS exports and the scheduled maintenance flows; creates missing work pools.")
    p.add_argument("--only", action="append", metavar="NAME", default=None,
                   help="deploy only this deployment (repeatable), e.g. --only release --only export-windows")
    p.add_argument("--prefect-file", metavar="FILE", default=None,
                   help="default: prefect.yaml of the gameops checkout (entrypoints are relative to that checkout)")
    p.set_defaults(handler=run)


def plan(loaded, prefect_file, only: list[str] | None) -> tuple[dict, list[dict]]:
    """The prefect.yaml document to deploy (pools and config applied) and its selected deployments."""
    import yaml

    from gameops.deployments.schedules import entries

    try:
        doc = yaml.safe_load(prefect_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BadInput(f"{prefect_file}: cannot read deployments: {exc}") from None
    deps = doc.get("deployments") if isinstance(doc, dict) else None
    if not isinstance(deps, list):
        raise BadInput(f"{prefect_file}: no deployments: list")
    names = [d.get("name") for d in deps]
    unknown = [n for n in only or [] if n not in names]
    if unknown:
        raise BadInput(f"--only {unknown[0]}: no such deployment in {prefect_file.name} (have: {', '.join(map(str, names))})")
    # release.work_pools as written: a platform the user left out exports on the caller
    pools = loaded.config.release.work_pools
    # schedules from this project's gameops.yaml (prefect.yaml's block holds the defaults)
    crons = {e["name"]: e for e in entries(loaded.config.schedules)}
    custom_config = loaded.file is not None and loaded.file != loaded.root / "gameops.yaml"
    for d in deps:
        params = d.get("parameters") or {}
        entry = str(d.get("entrypoint", ""))
        if entry.endswith(":export_platform") and params.get("platform") in pools:
            d.setdefault("work_pool", {})["name"] = pools[params["platform"]]
        if d.get("name") in crons and d.get("schedules"):
            e = crons[d["name"]]
            d["schedules"] = [{**d["schedules"][0], "cron": e["cron"], "timezone": e["timezone"]}]
        if custom_config and "project" in params:
            params["config"] = str(loaded.file)
    selected = [d for d in deps if not only or d.get("name") in only]
    doc["deployments"] = selected
    return doc, selected


def run(args, ctx) -> int:
    import tempfile
    from pathlib import Path

    import yaml

    from gameops.deployments.work_pools import CODE_ROOT, ensure_pools
    from gameops.process import run as run_process
    from gameops.server import prefect_executable, prepare_prefect_environment

    loaded = ctx.loaded()
    prefect_file = Path(args.prefect_file).resolve() if args.prefect_file else CODE_ROOT / "prefect.yaml"
    if not prefect_file.is_file():
        raise BadInput(f"{prefect_file}: not found")
    doc, selected = plan(loaded, prefect_file, args.only)
    rows = [{"name": d["name"], "entrypoint": d.get("entrypoint"), "work_pool": (d.get("work_pool") or {}).get("name"),
             "schedule": " ".join(f"{s.get('cron')} ({s.get('timezone')})" for s in d.get("schedules") or [])}
            for d in selected]
    if ctx.dry_run:
        if ctx.json:
            ctx.emit_json({"deployed": False, "deployments": rows})
        else:
            ctx.table("would deploy (dry run)", ["deployment", "entrypoint", "work pool", "schedule"],
                      [(r["name"], r["entrypoint"], r["work_pool"], r["schedule"]) for r in rows])
        return 0
    api = prepare_prefect_environment(ctx.verbose)
    if not api:
        raise BadInput("gameops deploy needs a Prefect server: run `gameops server start`, or set PREFECT_API_URL")
    created = ensure_pools([r["work_pool"] for r in rows if r["work_pool"]])
    # GAMEOPS_CODE_DIR is left to the workers: unset here, the pull step's "{{ $GAMEOPS_CODE_DIR }}"
    # is resolved on each worker when a run starts, so every machine uses its own checkout.
    env = {"GAMEOPS_PROJECT": str(loaded.root), "PREFECT_API_URL": api, "PYTHONUTF8": "1"}
    with tempfile.TemporaryDirectory(prefix="gameops-deploy-") as tmp:
        effective = Path(tmp) / "prefect.yaml"
        effective.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
        argv = [prefect_executable(), "--no-prompt", "deploy", "--all", "--prefect-file", str(effective)]
        out = run_process(argv, cwd=CODE_ROOT, env=env, timeout_s=600,
                          on_line=(lambda line: ctx.console.print(line, markup=False, highlight=False))
                          if ctx.verbose and not ctx.json else None)
    if not out.ok:
        tail = " | ".join(line.strip() for line in out.lines[-6:] if line.strip())
        raise JobFailed(f"prefect deploy failed ({out.returncode}): {tail}")
    if ctx.json:
        ctx.emit_json({"deployed": True, "api_url": api, "pools_created": created, "deployments": rows})
    else:
        ctx.table(f"deployed to {api}", ["deployment", "entrypoint", "work pool", "schedule"],
                  [(r["name"], r["entrypoint"], r["work_pool"], r["schedule"]) for r in rows])
        if created:
            ctx.say("created work pools: " + esc(", ".join(created)))
        ctx.say("[dim]start a worker per pool: prefect worker start --pool NAME (with GAMEOPS_CODE_DIR set to its gameops checkout)[/dim]")
    return 0
