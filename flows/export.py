"""One platform's Godot export as its own flow, so it can be deployed to a work pool of that OS.

The release flow exports locally with the same task (tasks/export.py); with
``release.distributed`` a deployment of this flow runs on a worker of the platform's pool and
leaves the export under ``out_dir`` (a shared location) for the release to package.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import release
from gameops.config import load
from gameops.tasks import export as export_tasks


@alerting
@flow(name="export-platform",
      flow_run_name=run_name("export-platform", version_param="version", detail_param="platform"),
      description="Export one platform's Godot preset (cached on project files, preset and engine version).")
def export_platform(project: str = ".", config: str | None = None, platform: str = "linux", version: str | None = None,
                    out_dir: str | None = None) -> list[str]:
    """Export one platform and return the exported files' paths.

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        platform: Platform key from godot.presets (linux, windows, macos, web, ...).
        version: The release version this export is for (names the run).
        out_dir: Release output folder; the export goes to <out_dir>/.exports/. Default: release.out_dir.
    """
    loaded = load(project, config)
    tag_run("export-platform", loaded, version=version)
    job = release.jobs_for(loaded, [platform])[platform]
    base = Path(out_dir).expanduser() if out_dir else Path(loaded.config.release.out_dir)
    if not base.is_absolute():
        base = loaded.root / base
    result = export_tasks.submit(job, release.tracked_inputs(loaded), base / ".exports").result()
    return result["files"]
