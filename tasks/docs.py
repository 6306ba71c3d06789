"""Tasks of the docs sync flow: thin wrappers over gameops.docs_sync."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops import docs_sync
from gameops.config import Loaded


@task(name="plan-docs-sync", cache_policy=NO_CACHE)
def plan_sync(loaded: Loaded, today: date):
    return docs_sync.plan_sync(loaded, today)


@task(name="check-links", cache_policy=NO_CACHE)
def check_links(root: Path, files: dict, known: set) -> tuple[int, list[dict]]:
    return docs_sync.check_links(root, files, known)
