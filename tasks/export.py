"""The Godot export task: cached on its inputs, retried once only when Godot crashed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from prefect import task

from gameops import export


def _cache_key(context, parameters) -> str:
    """Project files, preset, engine version and build type (the folder name carries their digest)."""
    job: export.Job = parameters["job"]
    folder = export.folder_for(job, parameters["tracked"], Path(parameters["exports_dir"]))
    return "gameops-export-" + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:32]


def _retry_on_crash(task, task_run, state) -> bool:
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:  # the result could not be read: not a known crash
        return False
    return isinstance(exc, export.ExportCrashed)


@task(name="godot-export", task_run_name="export-{job.platform}", cache_key_fn=_cache_key, persist_result=True,
      retries=1, retry_condition_fn=_retry_on_crash)
def export_godot(job: export.Job, tracked: list[tuple[str, str]], exports_dir: str) -> dict:
    """Export one preset; returns ``{"platform", "dir", "files"}``."""
    files = export.export_into(job, tracked, Path(exports_dir))
    folder = export.folder_for(job, tracked, Path(exports_dir))
    return {"platform": job.platform, "dir": str(folder), "files": [str(f) for f in files]}


def submit(job: export.Job, tracked: list[tuple[str, str]], exports_dir: Path):
    """Submit the export; a cached result whose files are gone is refreshed, not trusted."""
    fresh = not export.ready(job, tracked, exports_dir)
    t = export_godot.with_options(refresh_cache=True) if fresh else export_godot
    return t.submit(job, tracked, str(exports_dir))
