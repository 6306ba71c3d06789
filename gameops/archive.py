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

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gameops import fileops, fileplan, journal
from gameops.backlog import inline, table
from gameops.backlog.inline import InlineBacklog
from gameops.backlog.model import Document, Item
from gameops.config import BacklogConfig, Loaded
from gameops.errors import BadInput


@dataclass
class ArchivePlan:
    layout: str
    plan: fileplan.Plan
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


def _read_archives(root: Path, cfg: BacklogConfig) -> dict[str, InlineBacklog]:
    """Every archive file that exists (``archive`` first), parsed."""
    out: dict[str, InlineBacklog] = {}
    for rel in cfg.archive_files():
        path = root / rel
        if path.is_file():
            out[rel] = inline.parse(Document.read(path, rel, within=root))
    return out


def _plan_inline(root: Path, cfg: BacklogConfig, today: date) -> ArchivePlan:
    bpath = root / cfg.file
    backlog = inline.load(bpath, cfg.file, within=root)
    archives = _read_archives(root, cfg)
    archive_doc = archives[cfg.archive].doc if cfg.archive in archives else None
    entries_of: dict[str, list[tuple[str, InlineBacklog, Item]]] = {}
    for rel, parsed in archives.items():
        for entry in parsed.items:
            entries_of.setdefault(entry.id, []).append((rel, parsed, entry))
    out = ArchivePlan(layout="inline", plan=fileplan.Plan())
    nl = archive_doc.newline if archive_doc else backlog.doc.newline
    leaving, seen = [], set()
    by_kind: dict[str, list[str]] = {}
    for item in backlog.items:
        kind = inline.kind_of(item, cfg.done_statuses, cfg.rejected_statuses)
        if kind not in ("done", "rejected"):
            continue
        if item.id in seen:
            out.skipped.append({"id": item.id, "reason": f"appears twice in {cfg.file}; archived once, fix the other by hand"})
            continue
        seen.add(item.id)
        if item.id in entries_of:
            found = [(rel, entry, inline.missing_lines(backlog, item, parsed, entry)) for rel, parsed, entry in entries_of[item.id]]
            whole = next(((rel, entry) for rel, entry, missing in found if not missing), None)
            if whole is not None:  # an interrupted move: the archive has it all, only the backlog copy is left
                rel, entry = whole
                leaving.append(item)
                out.archived.append({"id": item.id, "title": item.title, "kind": kind, "to": rel,
                                     "finished": f"already archived at {rel}:{entry.start + 1}; the backlog copy was removed"})
                continue
            rel, entry, missing = found[0]
            out.skipped.append({"id": item.id, "reason": (
                f"in {cfg.file} and already archived at {rel}:{entry.start + 1} with different text "
                f"({len(missing)} line(s) of the backlog copy are not in the archive entry, first: {missing[0].strip()!r}); "
                "an archive entry is never overwritten: add what is missing to the archive entry by hand, "
                f"then run again (the backlog copy is removed once the archive has all its lines)")})
            continue
        leaving.append(item)
        by_kind.setdefault(kind, []).append(inline.render_entry(backlog, item, kind, today, nl))
        out.archived.append({"id": item.id, "title": item.title, "kind": kind, "to": cfg.archive})
    if not leaving:
        return out
    if by_kind:
        new_archive = inline.insert_entries(archive_doc, by_kind, today, nl)
        old_archive = archive_doc.raw if archive_doc else None
        out.plan.write(cfg.archive, new_archive, old_archive)
        out.diffs[cfg.archive] = fileops.unified_diff(cfg.archive, old_archive, new_archive)
    new_backlog = backlog.doc.to_bytes(inline.remove_items(backlog, leaving))
    out.plan.write(cfg.file, new_backlog, backlog.doc.raw)
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
    out = ArchivePlan(layout="table", plan=fileplan.Plan())
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
