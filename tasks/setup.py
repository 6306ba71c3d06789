"""Tasks of ``gameops setup``: thin wrappers over gameops.onboarding, one per step."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops import onboarding
from gameops.config import Loaded
from gameops.onboarding import Step


@task(name="setup-prerequisites", cache_policy=NO_CACHE)
def check_prerequisites(loaded: Loaded) -> list[Step]:
    return onboarding.prerequisites(loaded)


@task(name="setup-python-dependencies", cache_policy=NO_CACHE)
def python_dependencies(loaded: Loaded, dry_run: bool = False) -> Step:
    return onboarding.python_dependencies(loaded, dry_run)


@task(name="setup-git-hooks", cache_policy=NO_CACHE)
def install_hooks(loaded: Loaded, dry_run: bool = False) -> Step:
    return onboarding.hooks(loaded, dry_run)


@task(name="setup-godot-import", cache_policy=NO_CACHE)
def import_godot_project(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    return onboarding.godot_import(loaded, state, dry_run)


@task(name="setup-first-build", cache_policy=NO_CACHE)
def first_build(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    return onboarding.first_build(loaded, state, dry_run)


@task(name="setup-quick-tests", cache_policy=NO_CACHE)
def quick_tests(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    return onboarding.quick_tests(loaded, state, dry_run)


@task(name="setup-remember", cache_policy=NO_CACHE)
def remember(loaded: Loaded, state: dict) -> bool:
    return onboarding.write_state(loaded.root, state)
