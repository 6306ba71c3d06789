"""The real error, once: a failed step's own error reaches the command line, for every flow,
never Prefect's "UnfinishedRun: Run is in PENDING state" of the steps that waited on it."""

from __future__ import annotations

import pytest
from prefect import flow, task

from gameops.errors import BadInput, JobFailed

pytestmark = pytest.mark.prefect


@task
def export_step() -> str:
    raise JobFailed("export of linux failed: Godot exited 1, first ERROR: Cannot load res://x.png (log: logs/linux-export.log)")


@task
def crash_step() -> str:
    raise RuntimeError("disk on fire")


@task
def package_step(exported: str) -> str:
    return exported + ".zip"


@flow
def pipeline_with_a_failing_export() -> list[str]:
    exported = export_step.submit()
    packaged = package_step.map([exported])  # waits on the failed export: never runs
    return [p.result() for p in packaged]


@flow
def pipeline_with_a_crashing_step() -> str:
    return package_step.submit(crash_step.submit()).result()


@flow
def pipeline_with_bad_input() -> None:
    raise BadInput("gameops.yaml:3: godot.timeout_s: expected a number")


def test_the_failing_steps_own_error_not_unfinished_run(prefect):
    from gameops.flows.runtime import run_flow

    with pytest.raises(JobFailed) as err:
        run_flow(f"{__name__}:pipeline_with_a_failing_export", {})
    text = str(err.value)
    assert "first ERROR: Cannot load res://x.png" in text and "logs/linux-export.log" in text
    assert "UnfinishedRun" not in text and "PENDING" not in text and "\n" not in text

    with pytest.raises(JobFailed) as err:
        run_flow(f"{__name__}:pipeline_with_a_crashing_step", {})
    assert "crash-step" in str(err.value) or "crash_step" in str(err.value)
    assert "disk on fire" in str(err.value) and "UnfinishedRun" not in str(err.value)

    with pytest.raises(BadInput, match="godot.timeout_s"):  # the flow's own gameops error stays as it is
        run_flow(f"{__name__}:pipeline_with_bad_input", {})
