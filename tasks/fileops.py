"""Tasks over gameops.fileplan: recover interrupted runs, apply a plan inside a Prefect
transaction (on_rollback: undo it, on_commit: forget its journal), commit on a branch."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.transactions import get_transaction

from gameops import branch_commit, fileplan
from gameops.config import Loaded


@task(name="recover-interrupted-runs", cache_policy=NO_CACHE)
def recover(root: str) -> list[str]:
    """Finish or roll back a run that was killed (call while holding the repository lock)."""
    return fileplan.recover(root)


@task(name="apply-file-changes", cache_policy=NO_CACHE)
def apply_changes(root: str, job: str, plan: fileplan.Plan) -> dict | None:
    receipt = fileplan.apply(root, job, plan)
    txn = get_transaction()
    if txn is not None:
        txn.set("root", root)
        txn.set("receipt", receipt)
    return receipt


@apply_changes.on_rollback
def _undo(txn) -> None:
    fileplan.undo(txn.get("root"), txn.get("receipt"))


@apply_changes.on_commit
def _finalize(txn) -> None:
    fileplan.finalize(txn.get("root"), txn.get("receipt"))


@task(name="commit-on-branch", cache_policy=NO_CACHE)
def commit_changes(loaded: Loaded, job: str, paths: list[str], message: str, today: date) -> dict | None:
    return branch_commit.commit(loaded, job, paths, message, today)
