"""The two backlog layouts as objects: what differs between them is said here, once.

``inline``  one Backlog.md of ``### ID: Title`` blocks; archived items go into archive files
            (Completed_Backlog.md and every other ``*Completed*Backlog*.md``).
``table``   the older tracker table in Backlog.md plus one file per item; archived item files
            move into quarter folders.

A layout is chosen once, from the config's ``backlog.layout`` (:func:`of`) or from where the
backlog file was found (:func:`detect`). Pydantic-free and cheap to import: the notes'
config-free fast path uses it too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from gameops.backlog import DEFAULT_ARCHIVE, DEFAULT_FILE, detect_archives

if TYPE_CHECKING:  # the parsers are imported where a method needs them: the notes' fast path needs none
    from gameops.backlog import archiving, consistency


class BacklogPlaces(Protocol):
    """Where a repository keeps its backlog (what :class:`gameops.config.BacklogConfig` gives)."""

    file: str
    archive: str
    items_dir: str
    archive_dir: str

    def archive_files(self) -> list[str]: ...


@dataclass
class Tally:
    """What a backlog holds, layout-free: each active item as (type, status, done or rejected
    and waiting for the archive), and the archived items by kind (done, rejected, cancelled),
    each id counted once."""

    active: list[tuple[str, str, bool]] = field(default_factory=list)
    archived: Counter[str] = field(default_factory=Counter)


class Layout(Protocol):
    name: str
    known_file: str  # where BlockLife-style repositories keep a backlog of this layout

    def files(self, places: BacklogPlaces) -> list[str]:
        """The markdown files that hold work items (release-note links, duplicate checks)."""
        ...

    def detected_files(self, root: Path, file: str) -> list[str]:
        """:meth:`files` for a repository without a config: ``file`` and what is found beside it."""
        ...

    def archive_paths(self, places: BacklogPlaces) -> list[str]:
        """The paths an archive run rewrites or moves (they must be clean before it commits)."""
        ...

    def id_counts(self, root: Path, places: BacklogPlaces) -> dict[str, int]:
        """How many times each item id occurs across the backlog and its archive."""
        ...

    def tally(self, root: Path, places: BacklogPlaces, done: list[str], rejected: list[str]) -> Tally:
        """The active and archived items (the docs statistics), given the done and rejected statuses."""
        ...

    def verify(self, root: Path, places: consistency.Places) -> list[consistency.ItemCheck]:
        """Is every item in exactly one place and marked for it (``gameops backlog verify``)."""
        ...

    def plan_archive(self, root: Path, places: consistency.Places, today: date) -> archiving.ArchivePlan:
        """Every change an archive run makes (``gameops backlog archive``); touches nothing."""
        ...


class InlineLayout:
    name = "inline"
    known_file = DEFAULT_FILE

    def verify(self, root: Path, places: consistency.Places) -> list[consistency.ItemCheck]:
        from gameops.backlog import consistency
        return consistency.verify_inline(root, places)

    def plan_archive(self, root: Path, places: consistency.Places, today: date) -> archiving.ArchivePlan:
        from gameops.backlog import archiving
        return archiving.plan_inline(root, places, today)

    def files(self, places: BacklogPlaces) -> list[str]:
        return list(dict.fromkeys([places.file, *places.archive_files()]))

    def detected_files(self, root: Path, file: str) -> list[str]:
        archives = detect_archives(root)
        main, others = archives if archives else (DEFAULT_ARCHIVE, [])
        return list(dict.fromkeys([file, main, *others]))

    def archive_paths(self, places: BacklogPlaces) -> list[str]:
        return [places.file, places.archive]

    def id_counts(self, root: Path, places: BacklogPlaces) -> dict[str, int]:
        from gameops.backlog import inline
        from gameops.backlog.model import Document
        counts: dict[str, int] = {}
        for rel in (places.file, *places.archive_files()):
            p = root / rel
            if p.exists():
                for it in inline.parse(Document.read(p, rel, within=root)).items:
                    counts[it.id] = counts.get(it.id, 0) + 1
        return counts

    def tally(self, root: Path, places: BacklogPlaces, done: list[str], rejected: list[str]) -> Tally:
        from gameops.backlog import inline
        from gameops.backlog.model import Document, status_kind
        out = Tally()
        for it in inline.load(root / places.file, places.file, within=root).items:
            out.active.append((it.type, it.status, status_kind(it.status, done, rejected) in ("done", "rejected")))
        kinds: dict[str, str] = {}  # by unique id: an id archived twice (or in two archive files) counts once
        for rel in places.archive_files():
            apath = root / rel
            if apath.is_file():
                for it in inline.parse(Document.read(apath, rel, within=root)).items:
                    kinds[it.id] = inline.entry_kind(it, done, rejected)  # the later entry wins
        out.archived.update(kinds.values())
        return out


class TableLayout:
    name = "table"
    known_file = "Docs/Backlog/Backlog.md"

    def verify(self, root: Path, places: consistency.Places) -> list[consistency.ItemCheck]:
        from gameops.backlog import consistency
        return consistency.verify_table(root, places)

    def plan_archive(self, root: Path, places: consistency.Places, today: date) -> archiving.ArchivePlan:
        from gameops.backlog import archiving
        return archiving.plan_table(root, places, today)

    def files(self, places: BacklogPlaces) -> list[str]:
        return [places.file]

    def detected_files(self, root: Path, file: str) -> list[str]:
        return [file]

    def archive_paths(self, places: BacklogPlaces) -> list[str]:
        return [places.file, places.items_dir, places.archive_dir]

    def id_counts(self, root: Path, places: BacklogPlaces) -> dict[str, int]:
        from gameops.backlog import table
        counts: dict[str, int] = {}
        for group in (table.item_files(root / places.items_dir), table.archived_files(root / places.archive_dir)):
            for k, v in group.items():
                counts[k] = counts.get(k, 0) + len(v)
        return counts

    def tally(self, root: Path, places: BacklogPlaces, done: list[str], rejected: list[str]) -> Tally:
        from gameops.backlog import table
        from gameops.backlog.model import Document
        out = Tally()
        bpath = root / places.file
        for r in table.parse(Document.read(bpath, places.file, within=root)).items:
            kind = table.row_kind(r, done, rejected, bpath.parent, root / places.archive_dir)
            if kind != "archived":
                out.active.append((r.type, r.status, kind in ("done", "rejected")))
        for paths in table.archived_files(root / places.archive_dir).values():  # by unique id: its last file decides
            out.archived["rejected" if "[rejected]" in paths[-1].name else "done"] += 1
        return out


INLINE: Layout = InlineLayout()
TABLE: Layout = TableLayout()
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (INLINE, TABLE)}


def of(name: str) -> Layout:
    """The layout named by ``backlog.layout`` (the config has already checked the name)."""
    return LAYOUTS[name]


def detect(root: Path) -> tuple[str, Layout] | None:
    """(backlog file, its layout) for the first layout whose known file ``root`` has, or None."""
    for layout in LAYOUTS.values():
        if (root / layout.known_file).is_file():
            return layout.known_file, layout
    return None
