"""The backlog: model, the inline layout (one Backlog.md of ``### ID: Title`` blocks and the
archive files, Completed_Backlog.md and others) and the older table layout (tracker table + one file per item)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gameops.backlog.model import ID_RE, Document, Item, normalize_status, status_kind

_MODEL_NAMES = frozenset({"ID_RE", "Document", "Item", "normalize_status", "status_kind"})


def __getattr__(name: str):
    """The model's names, imported on first use: ``notes`` needs only the places below."""
    if name in _MODEL_NAMES:
        from gameops.backlog import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ID_RE", "Document", "Item", "normalize_status", "status_kind", "DEFAULT_FILE", "DEFAULT_ARCHIVE",
           "ARCHIVE_FILE_RE", "detect_archives"]

DEFAULT_FILE = "Docs/01-Active/Backlog.md"
DEFAULT_ARCHIVE = "Docs/07-Archive/Completed_Backlog.md"
# The layouts, and where each is found: gameops.backlog.layout.


ARCHIVE_FILE_RE = re.compile(r"^.*completed.*backlog.*\.md$", re.IGNORECASE)


def detect_archives(root: Path) -> tuple[str, list[str]] | None:
    """Archive files of the inline layout: every ``*Completed*Backlog*.md`` in the archive folder
    (BlockLife has ``CompletedBacklog.md`` and ``Completed_Backlog.md``), as (the one new entries
    go into, the others). New entries go into ``Completed_Backlog.md`` when it exists, else into
    the largest one. None when the folder has none."""
    folder = root / Path(DEFAULT_ARCHIVE).parent
    if not folder.is_dir() or folder.is_symlink():
        return None
    found = sorted(p for p in folder.iterdir() if ARCHIVE_FILE_RE.match(p.name) and p.is_file() and not p.is_symlink())
    if not found:
        return None
    rel = [p.relative_to(root).as_posix() for p in found]
    main = DEFAULT_ARCHIVE if DEFAULT_ARCHIVE in rel else max(found, key=lambda p: p.stat().st_size).relative_to(root).as_posix()
    return main, [r for r in rel if r != main]

