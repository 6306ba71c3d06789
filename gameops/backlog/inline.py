"""The current (inline) layout: ``Docs/01-Active/Backlog.md`` with ``### VS_010: Title`` blocks,
and the append-only ``Docs/07-Archive/Completed_Backlog.md`` with dated sections.

Parsing never changes the text: :class:`InlineBacklog` keeps the :class:`Document` and knows
where each item's lines are, so removing items and appending archive entries edit only those
lines, and writing an unchanged backlog gives back the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gameops.backlog.model import (
    FENCE_RE, FIELD_RE, HEADING_RE, ID_HEADING, RULE_RE, Document, Item, status_kind, strip_eol,
)

ITEM_HEADING_RE = re.compile(
    rf"^(?P<hashes>#{{3,4}})\s+(?P<id>{ID_HEADING})\s*:\s*(?P<title>.*?)\s*$"
)
MARKER_RE = re.compile(r"\s*(?:(?:✅\s*)?(?P<c>COMPLETED)|(?:❌\s*)?(?P<r>REJECTED))\s*(?:✅|❌)?\s*$")
COUNTER_RE = re.compile(r"^- \*\*Next (?P<type>\w+)\*\*: (?P<num>\d+)")
DATE_HEADING_RE = re.compile(r"^#{2,3}\s+(?P<date>\d{4}-\d{2}-\d{2})\s*$")


@dataclass
class InlineBacklog:
    doc: Document
    items: list[Item] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def ids(self) -> list[str]:
        return [i.id for i in self.items]

    def to_bytes(self) -> bytes:
        return self.doc.to_bytes()


def parse(doc: Document) -> InlineBacklog:
    """Items are ``###``/``####`` headings that start with an id and a colon; an item runs until
    the next heading of its level or above, or a ``---`` rule. Code fences are skipped."""
    lines = [strip_eol(ln) for ln in doc.lines]
    out = InlineBacklog(doc=doc)
    section = ""
    in_fence = False
    current: Item | None = None

    def close(at: int) -> None:
        nonlocal current
        if current is not None:
            current.end = at
            out.items.append(current)
            current = None

    for n, line in enumerate(lines):
        if FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        h = HEADING_RE.match(line)
        if h:
            level = len(h.group("hashes"))
            if current is not None and level <= current.level:
                close(n)
            m = ITEM_HEADING_RE.match(line)
            if m:
                close(n)
                title = m.group("title")
                marker = None
                mk = MARKER_RE.search(title)
                if mk:
                    marker = "COMPLETED" if mk.group("c") else "REJECTED"
                    title = title[: mk.start()].rstrip()
                current = Item(id=m.group("id"), title=title, section=section, start=n, level=len(m.group("hashes")),
                               marker=marker)
            elif level <= 2:
                section = h.group("text")
            continue
        if current is not None and RULE_RE.match(line):
            close(n)
            continue
        if current is not None:
            f = FIELD_RE.match(line)
            if f and f.group("name").strip() not in current.fields:
                current.fields[f.group("name").strip()] = f.group("value")
                if f.group("name").strip().lower() == "status" and not current.status:
                    current.status = f.group("value")
        else:
            c = COUNTER_RE.match(line)
            if c:
                out.counters.setdefault(c.group("type"), int(c.group("num")))
    close(len(lines))
    return out


def block_lines(backlog: InlineBacklog, item: Item) -> list[str]:
    return backlog.doc.lines[item.start:item.end]


def remove_items(backlog: InlineBacklog, items: list[Item]) -> list[str]:
    """The backlog's lines without these items (and the ``---`` rule that closed each one)."""
    drop: set[int] = set()
    lines = backlog.doc.lines
    for it in items:
        drop.update(range(it.start, it.end))
        nxt = it.end
        if nxt < len(lines) and RULE_RE.match(strip_eol(lines[nxt])):
            drop.add(nxt)
            if nxt + 1 < len(lines) and not strip_eol(lines[nxt + 1]).strip():
                drop.add(nxt + 1)
    return [ln for n, ln in enumerate(lines) if n not in drop]


# ---------------------------------------------------------------------------
# Archive entries (Completed_Backlog.md formats)

ARCHIVE_TEMPLATE = (
    "# Development Archive\n\n"
    "**⚠️ CRITICAL: This is an APPEND-ONLY archive. Never delete or overwrite existing entries.**\n\n"
    "**Purpose**: Completed and rejected work items, for history and lessons learned.\n\n"
    "## ✅ Completed Items\n"
)

_CONSUMED = {"status", "completed", "rejected", "size", "outcome", "result", "resolution", "reason", "alternative",
             "resurrect-if", "resurrect if", "effort"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_entry(backlog: InlineBacklog, item: Item, kind: str, today: date, nl: str) -> str:
    """The archive entry of one done or rejected item, in Completed_Backlog.md's format.

    The template fields come first; every other line of the item follows verbatim, so no
    information is lost on the way to the archive.
    """
    f = item.field
    out: list[str] = []
    if kind == "rejected":
        out.append(f"#### {item.id}: {item.title} ❌ REJECTED")
        out.append(f"**Rejected**: {f('Rejected') or today.isoformat()}")
        if f("Size"):
            out.append(f"**Proposed Size**: {f('Size')}")
        out.append(f"**Reason**: {f('Reason') or 'not recorded'}")
        if f("Alternative"):
            out.append(f"**Alternative**: {f('Alternative')}")
    else:
        out.append(f"#### {item.id}: {item.title} ✅ COMPLETED")
        out.append(f"**Completed**: {f('Completed') or today.isoformat()}")
        if f("Effort") or f("Size"):
            out.append(f"**Effort**: {f('Effort') or f('Size')}")
        outcome = f("Outcome", "Result", "Resolution")
        if outcome:
            out.append(f"**Outcome**: {outcome}")
    body = [strip_eol(ln) for ln in block_lines(backlog, item)[1:]]
    seen: set[str] = set()
    in_fence = False
    for line in body:
        if FENCE_RE.match(line):
            in_fence = not in_fence
        h = None if in_fence else HEADING_RE.match(line)
        if h and len(h.group("hashes")) <= 4:  # keep the entry one block: sub-headings go below level 4
            line = "#####" + line.lstrip("#")
        m = FIELD_RE.match(line)
        if m:
            name = m.group("name").strip().lower()
            if name in _CONSUMED and name not in seen:
                seen.add(name)
                continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    tags = [t for t in (item.type.lower(), _slug(f("Priority") or "")) if t]
    if kind == "rejected":
        resurrect = f("Resurrect-If", "Resurrect If")
        if resurrect:
            out.append(f"[RESURRECT-IF: {resurrect}]")
    out.append(f"[METADATA: {', '.join(tags + ([kind] if kind == 'rejected' else []))}]")
    return nl.join(out) + nl


def append_entries(archive: Document | None, entries: list[str], today: date, nl: str) -> bytes:
    """The archive's bytes with ``entries`` appended under today's ``### YYYY-MM-DD`` heading.

    Append-only: the old bytes are an exact prefix of the new ones."""
    old = archive.text() if archive is not None else ARCHIVE_TEMPLATE.replace("\n", nl)
    if not entries:
        return archive.to_bytes() if archive is not None else old.encode("utf-8")
    heading = f"### {today.isoformat()}"
    last_heading = None
    for ln in reversed(old.splitlines()):
        h = HEADING_RE.match(ln)
        if h and len(h.group("hashes")) <= 3 and not ITEM_HEADING_RE.match(ln):
            last_heading = ln.strip()
            break
    add = ""
    if old and not old.endswith("\n"):
        add += nl
    if last_heading != heading:
        add += nl + heading + nl
    for e in entries:
        add += nl + e
    data = (old + add).encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if archive is not None and archive.bom else data


def kind_of(item: Item, done: list[str], rejected: list[str]) -> str:
    return status_kind(item.status, done, rejected)


def load(path: Path, shown: str, within: Path | None = None) -> InlineBacklog:
    return parse(Document.read(path, shown, within=within))
