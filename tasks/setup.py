"""Tasks of ``gameops setup``: thin wrappers over gameops.onboarding, one per step."""

from __future__ import annotations

from prefect import task

from gameops import onboarding
from gameops.config import Loaded
from gameops.onboarding import Step


@task(name="setup-prerequisites")
def check_prerequisites(loaded: Loaded) -> list[Step]:
    return onboarding.prerequisites(loaded)


@task(name="setup-python-dependencies")
def python_dependencies(loaded: Loaded, dry_run: bool = False) -> Step:
    return onboarding.python_dependencies(loaded, dry_run)


@task(name="setup-git-hooks")
def install_hooks(loaded: Loaded, dry_run: bool = False) -> Step:
    return onboarding.hooks(loaded, dry_run)


@task(name="setup-godot-import")
def import_godot_project(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    return onboarding.godot_import(loaded, state, dry_run)


@task(name="setup-first-build")
def first_build(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    return onboarding.first_build(loaded, state, dry_run)


@task(name="setup-quick-tests")
def quick_tests(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    return onboarding.quick_tests(loaded, state, dry_run)


@task(name="setup-remember")
def remember(loaded: Loaded, state: dict) -> bool:
    return onboarding.write_state(loaded.root, state)
