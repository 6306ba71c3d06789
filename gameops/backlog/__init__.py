"""The backlog: model, the inline layout (one Backlog.md of ``### ID: Title`` blocks and the
archive files, Completed_Backlog.md and others) and the older table layout (tracker table + one file per item)."""

from gameops.backlog.model import ID_RE, Document, Item, normalize_status, status_kind

__all__ = ["ID_RE", "Document", "Item", "normalize_status", "status_kind"]
