"""Tasks over gameops.dotnet: build (retried only on transient restore failures), tests by
category, the vulnerable-package listing."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger

from gameops import dotnet
from gameops.config import Loaded, TestCategory


def _retry_only_transient(task, task_run, state) -> bool:
    try:
        state.result()
    except dotnet.TransientBuildFailure:
        return True
    except BaseException:
        return False
    return False


@task(name="dotnet-build", retries=2, retry_delay_seconds=10, retry_condition_fn=_retry_only_transient, cache_policy=NO_CACHE)
def build(loaded: Loaded, configuration: str | None = None) -> dotnet.BuildResult:
    logger = get_run_logger()
    result = dotnet.build(loaded, configuration)
    for d in result.diagnostics:
        (logger.error if d.severity == "error" else logger.warning)(str(d))
    logger.info(result.summary_line())
    if result.transient:
        raise dotnet.TransientBuildFailure(
            "package restore failed (feed unreachable): " + "; ".join(str(e) for e in result.errors[:3]),
            report=result.as_dict())
    return result


def build_with_config(loaded: Loaded):
    """The build task with the retry settings of this project's config."""
    cfg = loaded.config.dotnet
    return build.with_options(retries=cfg.restore_retries, retry_delay_seconds=cfg.restore_retry_delay_s)


@task(name="dotnet-test", task_run_name="dotnet-test-{category.name}", cache_policy=NO_CACHE)
def test_category(loaded: Loaded, category: TestCategory, coverage: bool = False, no_build: bool = False,
                  configuration: str | None = None) -> dotnet.TestRun:
    run = dotnet.run_tests(loaded, category, coverage=coverage, no_build=no_build, configuration=configuration)
    s = run.summary
    get_run_logger().info(f"{category.name}: {s.total} tests, {s.passed} passed, {s.failed} failed, "
                          f"{s.skipped} skipped" + (f"; run errors: {s.run_errors}" if s.run_errors else ""))
    return run


@task(name="dotnet-list-vulnerable", cache_policy=NO_CACHE)
def list_vulnerable(loaded: Loaded):
    return dotnet.list_vulnerable(loaded)
