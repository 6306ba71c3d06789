"""Tasks of ``gameops check``: one per group of checks, each a thin wrapper over gameops.checks."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops import checks
from gameops.config import Loaded


@task(name="check-tools", cache_policy=NO_CACHE)
def check_tools(loaded: Loaded) -> list[checks.Check]:
    return checks.check_tools(loaded)


@task(name="check-files", cache_policy=NO_CACHE)
def check_files(loaded: Loaded) -> list[checks.Check]:
    return checks.check_files(loaded)


@task(name="check-godot-project", cache_policy=NO_CACHE)
def check_godot_project(loaded: Loaded) -> list[checks.Check]:
    return checks.check_godot_project(loaded)


@task(name="check-git", cache_policy=NO_CACHE)
def check_git(loaded: Loaded) -> list[checks.Check]:
    return checks.check_git(loaded)
