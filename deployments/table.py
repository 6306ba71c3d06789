"""The one table of gameops deployments: every deployable flow, declared once.

Each row names the deployment, its flow by module path (``gameops.flows.release:release``: a
worker imports it from the installed package, so no checkout of gameops and no pull step is
needed), the deployment's parameter defaults, its work pool and its schedule. Pools and
schedules come from the game repository's config: ``release.work_pools`` (one export deployment
per platform listed there) and ``schedules:`` (the maintenance crons and their time zone).

Three consumers, one table:
- ``gameops deploy`` applies it through Prefect's Python API (``to_deployment`` + ``deploy``);
- ``gameops serve`` serves it from one process (every row but the per-OS exports);
- ``prefect.yaml`` at the root of the repository is rendered from it (``python -m
  gameops.deployments.table [--project DIR] [--prefect-file FILE] [--check]``, run from the
  root), for ``prefect deploy --all``; tests/test_deployment_table.py fails when the committed
  file and the table disagree. With an installed gameops, the same command writes a game's own
  prefect.yaml into the current folder.

Descriptions are not in the table: Prefect takes them from the flows' docstrings.
No Prefect import here: the command line imports this module for ``--dry-run`` listings.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameops import __version__
from gameops.config import GameopsConfig

GENERAL_POOL = "gameops"
PROJECT_PLACEHOLDER = "{{ $GAMEOPS_PROJECT }}"


@dataclass(frozen=True)
class Schedule:
    cron: str
    timezone: str
    active: bool = True


@dataclass(frozen=True)
class Deployment:
    """One row of the table, resolved for one config."""

    name: str
    entrypoint: str                 # module.path:flow_function
    work_pool: str
    parameters: dict[str, Any] = field(default_factory=dict)  # defaults beyond project/config
    tags: tuple[str, ...] = ("gameops",)
    schedule: Schedule | None = None
    concurrency_limit: int | None = None
    served: bool = True             # False: belongs on its pool's worker (per-OS exports)
    version: str = __version__      # gameops' own version: the UI shows which gameops deployed it

    @property
    def module(self) -> str:
        return self.entrypoint.partition(":")[0]

    @property
    def function(self) -> str:
        return self.entrypoint.partition(":")[2]


# The scheduled maintenance flows: deployment name, entrypoint, field of SchedulesConfig, parameters.
SCHEDULED = (
    ("docs-sync", "gameops.flows.docs_sync:docs_sync", "docs_sync", {"commit": True}),
    ("backlog-archive", "gameops.flows.backlog_archive:backlog_archive", "backlog_archive", {"commit": True}),
    ("test-metrics", "gameops.flows.metrics:metrics", "metrics", {"update_docs": True}),
)
ROI_CRON = "0 7 1 * *"  # monthly, inactive until a team turns it on in the UI


def table(cfg: GameopsConfig) -> list[Deployment]:
    """Every gameops deployment, with pools and schedules from ``cfg``."""
    tz = cfg.schedules.timezone
    rows = [
        Deployment("check", "gameops.flows.check:check", GENERAL_POOL),
        Deployment("ci", "gameops.flows.ci:ci", GENERAL_POOL),
        Deployment("release", "gameops.flows.release:release", GENERAL_POOL, tags=("gameops", "release")),
        Deployment("roi", "gameops.flows.roi:roi", GENERAL_POOL, {"days": 30}, tags=("gameops", "report"),
                   schedule=Schedule(ROI_CRON, tz, active=False)),
    ]
    # One export deployment per platform with a pool: distributed releases send that platform there.
    for platform, pool in cfg.release.work_pools.items():
        rows.append(Deployment(f"export-{platform}", "gameops.flows.export:export_platform", pool,
                               {"platform": platform}, tags=("gameops", "export"), served=False))
    for name, entrypoint, key, params in SCHEDULED:
        rows.append(Deployment(name, entrypoint, GENERAL_POOL, dict(params), tags=("gameops", "scheduled"),
                               schedule=Schedule(getattr(cfg.schedules, key), tz), concurrency_limit=1))
    return rows


def select(rows: list[Deployment], only: list[str] | None) -> list[Deployment]:
    """The rows named in ``only`` (all when empty); an unknown name is a ValueError naming it."""
    if not only:
        return rows
    names = [r.name for r in rows]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise ValueError(f"--only {unknown[0]}: no such deployment (have: {', '.join(names)})")
    return [r for r in rows if r.name in only]


def project_parameters(root: Path, config_file: Path | None) -> dict[str, str]:
    """The parameters that point a deployment at one game repository (config only when not the default)."""
    params = {"project": str(root)}
    if config_file is not None and config_file != root / "gameops.yaml":
        params["config"] = str(config_file)
    return params


# ---------------------------------------------------------------------------
# prefect.yaml

HEADER = """\
# Prefect deployments of gameops, for `prefect deploy --all` (or use `gameops deploy`, which
# applies the same table through Prefect's Python API).
# GENERATED from gameops/deployments/table.py by `python -m gameops.deployments.table`:
# edit the table (or the game's gameops.yaml and pass --project), not this file.
#
# - Entrypoints are module paths: a worker runs the flows of its installed gameops package
#   (`pip install gameops`), so there is no pull step (`pull: []`) and no checkout to point at.
# - `project: "{{ $GAMEOPS_PROJECT }}"` is resolved when deploying: export GAMEOPS_PROJECT=/path/to/game.
# - Work pools: "gameops" for jobs that run anywhere; one pool per OS for Godot exports.
# - Descriptions and the run form's parameter help come from the flows' docstrings.
"""


def _q(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON scalars are valid YAML flow scalars


def render(cfg: GameopsConfig, prefect_version: str = "3.9.1") -> str:
    """The whole prefect.yaml for ``cfg``."""
    out = [HEADER.rstrip("\n"), "name: gameops", f"prefect-version: {prefect_version}", "",
           "build: null", "push: null", "pull: []", "", "deployments:"]
    for d in table(cfg):
        out += [f"- name: {d.name}",
                f"  entrypoint: {d.entrypoint}",
                f"  version: {_q(d.version)}",
                f"  tags: [{', '.join(d.tags)}]",
                "  parameters:",
                f"    project: {_q(PROJECT_PLACEHOLDER)}"]
        out += [f"    {k}: {_q(v)}" for k, v in d.parameters.items()]
        if d.schedule:
            out += ["  schedules:", f"  - cron: {_q(d.schedule.cron)}", f"    timezone: {_q(d.schedule.timezone)}"]
            if not d.schedule.active:
                out.append("    active: false")
        if d.concurrency_limit:
            out.append(f"  concurrency_limit: {d.concurrency_limit}")
        out += ["  work_pool:", f"    name: {d.work_pool}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    from gameops.config import load
    from gameops.errors import GameopsError
    from gameops.fileops import atomic_write_text

    ap = argparse.ArgumentParser(prog="python -m gameops.deployments.table",
                                 description="Write prefect.yaml from the deployment table (pools and schedules from a project's config).")
    ap.add_argument("--project", default=None, help="game repository whose gameops.yaml sets pools and schedules (default: built-in defaults)")
    ap.add_argument("--prefect-file", default="prefect.yaml",
                    help="file to write or check (default: prefect.yaml in the current folder; in a gameops checkout, its root)")
    ap.add_argument("--check", action="store_true", help="exit 1 when prefect.yaml differs from the table; write nothing")
    a = ap.parse_args(argv)
    try:
        cfg = load(a.project).config if a.project else GameopsConfig()
    except GameopsError as exc:
        sys.stderr.write(f"gameops.deployments.table: {exc}\n")
        return 2
    path = Path(a.prefect_file)
    new = render(cfg)
    if a.check:
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        if old != new:
            sys.stderr.write(f"{path}: differs from the deployment table; run python -m gameops.deployments.table\n")
            return 1
        return 0
    changed = atomic_write_text(path, new)
    sys.stderr.write(f"{path.name}: {'updated' if changed else 'already up to date'}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
