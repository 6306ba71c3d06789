"""The current (inline) layout: ``Docs/01-Active/Backlog.md`` with ``### VS_010: Title`` blocks,
and the archive ``Docs/07-Archive/Completed_Backlog.md`` (Completed / Rejected sections of dated blocks).

Parsing never changes the text: :class:`InlineBacklog` keeps the :class:`Document` and knows
where each item's lines are, so removing items and inserting archive entries edit only those
lines, and writing an unchanged backlog gives back the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gameops import slugs
from gameops.backlog.model import (
    FENCE_RE, FIELD_RE, HEADING_RE, ID_HEADING, RULE_RE, Document, Item, normalize_status, status_kind, strip_eol,
)

ITEM_HEADING_RE = re.compile(
    rf"^(?P<hashes>#{{3,4}})\s+(?P<id>{ID_HEADING})\s*:\s*(?P<title>.*?)\s*$"
)
MARKER_RE = re.compile(r"\s*(?:✅|❌)?\s*(?P<word>COMPLETED|RESOLVED|REJECTED|CANCELLED|CANCELED|OBSOLETE)\s*(?:✅|❌)?\s*$")
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
                    marker = mk.group("word")
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
    "**Purpose**: Completed and rejected work items, for history and lessons learned.\n"
)
SECTION_HEADINGS = {"done": "## ✅ Completed Items", "rejected": "## ❌ Rejected Items"}
_SECTION_WORD = {"done": "completed", "rejected": "rejected"}
_DATE_TEXT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\b")
MARKER_KIND = {"COMPLETED": "done", "RESOLVED": "done", "REJECTED": "rejected",
               "CANCELLED": "cancelled", "CANCELED": "cancelled", "OBSOLETE": "cancelled"}


def _slug(text: str) -> str:
    return slugs.slug(text)


def _first_field(body: list[str], name: str) -> int | None:
    """Index of the first ``**name**:`` line of ``body`` outside code fences."""
    in_fence = False
    for n, line in enumerate(body):
        if FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        m = None if in_fence else FIELD_RE.match(line)
        if m and m.group("name").strip().lower() == name.lower():
            return n
    return None


def render_entry(backlog: InlineBacklog, item: Item, kind: str, today: date, nl: str) -> str:
    """The archive entry of one done or rejected item, in Completed_Backlog.md's format.

    Every line of the item is kept verbatim, in its order, with two exceptions: the first
    ``**Status**:`` line becomes the heading's ``✅ COMPLETED`` / ``❌ REJECTED`` marker, and
    sub-headings go one level below the entry (``#####``) so the entry stays one block. The
    ``**Completed**:`` (``**Rejected**:``) line moves first, or today's date is written there;
    a rejected item without a reason gets ``**Reason**: not recorded``. ``[RESURRECT-IF: ...]`` and
    ``[METADATA: ...]`` tag lines are added at the end.
    """
    f = item.field
    body = [strip_eol(ln) for ln in block_lines(backlog, item)[1:]]
    date_name = "Rejected" if kind == "rejected" else "Completed"
    status_at, date_at = _first_field(body, "Status"), _first_field(body, date_name)
    out = [f"#### {item.id}: {item.title} " + ("❌ REJECTED" if kind == "rejected" else "✅ COMPLETED")]
    out.append(body[date_at] if date_at is not None else f"**{date_name}**: {today.isoformat()}")
    if kind == "rejected" and not f("Reason"):
        out.append("**Reason**: not recorded")
    in_fence = False
    for n, line in enumerate(body):
        if n in (status_at, date_at):
            continue
        if FENCE_RE.match(line):
            in_fence = not in_fence
        h = None if in_fence else HEADING_RE.match(line)
        if h and len(h.group("hashes")) <= 4:  # keep the entry one block: sub-headings go below level 4
            line = "#####" + line.lstrip("#")
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


def _comparable(line: str) -> str:
    """A line as the interrupted-move check compares it: headings by their text, spaces trimmed."""
    line = strip_eol(line).strip()
    h = HEADING_RE.match(line)
    return h.group("text").strip() if h else line


def missing_lines(backlog: InlineBacklog, item: Item, archive: InlineBacklog, entry: Item) -> list[str]:
    """The lines of the backlog copy of ``item`` that its archive ``entry`` does not have
    (the heading and the first ``**Status**:`` line aside: they become the entry's heading)."""
    have = {_comparable(ln) for ln in archive.doc.lines[entry.start:entry.end]}
    body = [strip_eol(ln) for ln in block_lines(backlog, item)[1:]]
    status_at = _first_field(body, "Status")
    return [ln for n, ln in enumerate(body) if n != status_at and ln.strip() and _comparable(ln) not in have]


def entry_kind(entry: Item, done: list[str], rejected: list[str]) -> str:
    """``done``, ``rejected`` or ``cancelled`` for an archive entry: its heading marker, else its
    status, else the archive section it is in (an entry with neither counts as done)."""
    if entry.marker:
        return MARKER_KIND.get(entry.marker, "done")
    norm = normalize_status(entry.status)
    if norm.startswith(("cancel", "obsolete")):
        return "cancelled"
    kind = status_kind(entry.status, done, rejected)
    if kind == "rejected" or normalize_status(entry.section).startswith("rejected"):
        return "rejected"
    return "done"


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, text) of every heading outside code fences."""
    out, in_fence = [], False
    for n, raw in enumerate(lines):
        line = strip_eol(raw)
        if FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        h = None if in_fence else HEADING_RE.match(line)
        if h:
            out.append((n, len(h.group("hashes")), h.group("text")))
    return out


def find_section(lines: list[str], kind: str) -> tuple[int, int] | None:
    """(heading line, end line) of the archive's Completed (``done``) or Rejected section: a level
    1-2 heading whose words start with "completed" / "rejected"; it ends at the next level 1-2
    heading that is not a date."""
    heads = _headings(lines)
    for i, (n, level, text) in enumerate(heads):
        if level <= 2 and normalize_status(text).startswith(_SECTION_WORD[kind]):
            end = next((m for m, lv, t in heads[i + 1:] if lv <= 2 and not _DATE_TEXT_RE.match(t.strip())), len(lines))
            return n, end
    return None


def insert_entries(archive: Document | None, by_kind: dict[str, list[str]], today: date, nl: str) -> bytes:
    """The archive's bytes with the entries of each kind (``done``, ``rejected``) in its section.

    In the section, today's ``### YYYY-MM-DD`` block gets the entries at its end when it exists;
    otherwise a new block for today goes first (newest date block first). A missing section is
    added (Completed before Rejected, else at the end of the file). Existing lines are never
    changed or removed: only new lines are inserted."""
    text = archive.text() if archive is not None else ARCHIVE_TEMPLATE.replace("\n", nl)
    lines = text.splitlines(keepends=True)

    def put(at: int, new: list[str]) -> None:
        if at == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += nl  # only when inserting after the last line
        if at < len(lines) and strip_eol(lines[at]).strip():
            new = new + [nl]  # keep a blank line before what follows
        lines[at:at] = new

    day = today.isoformat()
    for kind in ("done", "rejected"):
        entries = by_kind.get(kind) or []
        if not entries:
            continue
        chunk: list[str] = []
        for e in entries:
            chunk += [nl] + e.splitlines(keepends=True)
        section = find_section(lines, kind)
        if section is None:
            other = find_section(lines, "rejected") if kind == "done" else None
            at = other[0] if other else len(lines)
            new = [SECTION_HEADINGS[kind] + nl, nl, f"### {day}" + nl] + chunk
            if at > 0 and strip_eol(lines[at - 1]).strip():
                new = [nl] + new
            put(at, new)
            continue
        start, end = section
        heads = [(n, lv, t) for n, lv, t in _headings(lines) if start < n < end]
        block = next(((n, lv) for n, lv, t in heads if t.strip() == day), None)
        if block is not None:
            n0, lv0 = block
            stop = next((n for n, lv, t in heads if n > n0 and lv <= lv0), end)
            at = stop
            while at > n0 + 1 and not strip_eol(lines[at - 1]).strip():
                at -= 1
            put(at, chunk)
        else:
            at = heads[0][0] if heads else end
            while at > start + 1 and not strip_eol(lines[at - 1]).strip():
                at -= 1
            put(at, [nl, f"### {day}" + nl] + chunk)
    data = "".join(lines).encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if archive is not None and archive.bom else data


def kind_of(item: Item, done: list[str], rejected: list[str]) -> str:
    return status_kind(item.status, done, rejected)


def load(path: Path, shown: str, within: Path | None = None) -> InlineBacklog:
    return parse(Document.read(path, shown, within=within))
