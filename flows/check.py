"""``gameops check``: tools, required files, Godot project and presets, git state."""

from __future__ import annotations

from prefect import flow

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops.config import load
from gameops.errors import JobFailed
from gameops.tasks import artifacts
from gameops.tasks.checks import check_files, check_git, check_godot_project, check_tools


@alerting
@flow(name="check", flow_run_name=run_name("check"),
      description="Pre-build checks: tools and versions, required files, Godot project, git state.")
def check(project: str = ".", config: str | None = None) -> dict:
    """Check that the game repository can be built and released: tools and their versions,
    required files, project.godot and its export presets, git state.

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
    """
    loaded = load(project, config)
    tag_run("check", loaded)
    futures = [t.submit(loaded) for t in (check_tools, check_files, check_godot_project, check_git)]
    results = [c for f in futures for c in f.result()]
    report = {"ok": all(c.ok for c in results), "checks": [c.as_dict() for c in results]}
    artifacts.table(
        f"check-{loaded.config.project.name}",
        [{"check": c.name, "ok": "yes" if c.ok else "NO", "detail": c.detail, "how to fix": c.hint} for c in results],
        description=f"gameops check of {loaded.config.project.name}: " + ("all passed" if report["ok"] else "failed"),
    )
    if not report["ok"]:
        failed = [c.name for c in results if not c.ok]
        raise JobFailed(f"{len(failed)} check(s) failed: " + ", ".join(failed), report=report)
    return report
