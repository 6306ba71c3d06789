"""The older (table) layout: ``Docs/Backlog/Backlog.md`` with a tracker table, one markdown file
per item in ``items/``, archived files in quarter folders named by the archive convention::

    | **P1** | [BF_004](items/BF_004_Backlog_Maintainer_File_Overwrite.md) | Bug Fix | ... | 🟡 Active | 50% | ...
    archive/2025-Q3/2025_08_16-TD_019-double-verification-protocol-[workflow][completed].md

Unlike the original script, bold priorities (``**P1**``, ``**NEXT**``), sub-ids (``VS_000.3``),
three-letter types and links with ``#anchors`` are understood.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from gameops.backlog.model import FIELD_RE, ID_CORE, Document, Item, status_kind, strip_eol

ARCHIVED_STATUS = "📦 ARCHIVED"
LINK_RE = re.compile(rf"\[(?P<id>{ID_CORE})\]\((?P<target>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
ITEM_FILE_RE = re.compile(rf"^(?P<id>{ID_CORE})(?:_(?P<words>.*))?\.md$", re.IGNORECASE)
ARCHIVED_FILE_RE = re.compile(rf"^\d{{4}}_\d{{2}}_\d{{2}}-(?P<id>{ID_CORE})-.*\.md$")
DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _cells(line: str) -> list[str] | None:
    s = strip_eol(line)
    if not s.lstrip().startswith("|"):
        return None
    body = s.strip()
    if body.endswith("|") and len(body) > 1:
        body = body[:-1]
    return body[1:].split("|")


def _clean(cell: str) -> str:
    return cell.strip().replace("**", "").strip()


@dataclass
class TableBacklog:
    doc: Document
    items: list[Item] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)

    def ids(self) -> list[str]:
        return [i.id for i in self.items]


def parse(doc: Document) -> TableBacklog:
    """Rows of every table whose header has an ``ID`` column."""
    out = TableBacklog(doc=doc)
    lines = doc.lines
    n = 0
    while n < len(lines):
        header = _cells(lines[n])
        sep = _cells(lines[n + 1]) if n + 1 < len(lines) else None
        if header and sep and all(re.fullmatch(r"\s*:?-{2,}:?\s*", c) for c in sep):
            names = [_clean(c).lower() for c in header]
            if "id" in names:
                cols = {name: i for i, name in enumerate(names)}
                out.columns = cols
                n += 2
                while n < len(lines) and (cells := _cells(lines[n])) is not None:
                    item = _row(cells, cols, n)
                    if item:
                        out.items.append(item)
                    n += 1
                continue
        n += 1
    return out


def _row(cells: list[str], cols: dict[str, int], n: int) -> Item | None:
    def cell(name: str) -> str:
        i = cols.get(name)
        return _clean(cells[i]) if i is not None and i < len(cells) else ""

    raw_id = cells[cols["id"]] if cols["id"] < len(cells) else ""
    m = LINK_RE.search(raw_id)
    if m:
        item_id, link = m.group("id"), m.group("target")
    else:
        plain = re.search(ID_CORE, raw_id)
        if not plain:
            return None
        item_id, link = plain.group(0), None
    fields = {name: cell(name) for name in cols}
    return Item(id=item_id, title=cell("title"), status=cell("status"), fields=fields, start=n, end=n + 1,
                link=link, cells=cells)


def progress(item: Item) -> int | None:
    m = re.search(r"(\d+)\s*%", item.fields.get("progress", ""))
    return int(m.group(1)) if m else None


def links_into(link: str | None, backlog_dir: Path, folder: Path) -> bool:
    """Whether ``link`` (relative to the backlog's folder) points inside ``folder``. Compared as
    paths, not as text: ``items/TD_020_Archive_Automation.md`` is not in the archive."""
    if not link or "://" in link:
        return False
    target = Path(os.path.normpath(backlog_dir / link_path(link)))
    try:
        target.relative_to(Path(os.path.normpath(folder)))
        return True
    except ValueError:
        return False


def row_kind(item: Item, done: list[str], rejected: list[str], backlog_dir: Path | None = None,
             archive_dir: Path | None = None) -> str:
    """``archived``, ``done``, ``rejected`` or ``active`` (a row at 100% is done)."""
    kind = status_kind(item.status, done, rejected)
    if kind == "archived" or (backlog_dir is not None and archive_dir is not None
                              and links_into(item.link, backlog_dir, archive_dir)):
        return "archived"
    if kind == "active" and progress(item) == 100:
        return "done"
    return kind


def link_path(link: str) -> str:
    """The file part of a link: no ``#anchor``, no ``?query``, percent-decoded."""
    return unquote(link.split("#", 1)[0].split("?", 1)[0])


def set_status(line: str, cols: dict[str, int], status: str) -> str:
    """The row with its Status cell replaced, padding kept."""
    eol = line[len(strip_eol(line)):]
    s = strip_eol(line)
    parts = s.split("|")
    i = cols.get("status")
    if i is None or i + 1 >= len(parts):
        return line
    old = parts[i + 1]
    lead = old[: len(old) - len(old.lstrip())] or " "
    trail = old[len(old.rstrip()):] or " "
    parts[i + 1] = f"{lead}{status}{trail}"
    return "|".join(parts) + eol


def rewrite_links(text: str, item_id: str, new_target: str) -> str:
    """Point every ``[ID](...)`` link at ``new_target``, keeping each link's ``#anchor``."""

    def sub(m: re.Match) -> str:
        if m.group("id") != item_id:
            return m.group(0)
        anchor = "#" + m.group("target").split("#", 1)[1] if "#" in m.group("target") else ""
        return f"[{item_id}]({new_target}{anchor})"

    return LINK_RE.sub(sub, text)


# ---------------------------------------------------------------------------
# The archive naming convention: YYYY_MM_DD-[TYPE_ID]-description-[tag1][tag2][...].md

TYPE_TAGS = {"BF": ["bug"], "BR": ["bug"], "VS": ["feature"], "HF": ["bug", "critical"]}
TAG_ORDER = {"bug": 1, "feature": 1, "test": 1, "refactor": 1,
             "critical": 2, "dataloss": 2, "security": 2, "breaking": 2,
             "fileops": 3, "ui": 3, "core": 3, "workflow": 3, "agent": 3,
             "automation": 4, "pattern": 4, "framework": 4, "migration": 4,
             "resolved": 99, "completed": 99, "partial": 99, "deprecated": 99, "rejected": 99}
AREAS = [(("archive", "file", "move"), "fileops"), (("ui", "interface", "view"), "ui"),
         (("core", "engine", "system"), "core"), (("workflow", "process"), "workflow"), (("agent", "ai"), "agent")]


def tags(item_id: str, file_name: str, content: str, priority: str, kind: str) -> list[str]:
    """Type, impact, area, detail and status tags; de-duplicated and sorted by slot (then name)."""
    t = item_id.split("_", 1)[0]
    text = content.lower()
    name_words = set(re.split(r"[^a-z0-9]+", file_name.lower()))
    out: list[str] = []
    if t == "TD":
        out.append("test" if any(w in text for w in ("test", "testing", "verification")) else "refactor")
    else:
        out.extend(TYPE_TAGS.get(t, ["feature"]))
    if re.sub(r"[^A-Z0-9]", "", priority.upper()) in ("P0", "CRITICAL"):
        out.append("critical")
    if "data loss" in text or "dataloss" in text:
        out.append("dataloss")
    for word, tag in (("security", "security"), ("breaking", "breaking")):
        if word in text:
            out.append(tag)
    for words, tag in AREAS:
        if name_words & set(words):
            out.append(tag)
            break
    if name_words & {"automation", "auto"}:
        out.append("automation")
    if name_words & {"pattern", "framework"}:
        out.append("pattern")
    if kind == "rejected":
        out.append("rejected")
    else:
        out.append("resolved" if t in ("BF", "HF", "BR") else "completed")
    unique = list(dict.fromkeys(out))
    return sorted(unique, key=lambda x: (TAG_ORDER.get(x, 50), x))


def description(item_id: str, stem: str, title: str) -> str:
    words_part = stem[len(item_id):].lstrip("_") if stem.startswith(item_id) else ""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", words_part or title) if w][:4]
    if len(words) < 2:
        words.append("item")
    return "-".join(w.lower() for w in words)


def archive_name(item_id: str, src_name: str, title: str, content: str, priority: str, kind: str, when: date) -> str:
    stem = src_name[:-3] if src_name.lower().endswith(".md") else src_name
    tag_text = "".join(f"[{t}]" for t in tags(item_id, stem, content, priority, kind))
    return f"{when:%Y_%m_%d}-{item_id}-{description(item_id, stem, title)}-{tag_text}.md"


def quarter(when: date) -> str:
    return f"{when.year}-Q{(when.month - 1) // 3 + 1}"


def completion_date(content: str, today: date) -> date:
    """``**Completed**: YYYY-MM-DD`` in the item file, else today (file times are unreliable:
    a clone or checkout resets them)."""
    for line in content.splitlines():
        m = FIELD_RE.match(line.strip())
        if m and m.group("name").strip().lower() in ("completed", "resolved", "rejected", "done"):
            d = DATE_RE.search(m.group("value"))
            if d:
                try:
                    return date(int(d.group(1)), int(d.group(2)), int(d.group(3)))
                except ValueError:
                    pass
    return today


def relative_link(from_dir: Path, target: Path) -> str:
    return PurePosixPath(Path(os.path.relpath(target, from_dir)).as_posix()).as_posix()


def item_files(items_dir: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    if items_dir.is_dir():
        for p in sorted(items_dir.iterdir()):
            m = ITEM_FILE_RE.match(p.name)
            if m and p.is_file():
                out.setdefault(m.group("id"), []).append(p)
    return out


def archived_files(archive_dir: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    if archive_dir.is_dir():
        for p in sorted(archive_dir.rglob("*.md")):
            m = ARCHIVED_FILE_RE.match(p.name) or ITEM_FILE_RE.match(p.name)
            if m and p.is_file():
                out.setdefault(m.group("id"), []).append(p)
    return out
