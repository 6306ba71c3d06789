"""The backlog: model, the inline layout (one Backlog.md of ``### ID: Title`` blocks and the
append-only Completed_Backlog.md) and the older table layout (tracker table + one file per item)."""

from __future__ import annotations

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
           "detect_file"]

DEFAULT_FILE = "Docs/01-Active/Backlog.md"
DEFAULT_ARCHIVE = "Docs/07-Archive/Completed_Backlog.md"
# Where BlockLife-style repositories keep the backlog, and the layout each place means.
_KNOWN_FILES = ((DEFAULT_FILE, "inline"), ("Docs/Backlog/Backlog.md", "table"))


def detect_file(root: Path) -> tuple[str, str] | None:
    """(backlog file, layout) found at one of the known places of ``root``, or None."""
    for candidate, layout in _KNOWN_FILES:
        if (root / candidate).is_file():
            return candidate, layout
    return None
