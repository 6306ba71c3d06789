"""``gameops roi``: time saved per job, from the project's real run history on the Prefect server."""

from __future__ import annotations

from prefect import flow

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import roi as core
from gameops.config import load
from gameops.errors import BadInput
from gameops.tasks import artifacts
from gameops.tasks.roi import read_run_history


@alerting
@flow(name="roi", flow_run_name=run_name("roi"),
      description="Time saved by gameops: completed runs per job against the minutes each job takes by hand.")
def roi(project: str = ".", config: str | None = None, days: int = 30) -> dict:
    """Read the last ``days`` of completed runs, compare with ``manual_minutes``, leave a markdown artifact.

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        days: How many days of run history to count.
    """
    if days <= 0:
        raise BadInput(f"--days {days}: must be a positive number of days")
    loaded = load(project, config)
    tag_run("roi", loaded)
    runs = read_run_history(str(loaded.root), days)
    report = core.compute(runs, loaded.config.manual_minutes, days)
    report["project"] = loaded.config.project.name
    artifacts.markdown(f"roi-{loaded.config.project.name}", core.to_markdown(report, loaded.config.project.name),
                       description=f"gameops time saved, last {days} day(s)")
    return report
