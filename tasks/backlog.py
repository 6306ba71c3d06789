"""Tasks of the backlog flows: thin wrappers over gameops.archive and gameops.backlog_verify."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from gameops import archive, backlog_verify
from gameops.config import Loaded
from gameops.errors import JobFailed


@task(name="plan-archive", cache_policy=NO_CACHE)
def plan_archive(loaded: Loaded, today: date) -> archive.ArchivePlan:
    return archive.plan_archive(loaded, today)


@task(name="verify-backlog", cache_policy=NO_CACHE)
def verify(loaded: Loaded, ids: list[str] | None = None) -> dict:
    """Verify the backlog; with ``ids``, raise when one of those items is not consistent (which
    rolls back the run that moved them)."""
    result = backlog_verify.verify(loaded)
    if ids is not None:
        bad = backlog_verify.failures_among(result, ids)
        if bad:
            raise JobFailed("archived items do not verify: " + "; ".join(e for i in bad for e in i["errors"]), report=result)
    return result
