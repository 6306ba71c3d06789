"""Backlog consistency: the check of one work item's places (see :mod:`gameops.backlog_verify`
for the eight cases), computed per layout. Config-free: the layout objects
(:mod:`gameops.backlog.layout`) call it with where the backlog is and which statuses are done.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from gameops.backlog import inline, table
from gameops.backlog.model import Document, Item, status_kind


class Places(Protocol):
    """Where the backlog is and which statuses close an item (what BacklogConfig gives)."""

    file: str
    archive: str
    items_dir: str
    archive_dir: str
    done_statuses: list[str]
    rejected_statuses: list[str]

    def archive_files(self) -> list[str]: ...


STATES = ("correctly_archived", "correctly_active", "false_archive_status", "false_active_status",
          "duplicate_files", "missing_file", "unknown")


@dataclass
class ItemCheck:
    id: str
    status: str
    ok: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    marked: str = "unknown"
    in_backlog: int = 0
    in_archive: int = 0
    where: list[str] = field(default_factory=list)


def classify(item_id: str, marked: str, n_active: int, n_archive: int, active_place: str, archive_place: str) -> ItemCheck:
    c = ItemCheck(id=item_id, status="unknown", ok=False, marked=marked, in_backlog=n_active, in_archive=n_archive)
    if n_active and n_archive:
        c.status = "duplicate_files"
        c.errors.append(f"{item_id} exists in both {active_place} and {archive_place}")
    elif n_active > 1 or n_archive > 1:
        c.status = "duplicate_files"
        place = active_place if n_active > 1 else archive_place
        c.errors.append(f"{item_id} appears {max(n_active, n_archive)} times in {place}")
    elif marked == "archived":
        if n_archive:
            c.status, c.ok = "correctly_archived", True
        elif n_active:
            c.status = "false_archive_status"
            c.errors.append(f"{item_id} is marked as archived but still in {active_place}")
        else:
            c.status = "missing_file"
            c.errors.append(f"{item_id} is marked as archived but not found anywhere")
    else:
        if n_active:
            c.status, c.ok = "correctly_active", True
        elif n_archive:
            c.status = "false_active_status"
            c.errors.append(f"{item_id} is in {archive_place} but marked as active")
        else:
            c.status = "unknown"
            c.errors.append(f"{item_id} is referenced but not found in {active_place} or {archive_place}")
    return c


def verify_inline(root: Path, cfg: Places) -> list[ItemCheck]:
    """The checks of every id of an inline backlog and its archive files."""
    backlog = inline.load(root / cfg.file, cfg.file, within=root)
    archived: dict[str, list[tuple[str, Item]]] = {}
    archive_paths = []
    for rel in cfg.archive_files():
        apath = root / rel
        if apath.is_file():
            archive_paths.append(os.path.normpath(apath))
            for it in inline.parse(Document.read(apath, rel, within=root)).items:
                archived.setdefault(it.id, []).append((rel, it))
    archive_place = " / ".join(r for r in cfg.archive_files() if (root / r).is_file()) or cfg.archive
    active: dict[str, list] = {}
    for it in backlog.items:
        active.setdefault(it.id, []).append(it)
    refs: dict[str, str] = {}
    bdir = (root / cfg.file).parent
    for m in table.LINK_RE.finditer(backlog.doc.text()):
        target = m.group("target")
        into_archive = bool(target) and not target.startswith("#") and \
            os.path.normpath(bdir / table.link_path(target)) in archive_paths
        refs.setdefault(m.group("id"), "archived" if into_archive else "active")
    out = []
    for item_id in sorted(set(active) | set(archived) | set(refs)):
        items = active.get(item_id, [])
        kinds = [status_kind(i.status, cfg.done_statuses, cfg.rejected_statuses) for i in items]
        if items:
            marked = "archived" if "archived" in kinds else "active"
        elif item_id in refs:
            marked = refs[item_id]
        else:
            marked = "archived"
        in_files = list(dict.fromkeys(rel for rel, _ in archived.get(item_id, [])))
        c = classify(item_id, marked, len(items), len(archived.get(item_id, [])), cfg.file,
                     " and ".join(in_files) if in_files else archive_place)
        if c.ok and any(k in ("done", "rejected") for k in kinds):
            c.warnings.append(f"{item_id} is {items[0].status.strip() or 'done'}; `gameops backlog archive` will move it")
        c.where = [f"{cfg.file}:{i.start + 1}" for i in items] + \
                  [f"{rel}:{i.start + 1}" for rel, i in archived.get(item_id, [])]
        out.append(c)
    return out


def verify_table(root: Path, cfg: Places) -> list[ItemCheck]:
    """The checks of every id of a tracker table, its item files and its archive folders."""
    bpath = root / cfg.file
    tb = table.parse(Document.read(bpath, cfg.file, within=root))
    files = table.item_files(root / cfg.items_dir)
    archived = table.archived_files(root / cfg.archive_dir)
    rows: dict[str, list] = {}
    for r in tb.items:
        rows.setdefault(r.id, []).append(r)
    out = []
    for item_id in sorted(set(rows) | set(files) | set(archived)):
        rs = rows.get(item_id, [])
        if rs:
            marked = "archived" if any(table.row_kind(r, cfg.done_statuses, cfg.rejected_statuses, bpath.parent, root / cfg.archive_dir) == "archived" for r in rs) else "active"
        else:
            marked = "archived" if archived.get(item_id) and not files.get(item_id) else "active"
        c = classify(item_id, marked, len(files.get(item_id, [])), len(archived.get(item_id, [])),
                     cfg.items_dir, cfg.archive_dir)
        if len(rs) > 1:
            c.ok, c.status = False, "duplicate_files"
            c.errors.append(f"{item_id} has {len(rs)} rows in {cfg.file}")
        for r in rs:
            if r.link:
                target = bpath.parent / table.link_path(r.link)
                if not target.is_file():
                    c.ok = False
                    c.errors.append(f"{cfg.file}:{r.start + 1}: link {r.link} does not resolve to a file")
            if c.ok and table.row_kind(r, cfg.done_statuses, cfg.rejected_statuses, bpath.parent, root / cfg.archive_dir) in ("done", "rejected"):
                c.warnings.append(f"{item_id} is done; `gameops backlog archive` will move it")
        c.where = [f"{cfg.file}:{r.start + 1}" for r in rs] + \
                  [p.relative_to(root).as_posix() for p in files.get(item_id, []) + archived.get(item_id, [])]
        out.append(c)
    return out
