"""Every Prefect task of gameops says how it is cached: NO_CACHE (no input hashing on each call)
unless it has its own cache key (the export, content-addressed by its inputs' digest)."""

from __future__ import annotations

import importlib
import pkgutil


def _tasks():
    from prefect import Task

    import gameops.flows
    import gameops.tasks

    found = []
    for package in (gameops.tasks, gameops.flows):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            found += [(info.name, name, obj) for name, obj in vars(module).items()
                      if isinstance(obj, Task) and obj.__module__ == module.__name__]
    return found


def test_every_task_has_an_explicit_cache_policy():
    from prefect.cache_policies import NO_CACHE

    tasks = _tasks()
    assert len(tasks) >= 30, "the task modules were not found"
    hashing = [f"{mod}.{name}" for mod, name, t in tasks if t.cache_policy is not NO_CACHE and t.cache_key_fn is None]
    assert hashing == [], f"tasks that hash their inputs on every call: {hashing}"
    cached = sorted(f"{mod}.{name}" for mod, name, t in tasks if t.cache_key_fn is not None)
    assert cached == ["gameops.tasks.export.export_godot"]

