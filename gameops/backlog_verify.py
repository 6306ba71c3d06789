"""``gameops backlog verify``: is every work item in exactly one place, and marked for that place?

Each id found anywhere (backlog items, the archive, tracker rows, item files, ``[ID](...)``
links in the backlog) is classified into the eight cases of BlockLife's own verifier::

    marked      backlog/items  archive   status                ok
    archived    no             yes       correctly_archived    yes
    archived    yes            no        false_archive_status  no   marked archived but still active
    archived    yes            yes       duplicate_files       no   in both places
    archived    no             no        missing_file          no   marked archived, found nowhere
    active      yes            no        correctly_active      yes
    active      no             yes       false_active_status   no   archived but marked active
    active      yes            yes       duplicate_files       no
    active      no             no        unknown               no   referenced, found nowhere

"Marked" is the tracker row's status / link (table layout), or the backlog item's status and the
``[ID](link)`` references in the backlog (inline layout; every archive file counts as the archive:
``backlog.archive`` and ``backlog.archives``); an id known only from the archive is
marked archived by its archive entry. An id that appears twice in the same place is a duplicate too.
Read-only: it never writes.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

from gameops.backlog import inline, table
from gameops.backlog import layout as layouts
from gameops.backlog.model import Document, Item, status_kind
from gameops.config import Loaded

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


def verify(loaded: Loaded) -> dict:
    cfg = loaded.config.backlog
    checks = _verify_table(loaded) if cfg.layout == "table" else _verify_inline(loaded)
    checks.sort(key=lambda c: c.id)
    failed = [c for c in checks if not c.ok]
    return {
        "ok": not failed,
        "layout": cfg.layout,
        "total": len(checks),
        "passed": len(checks) - len(failed),
        "failed": len(failed),
        "items": [asdict(c) for c in checks],
    }


def _verify_inline(loaded: Loaded) -> list[ItemCheck]:
    cfg = loaded.config.backlog
    root = loaded.root
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


def _verify_table(loaded: Loaded) -> list[ItemCheck]:
    cfg = loaded.config.backlog
    root = loaded.root
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


def failures_among(result: dict, ids: list[str]) -> list[dict]:
    """The items of a verify ``result`` among ``ids`` that are not consistent."""
    wanted = set(ids)
    return [i for i in result["items"] if i["id"] in wanted and not i["ok"]]


def text_report(result: dict) -> list[str]:
    """The plain-text report: counts, then every failed item with its errors."""
    lines = [f"{result['total']} item(s) checked: {result['passed']} passed, {result['failed']} failed"]
    for it in result["items"]:
        if not it["ok"]:
            lines.append(f"  {it['id']}: {it['status']}")
            lines.extend(f"    - {e}" for e in it["errors"])
    return lines


def ids_everywhere(loaded: Loaded) -> dict[str, int]:
    """How many times each id occurs across the backlog and the archive (tests: exactly once)."""
    cfg = loaded.config.backlog
    return layouts.of(cfg.layout).id_counts(loaded.root, cfg)
