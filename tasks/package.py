"""Packaging tasks: one reproducible zip per platform, then checksums and the manifest."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops import release


@task(name="package", task_run_name="package-{platform}", cache_policy=NO_CACHE)
def package(plan: release.Plan, platform: str, exported: dict) -> dict:
    return release.package(plan, platform, Path(exported["dir"]))


@task(name="checksums-and-manifest", cache_policy=NO_CACHE)
def finish(plan: release.Plan, artifacts: list[dict]) -> dict:
    return release.finish(plan, artifacts)


@task(name="verify-existing-release", cache_policy=NO_CACHE)
def verify_existing(plan: release.Plan) -> dict:
    return release.verify_existing(plan)
