"""Work pools and workers: where deployed gameops runs execute.

- ``gameops`` (:data:`GENERAL_POOL`): jobs that can run on any machine (check, ci, release, roi,
  the scheduled maintenance flows).
- One pool per OS for Godot exports: ``godot-linux``, ``godot-windows``, ``godot-macos`` by
  default; ``release.work_pools`` in gameops.yaml maps platform -> pool name.

All are Prefect ``process`` pools: a worker (``prefect worker start --pool NAME``) on a machine
of that OS runs each flow run as a subprocess of itself. The deployments name their flows by
module path (deployments/table.py), so the worker needs gameops installed, not a checkout.
Prefect is imported inside the functions that talk to the API.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from gameops.deployments.table import GENERAL_POOL
from gameops.server import prefect_executable

__all__ = ["GENERAL_POOL", "ensure_pools", "export_deployment_name", "start_worker", "stop_worker", "worker_command"]


def export_deployment_name(platform: str) -> str:
    """The deployment that exports ``platform``: ``export-platform/export-<platform>``."""
    return f"export-platform/export-{platform}"


def ensure_pools(names: list[str], pool_type: str = "process") -> list[str]:
    """Create the work pools that do not exist yet; returns the names created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    created: list[str] = []
    with get_client(sync_client=True) as client:
        for name in dict.fromkeys(names):
            try:
                client.read_work_pool(name)
            except ObjectNotFound:
                try:
                    client.create_work_pool(WorkPoolCreate(name=name, type=pool_type))
                    created.append(name)
                except ObjectAlreadyExists:
                    pass
    return created


def worker_command(pool: str, name: str, limit: int | None = None, python: str | None = None) -> list[str]:
    """``prefect worker start`` for ``pool``; with ``python``, the Prefect (and gameops) of that interpreter."""
    prefect = [python, "-m", "prefect"] if python else [prefect_executable()]
    cmd = [*prefect, "worker", "start", "--pool", pool, "--name", name, "--type", "process"]
    if limit:
        cmd += ["--limit", str(limit)]
    return cmd


def start_worker(pool: str, name: str, api_url: str, log: Path, *, env: dict[str, str] | None = None,
                 poll_s: float = 2.0, cwd: Path | None = None, limit: int | None = None,
                 python: str | None = None) -> subprocess.Popen:
    """Start ``prefect worker start`` for ``pool`` in the background (its own process group).

    ``poll_s`` is the worker's poll interval (``PREFECT_WORKER_QUERY_SECONDS``; Prefect's
    default of 15 s is for idle teams, not for tests). ``cwd`` is the worker's working folder
    (default: the log's folder); any folder works, the flows come from the installed package
    (``python``: the interpreter of another installation, e.g. a pipx venv).
    Stop it with :func:`stop_worker`.
    """
    full_env = {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "PREFECT_WORKER_QUERY_SECONDS": str(poll_s),
        "PREFECT_WORKER_PREFETCH_SECONDS": "5",
        "DO_NOT_TRACK": "1",
        "PYTHONUTF8": "1",
        **(env or {}),
    }
    kwargs: dict = {"start_new_session": True} if os.name != "nt" else {
        "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
    logf = open(log, "ab")
    try:
        return subprocess.Popen(worker_command(pool, name, limit, python), stdout=logf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=full_env, cwd=cwd or log.parent, **kwargs)
    finally:
        logf.close()


def stop_worker(proc: subprocess.Popen) -> None:
    """Stop a worker started by :func:`start_worker`, with every flow-run process it started."""
    from gameops.process import kill_tree

    if proc.poll() is None:
        kill_tree(proc.pid, grace_s=5)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
