"""``gameops backlog archive``: done and rejected items leave the backlog for the archive.

Inline layout: each item's block is removed from Backlog.md and an entry in the archive's
format (``✅ COMPLETED`` / ``❌ REJECTED`` templates) is appended to Completed_Backlog.md under
today's ``### YYYY-MM-DD`` heading; the archive is append-only (its old bytes stay a prefix).
Table layout: each item file moves to ``<archive_dir>/<YYYY>-Q<n>/`` under the archive naming
convention, every ``[ID](...)`` link is rewritten (anchors kept) and the row is marked
``📦 ARCHIVED``. Nothing is ever overwritten: an item whose id is already archived, or whose
destination exists, is left where it is and reported.

All changes of one run go through :mod:`gameops.fileops` as one journaled plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gameops import fileops, journal
from gameops.backlog import inline, table
from gameops.backlog.model import Document
from gameops.config import BacklogConfig, Loaded
from gameops.errors import BadInput


@dataclass
class ArchivePlan:
    layout: str
    plan: fileops.Plan
    archived: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)

    @property
    def diff(self) -> str:
        return "".join(self.diffs.values())


def _shown(root: Path, p: Path) -> str:
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        return str(p)


def plan_archive(loaded: Loaded, today: date | None = None) -> ArchivePlan:
    """Read the backlog and work out every change; touches nothing."""
    today = today or date.today()
    cfg = loaded.config.backlog
    if cfg.layout == "table":
        return _plan_table(loaded.root, cfg, today)
    return _plan_inline(loaded.root, cfg, today)


def _plan_inline(root: Path, cfg: BacklogConfig, today: date) -> ArchivePlan:
    bpath, apath = root / cfg.file, root / cfg.archive
    backlog = inline.load(bpath, cfg.file, within=root)
    archive_doc = Document.read(apath, cfg.archive, within=root) if apath.exists() else None
    archived_ids = {i.id for i in inline.parse(archive_doc).items} if archive_doc else set()
    out = ArchivePlan(layout="inline", plan=fileops.Plan())
    nl = backlog.doc.newline
    leaving, entries, seen = [], [], set()
    for item in backlog.items:
        kind = inline.kind_of(item, cfg.done_statuses, cfg.rejected_statuses)
        if kind not in ("done", "rejected"):
            continue
        if item.id in archived_ids:
            out.skipped.append({"id": item.id, "reason": f"already in {cfg.archive}; an archive entry is never overwritten "
                                "(remove the duplicate from the backlog by hand)"})
            continue
        if item.id in seen:
            out.skipped.append({"id": item.id, "reason": f"appears twice in {cfg.file}; archived once, fix the other by hand"})
            continue
        seen.add(item.id)
        leaving.append(item)
        entries.append(inline.render_entry(backlog, item, kind, today, archive_doc.newline if archive_doc else nl))
        out.archived.append({"id": item.id, "title": item.title, "kind": kind, "to": cfg.archive})
    if not leaving:
        return out
    new_archive = inline.append_entries(archive_doc, entries, today, archive_doc.newline if archive_doc else nl)
    new_backlog = backlog.doc.to_bytes(inline.remove_items(backlog, leaving))
    old_archive = archive_doc.raw if archive_doc else None
    out.plan.write(cfg.archive, new_archive, old_archive)
    out.plan.write(cfg.file, new_backlog, backlog.doc.raw)
    out.diffs[cfg.archive] = fileops.unified_diff(cfg.archive, old_archive, new_archive)
    out.diffs[cfg.file] = fileops.unified_diff(cfg.file, backlog.doc.raw, new_backlog)
    return out


def _plan_table(root: Path, cfg: BacklogConfig, today: date) -> ArchivePlan:
    bpath = root / cfg.file
    doc = Document.read(bpath, cfg.file, within=root)
    tb = table.parse(doc)
    if not tb.columns:
        raise BadInput(f"{cfg.file}: no tracker table with an ID column (backlog.layout is 'table')")
    archive_dir = root / cfg.archive_dir
    items_dir = root / cfg.items_dir
    already = table.archived_files(archive_dir)
    files = table.item_files(items_dir)
    out = ArchivePlan(layout="table", plan=fileops.Plan())
    lines = list(doc.lines)
    text_changes: list[tuple[str, str]] = []
    planned_dst: set[Path] = set()
    rows: dict[str, int] = {}
    for item in tb.items:
        rows[item.id] = rows.get(item.id, 0) + 1
    for item in tb.items:
        kind = table.row_kind(item, cfg.done_statuses, cfg.rejected_statuses, bpath.parent, archive_dir)
        if kind not in ("done", "rejected"):
            continue
        if rows[item.id] > 1:
            out.skipped.append({"id": item.id, "reason": f"has {rows[item.id]} rows in {cfg.file}; not archived until "
                                "one is removed by hand"})
            rows[item.id] = -1  # said once
            continue
        if rows[item.id] < 0:
            continue
        if item.link:
            src = (bpath.parent / table.link_path(item.link)).resolve()
        else:
            candidates = files.get(item.id, [])
            if len(candidates) != 1:
                out.skipped.append({"id": item.id, "reason": "no link and no single item file in "
                                    f"{cfg.items_dir}; nothing to move"})
                continue
            src = candidates[0]
        if item.id in already:
            names = ", ".join(_shown(root, p) for p in already[item.id])
            out.skipped.append({"id": item.id, "reason": f"already archived as {names}; never archived twice"})
            continue
        if not src.is_relative_to(root):
            out.skipped.append({"id": item.id, "reason": f"link {item.link} leads outside the project; nothing moved"})
            continue
        if not src.is_file():
            out.skipped.append({"id": item.id, "reason": f"source file not found: {_shown(root, src)}"})
            continue
        data = fileops.read_input_bytes(src, _shown(root, src), within=root)
        content = data.decode("utf-8", "replace")
        when = table.completion_date(content, today)
        name = table.archive_name(item.id, src.name, item.title, content, item.fields.get("priority", ""), kind, when)
        dst = archive_dir / table.quarter(when) / name
        if dst.exists() or dst in planned_dst:
            out.skipped.append({"id": item.id, "reason": f"destination already exists: {_shown(root, dst)}; never overwritten"})
            continue
        planned_dst.add(dst)
        out.plan.move(_shown(root, src), _shown(root, dst), fileops.sha256_file(src))
        new_link = table.relative_link(bpath.parent, dst)
        lines[item.start] = table.set_status(lines[item.start], tb.columns, table.ARCHIVED_STATUS)
        text_changes.append((item.id, new_link))
        out.archived.append({"id": item.id, "title": item.title, "kind": kind, "from": _shown(root, src),
                             "to": _shown(root, dst)})
        out.diffs[_shown(root, src)] = f"rename from {_shown(root, src)}\nrename to {_shown(root, dst)}\n"
    if not out.archived:
        return out
    text = "".join(lines)
    for item_id, link in text_changes:
        text = table.rewrite_links(text, item_id, link)
    new_backlog = (b"\xef\xbb\xbf" if doc.bom else b"") + text.encode("utf-8")
    out.plan.write(cfg.file, new_backlog, doc.raw)
    out.diffs[cfg.file] = fileops.unified_diff(cfg.file, doc.raw, new_backlog)
    return out


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
        notes = fileops.recover(loaded.root)
        p = plan_archive(loaded, today)
        receipt = fileops.apply(loaded.root, "backlog-archive", p.plan)
        fileops.finalize(loaded.root, receipt)
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
