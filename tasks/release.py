"""Release tasks around the core steps: plan, dotnet publish, changelog and its commit, tag, publish."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops import release
from gameops.config import Loaded


@task(name="sweep-temporary-files", cache_policy=NO_CACHE)
def sweep(loaded: Loaded, request: release.Request) -> list[str]:
    return [str(p) for p in release.sweep_temporary(loaded, request)]


@task(name="plan-release", cache_policy=NO_CACHE)
def plan(loaded: Loaded, request: release.Request) -> release.Plan:
    return release.make_plan(loaded, request)


@task(name="dotnet-publish", task_run_name="dotnet-publish-{project.stem}", cache_policy=NO_CACHE)
def dotnet_publish(loaded: Loaded, plan: release.Plan, project: Path) -> str:
    return str(release.dotnet_publish(loaded, plan, project))


@task(name="update-changelog", cache_policy=NO_CACHE)
def update_changelog(plan: release.Plan) -> bool:
    return release.update_changelog(plan)


@task(name="commit-changelog", cache_policy=NO_CACHE)
def commit_changelog(plan: release.Plan) -> str | None:
    return release.commit_changelog(plan)


@task(name="tag", cache_policy=NO_CACHE)
def tag(plan: release.Plan, target: str | None = None) -> bool:
    return release.create_tag(plan, target)


@task(name="publish", cache_policy=NO_CACHE)
def publish(plan: release.Plan) -> str | None:
    dest = release.publish(plan)
    return str(dest) if dest else None
