"""The Godot export task: cached on its inputs, retried once only when Godot crashed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from prefect import task

from gameops import export


def _cache_key(context, parameters) -> str:
    """Project files, preset, engine version and build type: the folder name carries their digest."""
    return "gameops-export-" + hashlib.sha256(str(Path(parameters["folder"]).resolve()).encode()).hexdigest()[:32]


def _retry_on_crash(task, task_run, state) -> bool:
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:  # the result could not be read: not a known crash
        return False
    return isinstance(exc, export.ExportCrashed)


@task(name="godot-export", task_run_name="export-{job.platform}", cache_key_fn=_cache_key, persist_result=True,
      retries=1, retry_condition_fn=_retry_on_crash)
def export_godot(job: export.Job, folder: str) -> dict:
    """Export one preset into its content-addressed folder; returns ``{"platform", "dir", "files"}``."""
    files = export.export_into(job, Path(folder))
    return {"platform": job.platform, "dir": folder, "files": [str(f) for f in files]}


def submit(job: export.Job, tracked: list[tuple[str, str]], exports_dir: Path):
    """Submit the export; a cached result whose files are gone is refreshed, not trusted."""
    folder = export.folder_for(job, tracked, Path(exports_dir))  # the inputs' digest, computed once
    t = export_godot if export.ready(job, folder) else export_godot.with_options(refresh_cache=True)
    return t.submit(job, str(folder))
