"""``gameops docs sync`` and the monthly schedule: summary blocks from the backlog, "Last
Updated" stamps where content changed, internal link check; committed on a maintenance branch."""

from __future__ import annotations

from datetime import date

from prefect import flow
from prefect.transactions import transaction

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import branch_commit, journal, run_labels
from gameops import docs_sync as core
from gameops.config import load
from gameops.errors import JobFailed
from gameops.tasks import artifacts
from gameops.tasks.docs import check_links, plan_sync
from gameops.tasks.fileops import apply_changes, commit_changes, recover


def _artifact(name: str, report: dict) -> None:
    lines = [f"# Docs sync of {name}" + (" (dry run)" if report["dry_run"] else ""), "",
             f"{report['files_scanned']} markdown file(s) scanned, {report['links_checked']} internal link(s) checked.", ""]
    if report["changed_files"]:
        lines += ["Updated (summary recomputed, Last Updated stamped):", *[f"- `{f}`" for f in report["changed_files"]]]
    else:
        lines.append("Every summary was up to date: no file was written.")
    if report["broken_links"]:
        lines += ["", "| file | line | broken link |", "|---|---|---|"]
        lines += [f"| {b['file']} | {b['line']} | `{b['target']}` |" for b in report["broken_links"][:500]]
    if report.get("commit"):
        lines.append(f"\nCommitted on branch `{report['commit']['branch']}`" + (", pushed" if report["commit"]["pushed"] else ""))
    desc = f"docs sync: {len(report['changed_files'])} file(s) updated, {len(report['broken_links'])} broken link(s)"
    artifacts.markdown(run_labels.board_key(name, "docs"), "\n".join(lines), description=desc)


@alerting
@flow(name="docs-sync", flow_run_name=run_name("docs-sync", dated=True),
      description="Recompute backlog summaries in the docs, stamp Last Updated where changed, check links.")
def docs_sync(project: str = ".", config: str | None = None, check_links_fail: bool = False, dry_run: bool = False,
              commit: bool = False, today: str | None = None) -> dict:
    """Recompute the backlog summary blocks in the docs, stamp Last Updated where they changed, and
    check internal links; the result is the project's docs board (artifact <project>-docs).

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        check_links_fail: Fail the run when an internal link is broken.
        dry_run: Show what would change; write nothing.
        commit: Commit the changes on a maintenance branch (chore/docs-sync-<date>).
        today: The date to stamp, YYYY-MM-DD; default today.
    """
    loaded = load(project, config)
    tag_run("docs-sync", loaded)
    day = date.fromisoformat(today) if today else date.today()
    root = loaded.root
    plan, info = plan_sync(loaded, day)
    if commit and plan and not dry_run:
        branch_commit.ensure_clean(loaded, plan.paths())
    notes, committed = [], None
    if not dry_run and core.needs_lock(loaded, plan):
        with journal.Lock(root):
            notes = recover(str(root))
            if notes:  # an interrupted run was finished or undone: plan from what is on disk now
                plan, info = plan_sync(loaded, day)
            with transaction():
                receipt = apply_changes(str(root), "docs-sync", plan)
                if commit and receipt:
                    committed = commit_changes(loaded, "docs-sync", plan.paths(),
                                               branch_commit.docs_sync_message(len(plan)), day)
    links = check_links(root, info["files"], info["known"])
    report = core.report(loaded, info, links, dry_run=dry_run, check_links_fail=check_links_fail, recovered=notes,
                         diff_text=core.diff(loaded, plan, info) if dry_run and plan else "")
    report["commit"] = committed
    _artifact(loaded.config.project.name, report)
    if not report["ok"]:
        raise JobFailed(f"{len(report['broken_links'])} broken internal link(s)", report=report)
    return report
