"""Planning an archive run (``gameops backlog archive``), per layout: which items move where,
as a :class:`gameops.fileplan.Plan` with diffs. Config-free and read-only: the layout objects
(:mod:`gameops.backlog.layout`) call it; :mod:`gameops.archive` applies the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gameops import fileops, fileplan
from gameops.backlog import inline, table
from gameops.backlog.consistency import Places
from gameops.backlog.inline import InlineBacklog
from gameops.backlog.model import Document, Item
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


def _read_archives(root: Path, cfg: Places) -> dict[str, InlineBacklog]:
    """Every archive file that exists (``archive`` first), parsed."""
    out: dict[str, InlineBacklog] = {}
    for rel in cfg.archive_files():
        path = root / rel
        if path.is_file():
            out[rel] = inline.parse(Document.read(path, rel, within=root))
    return out


def plan_inline(root: Path, cfg: Places, today: date) -> ArchivePlan:
    """Every change an archive run of an inline backlog makes; touches nothing."""
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


def plan_table(root: Path, cfg: Places, today: date) -> ArchivePlan:
    """Every change an archive run of a tracker table makes; touches nothing."""
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
