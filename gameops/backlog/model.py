"""What the backlog is made of: work-item ids, statuses, and a byte-exact text document.

Both layouts BlockLife has used parse into :class:`Item` records. A :class:`Document` keeps
the file's exact text (byte order mark, line endings, trailing whitespace), so writing back a
document nobody edited gives the same bytes, and edits touch only the lines they change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from gameops.fileops import decode_input, read_input_bytes

# VS_010, BR_016, TD_003A, VS_003B-4, VS_000.3, ABC_123 (three-letter types), TD_003_OLD, VS_001 Phase 2
ID_CORE = r"[A-Z]{2,3}_\d{3}[A-Z]?(?:[.\-]\d+)*"
ID_HEADING = ID_CORE + r"(?:_[A-Z]{2,}(?![a-z]))?(?:\s+Phase\s+\d+)?"
ID_RE = re.compile(rf"^{ID_HEADING}$")
_STATUS_NOISE = re.compile(r"[^a-z0-9 ]+")


def item_type(item_id: str) -> str:
    return item_id.split("_", 1)[0]


def normalize_status(status: str) -> str:
    """``"**COMPLETED** ✅"`` -> ``"completed"``: lowercase letters and digits, emoji and markup gone."""
    text = unicodedata.normalize("NFKC", status or "").lower()
    text = _STATUS_NOISE.sub(" ", text)
    return " ".join(text.split())


def _matches(norm: str, words: list[str]) -> bool:
    for w in words:
        w = normalize_status(w)
        if w and (norm == w or norm.startswith(w + " ")):
            return True
    return False


def status_kind(status: str, done: list[str], rejected: list[str]) -> str:
    """``done``, ``rejected``, ``archived`` or ``active``."""
    norm = normalize_status(status)
    if _matches(norm, ["archived"]):
        return "archived"
    if _matches(norm, rejected):
        return "rejected"
    if _matches(norm, done):
        return "done"
    return "active"


@dataclass
class Item:
    """One work item wherever it lives: a ``### ID: Title`` block, an archive entry or a table row."""

    id: str
    title: str
    status: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    section: str = ""
    start: int = 0          # first line (0-based) of the block / the row
    end: int = 0            # line after the block
    level: int = 3
    marker: str | None = None   # COMPLETED, RESOLVED, REJECTED, CANCELLED, OBSOLETE on an archive heading
    link: str | None = None     # table layout: the item file link as written
    cells: list[str] = field(default_factory=list)

    @property
    def type(self) -> str:
        return item_type(self.id)

    def field(self, *names: str) -> str | None:
        low = {k.lower(): v for k, v in self.fields.items()}
        for n in names:
            if n.lower() in low:
                return low[n.lower()]
        return None


class Document:
    """A text file kept byte for byte: lines with their own endings, the BOM, the encoding."""

    def __init__(self, path: Path, data: bytes, shown: str | None = None) -> None:
        self.path = Path(path)
        self.shown = shown or str(path)
        self.raw = data
        self.bom = data.startswith(b"\xef\xbb\xbf")
        text = decode_input(data, self.shown)
        self.lines: list[str] = text.splitlines(keepends=True)

    @classmethod
    def read(cls, path: Path, shown: str | None = None, within: Path | None = None) -> Document:
        """Read a backlog file; ``within`` (the project): a symlink leading out of it is refused."""
        shown = shown or str(path)
        return cls(path, read_input_bytes(path, shown, within=within), shown)

    @property
    def newline(self) -> str:
        for ln in self.lines:
            if ln.endswith("\r\n"):
                return "\r\n"
            if ln.endswith("\n"):
                return "\n"
        return "\n"

    def text(self) -> str:
        return "".join(self.lines)

    def to_bytes(self, lines: list[str] | None = None) -> bytes:
        body = "".join(self.lines if lines is None else lines).encode("utf-8")
        return (b"\xef\xbb\xbf" + body) if self.bom else body


def strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


FIELD_RE = re.compile(r"^\*\*(?P<name>[^*\n]+?)\*\*\s*:\s*(?P<value>.*?)\s*$")
HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
FENCE_RE = re.compile(r"^\s*(```|~~~)")
RULE_RE = re.compile(r"^\s*-{3,}\s*$")
