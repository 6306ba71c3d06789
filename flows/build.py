"""``gameops build``: dotnet build with parsed diagnostics."""

from __future__ import annotations

from prefect import flow

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import dotnet
from gameops.config import load
from gameops.errors import JobFailed
from gameops.tasks import artifacts
from gameops.tasks.dotnet import build_with_config


def run_build(loaded, configuration: str | None = None) -> dict:
    """The build task with transient retries; a build that still cannot restore is a failed build."""
    state = build_with_config(loaded)(loaded, configuration, return_state=True)
    if state.is_completed():
        return state.result().as_dict()
    exc = state.result(raise_on_failure=False)
    if isinstance(exc, dotnet.TransientBuildFailure) and isinstance(exc.report, dict):
        return exc.report
    if isinstance(exc, BaseException):
        raise exc
    raise JobFailed(f"dotnet build ended {state.name}")


@alerting
@flow(name="build", flow_run_name=run_name("build"),
      description="dotnet build of the solution, with MSBuild diagnostics parsed and de-duplicated.")
def build(project: str = ".", config: str | None = None, configuration: str | None = None) -> dict:
    """Build the solution with dotnet; errors and warnings become a table artifact.

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        configuration: Build configuration (Debug, Release); default dotnet.configuration.
    """
    loaded = load(project, config)
    tag_run("build", loaded)
    doc = run_build(loaded, configuration)
    doc["configuration"] = configuration or loaded.config.dotnet.configuration
    rows = [{"severity": d["severity"], "code": d["code"], "file": d["file"], "line": d["line"], "message": d["message"]}
            for d in doc["errors"] + doc["warnings"]]
    if rows:
        artifacts.table(f"build-{loaded.config.project.name}-diagnostics", rows,
                        description=f"{len(doc['errors'])} error(s), {len(doc['warnings'])} warning(s)")
    if not doc["ok"]:
        first = doc["errors"][0] if doc["errors"] else None
        what = f"{first['code']}: {first['message']}" if first else "see the build log"
        raise JobFailed(f"build failed with {len(doc['errors'])} error(s): {what}", report=doc)
    return doc
