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
from gameops import archive, branch_commit, journal
from gameops.backlog import layout
from gameops.config import load
from gameops.errors import JobFailed
from gameops.tasks import artifacts
from gameops.tasks.backlog import plan_archive, verify
from gameops.tasks.fileops import apply_changes, commit_changes, recover
from gameops.tasks.roi import report_items


def _artifact(name: str, report: dict) -> None:
    lines = [f"# Backlog archive of {name}" + (" (dry run)" if report["dry_run"] else ""), ""]
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
    artifacts.markdown(f"backlog-archive-{name}", "\n".join(lines), description="what the backlog archive changed")


@alerting
@flow(name="backlog-archive", description="Move done and rejected backlog items to the archive, verified and journaled.")
def backlog_archive(project: str = ".", config: str | None = None, dry_run: bool = False, commit: bool = False,
                    today: str | None = None) -> dict:
    loaded = load(project, config)
    day = date.fromisoformat(today) if today else date.today()
    name = loaded.config.project.name
    if dry_run:
        p = plan_archive(loaded, day)
        report = archive.report(p, dry_run=True, recovered=archive.pending_note(loaded.root))
        _artifact(name, report)
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
    _artifact(name, report)
    if not report["ok"]:
        raise JobFailed(f"{len(report['skipped'])} item(s) could not be archived", report=report)
    return report
