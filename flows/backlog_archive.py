"""``gameops backlog archive`` and the daily schedule: done and rejected items leave the backlog.

Recover an interrupted run, plan, then inside one Prefect transaction: apply the plan
(journaled, verified), verify the archived items, commit on a maintenance branch. When a later
step fails, the apply task's on_rollback hook puts every file back. A markdown artifact records
what changed.
"""

from __future__ import annotations

from datetime import date

from prefect import flow
from prefect.transactions import transaction

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import archive, branch_commit, docs_sync, journal, run_labels
from gameops.backlog import layout
from gameops.config import load
from gameops.errors import GameopsError, JobFailed
from gameops.tasks import artifacts
from gameops.tasks.backlog import plan_archive, verify
from gameops.tasks.fileops import apply_changes, commit_changes, recover
from gameops.tasks.roi import report_items


def _counts(loaded) -> list[str]:
    """The backlog's counts by type and status after the run (docs sync's summary block)."""
    try:
        return ["## Backlog now", docs_sync.summarize(loaded).render("\n"), ""]
    except GameopsError as exc:  # the archive itself went through; say why the counts are missing
        return ["## Backlog now", "", f"Counts not available: {exc}", ""]


def _artifact(loaded, report: dict) -> None:
    name = loaded.config.project.name
    lines = [f"# Backlog of {name}" + (" (dry run)" if report["dry_run"] else ""), "", *_counts(loaded),
             "## This run", ""]
    if report["archived"]:
        lines += ["| id | title | result | to |", "|---|---|---|---|"]
        lines += [f"| {a['id']} | {a['title']} | {a['kind']} | {a['to']} |" for a in report["archived"]]
    else:
        lines.append("Nothing to archive: no file was written.")
    for s in report["skipped"]:
        lines.append(f"- **not archived** {s['id']}: {s['reason']}")
    for note in report["recovered"]:
        lines.append(f"- recovery: {note}")
    if report.get("commit"):
        lines.append(f"\nCommitted on branch `{report['commit']['branch']}` ({report['commit']['commit'][:10]})"
                     + (", pushed" if report["commit"]["pushed"] else ""))
    if report["diff"]:
        diff = report["diff"].splitlines()
        lines += ["", "```diff", *diff[:400], *(["... (diff cut)"] if len(diff) > 400 else []), "```"]
    desc = f"backlog archive: {len(report['archived'])} item(s) archived, {len(report['skipped'])} not archived"
    artifacts.markdown(run_labels.board_key(name, "backlog"), "\n".join(lines), description=desc)


@alerting
@flow(name="backlog-archive", flow_run_name=run_name("backlog-archive", dated=True),
      description="Move done and rejected backlog items to the archive, verified and journaled.")
def backlog_archive(project: str = ".", config: str | None = None, dry_run: bool = False, commit: bool = False,
                    today: str | None = None) -> dict:
    """Move done and rejected items from the backlog to the archive, verified and journaled; the
    result and the backlog's counts by status are the project's backlog board (artifact <project>-backlog).

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        dry_run: Show what would be archived; write nothing.
        commit: Commit the changes on a maintenance branch (chore/backlog-archive-<date>).
        today: The archive date, YYYY-MM-DD; default today.
    """
    loaded = load(project, config)
    tag_run("backlog-archive", loaded)
    day = date.fromisoformat(today) if today else date.today()
    if dry_run:
        p = plan_archive(loaded, day)
        report = archive.report(p, dry_run=True, recovered=archive.pending_note(loaded.root))
        _artifact(loaded, report)
        return report
    cfg = loaded.config.backlog
    if commit:
        branch_commit.ensure_clean(loaded, layout.of(cfg.layout).archive_paths(cfg))
    committed, notes, receipt = None, [], None
    p = archive.idle_plan(loaded, day)  # nothing to do: write nothing, not even the lock
    if p is None:
        with journal.Lock(loaded.root):
            notes = recover(str(loaded.root))
            p = plan_archive(loaded, day)
            with transaction():
                receipt = apply_changes(str(loaded.root), "backlog-archive", p.plan)
                if receipt:
                    verify(loaded, [a["id"] for a in p.archived])
                    if commit:
                        committed = commit_changes(loaded, "backlog-archive", p.plan.paths(),
                                                   branch_commit.archive_message([a["id"] for a in p.archived]), day)
    report = archive.report(p, dry_run=False, recovered=notes, changed=receipt is not None)
    report["commit"] = committed
    report_items(len(report["archived"]))  # for gameops roi: minutes by hand are per item
    _artifact(loaded, report)
    if not report["ok"]:
        raise JobFailed(f"{len(report['skipped'])} item(s) could not be archived", report=report)
    return report
