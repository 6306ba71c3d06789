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

from dataclasses import asdict

from gameops.backlog.consistency import STATES, ItemCheck, classify  # noqa: F401  (public names of the verifier)
from gameops.backlog import layout as layouts
from gameops.config import Loaded



def verify(loaded: Loaded) -> dict:
    cfg = loaded.config.backlog
    checks = layouts.of(cfg.layout).verify(loaded.root, cfg)
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
