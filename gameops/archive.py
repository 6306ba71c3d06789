"""``gameops backlog archive``: done and rejected items leave the backlog for the archive.

Inline layout: each item's block is removed from Backlog.md and an entry in the archive's
format (``✅ COMPLETED`` / ``❌ REJECTED`` heading) that keeps every line of the item goes into
the archive's Completed or Rejected section, in today's ``### YYYY-MM-DD`` block (a new block
goes first: newest first). Existing archive lines are never changed or removed. Every archive
file (``backlog.archive`` and ``backlog.archives``) is read: an item already archived with all
its lines is an interrupted move, finished by removing the backlog copy; one archived with
different text is reported and left.
Table layout: each item file moves to ``<archive_dir>/<YYYY>-Q<n>/`` under the archive naming
convention, every ``[ID](...)`` link is rewritten (anchors kept) and the row is marked
``📦 ARCHIVED``. Nothing is ever overwritten: an item whose id is already archived, or whose
destination exists, is left where it is and reported.

All changes of one run go through :mod:`gameops.fileplan` as one journaled plan.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from gameops import fileplan, journal
from gameops.backlog import layout as layouts
from gameops.backlog.archiving import ArchivePlan
from gameops.config import Loaded


def plan_archive(loaded: Loaded, today: date | None = None) -> ArchivePlan:
    """Read the backlog and work out every change; touches nothing."""
    today = today or date.today()
    cfg = loaded.config.backlog
    return layouts.of(cfg.layout).plan_archive(loaded.root, cfg, today)


def report(p: ArchivePlan, *, dry_run: bool, recovered: list[str] | None = None, changed: bool = False) -> dict:
    return {
        "ok": not p.skipped,
        "dry_run": dry_run,
        "layout": p.layout,
        "archived": p.archived,
        "skipped": p.skipped,
        "changed_files": p.plan.paths() if (changed or dry_run) else [],
        "recovered": recovered or [],
        "diff": p.diff,
    }


def pending_note(root: Path) -> list[str]:
    """What a dry run says about an interrupted run (it does not recover it)."""
    return [f"interrupted {j.job} run {j.run} ({j.state}) will be recovered by the next real run"
            for j in journal.pending(root, clean=False)]


def idle_plan(loaded: Loaded, today: date | None = None) -> ArchivePlan | None:
    """The plan when there is nothing to do (no interrupted run, nothing to archive), else None.

    A run with nothing to do writes nothing, not even the lock or gameops' state folder.
    """
    if journal.pending(loaded.root, clean=False):
        return None
    p = plan_archive(loaded, today)
    return p if not p.plan else None


def run(loaded: Loaded, today: date | None = None, dry_run: bool = False) -> dict:
    """The whole archive without Prefect: recover, plan, apply (journaled), finalize."""
    if dry_run:
        p = plan_archive(loaded, today)
        return report(p, dry_run=True, recovered=pending_note(loaded.root))
    idle = idle_plan(loaded, today)
    if idle is not None:
        return report(idle, dry_run=False)
    with journal.Lock(loaded.root):
        notes = fileplan.recover(loaded.root)
        p = plan_archive(loaded, today)
        receipt = fileplan.apply(loaded.root, "backlog-archive", p.plan)
        fileplan.finalize(loaded.root, receipt)
    return report(p, dry_run=False, recovered=notes, changed=receipt is not None)


def main(argv: list[str] | None = None) -> int:
    """``python -m gameops.archive --project DIR [--today YYYY-MM-DD]``: the archive core without
    Prefect (used by the crash tests, and handy when no Prefect is wanted)."""
    import argparse
    import json
    import sys

    from gameops.config import load

    ap = argparse.ArgumentParser(prog="python -m gameops.archive")
    ap.add_argument("--project", default=".")
    ap.add_argument("--today", type=date.fromisoformat, default=None)
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args(argv)
    result = run(load(a.project), a.today, a.dry_run)
    sys.stdout.write(json.dumps({k: v for k, v in result.items() if k != "diff"}, ensure_ascii=False) + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.exit(main())
