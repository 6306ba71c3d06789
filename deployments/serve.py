"""``gameops serve``: every scheduled deployment served from one process, no worker or work pool.

For a small team: one long-lived process (systemd, a Windows service, or a terminal) next to
a Prefect server (``gameops server start``). Schedules come from the game repository's
config; each run executes in a subprocess of this one.
"""

from __future__ import annotations

import importlib

from gameops.deployments.schedules import SCHEDULED, Scheduled
from gameops.config import Loaded



def load_flow(s: Scheduled):
    """The flow object of a scheduled deployment (ImportError when its module is missing)."""
    path, _, name = s.entrypoint.partition(":")
    module = path.removesuffix(".py").replace("/", ".")
    return getattr(importlib.import_module(module), name)


def build(loaded: Loaded, only: list[str] | None = None) -> tuple[list, list[str]]:
    """(deployments, notes): a RunnerDeployment per scheduled flow, with its cron schedule."""
    from prefect.schedules import Cron

    cfg = loaded.config.schedules
    deployments, notes = [], []
    params_base = {"project": str(loaded.root)}
    if loaded.file:
        params_base["config"] = str(loaded.file)
    for s in SCHEDULED:
        if only and s.name not in only:
            continue
        try:
            flow = load_flow(s)
        except (ImportError, AttributeError) as exc:
            notes.append(f"{s.name}: not served ({s.entrypoint}: {exc})")
            continue
        deployments.append(flow.to_deployment(
            name=s.name, schedule=Cron(s.cron(cfg), timezone=cfg.timezone), description=s.description,
            parameters={**params_base, **s.parameters}, tags=["gameops", "scheduled"], concurrency_limit=1,
        ))
    return deployments, notes


def serve(deployments: list, limit: int = 1, announce: bool = True) -> None:
    """Serve ``deployments`` until interrupted. Stopping does not pause their schedules."""
    from prefect import serve as prefect_serve

    prefect_serve(*deployments, limit=limit, pause_on_shutdown=False, print_starting_message=announce)
