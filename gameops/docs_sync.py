"""``gameops docs sync``: summary blocks recomputed from the backlog, "Last Updated" stamped
only where content changed, internal links checked.

Summary blocks are marked in any markdown file under ``docs.root`` (and in the files listed in
``docs.summary_files``)::

    <!-- gameops:backlog-summary -->
    ...recomputed: counts by status and type...
    <!-- /gameops:backlog-summary -->

A file whose block content changes gets its first ``**Last Updated**: ...`` (or
``*Last Updated: ...*``) line set to today; nothing else is stamped (BlockLife's script
re-stamped its catalogue on every run). A run with nothing to change writes nothing. All
writes of a run go through one journaled :class:`gameops.fileplan.Plan`.

Link check: every ``[text](target)``, image and reference definition outside code, found by a
CommonMark parser (markdown-it-py); http(s), mailto and other schemes are skipped, ``#anchor``
and ``?query`` are stripped, the target is resolved relative to the file (or the project root
for ``/...``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from gameops import fileops, fileplan, journal
from gameops.backlog import layout as layouts
from gameops.backlog.model import normalize_status
from gameops.config import Loaded
from gameops.errors import BadInput

START = "<!-- gameops:backlog-summary -->"
END = "<!-- /gameops:backlog-summary -->"
BLOCK_RE = re.compile(re.escape(START) + r"(?P<body>.*?)" + re.escape(END), re.S)
STAMP_RE = re.compile(r"^(?P<pre>\*\*Last Updated\*\*:[ \t]*|\*Last Updated:[ \t]*)(?P<value>[^\r\n*]*?)(?P<post>\*?)[ \t]*\r?$", re.M)
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


@dataclass
class Summary:
    active_by_type: Counter = field(default_factory=Counter)
    active_by_status: Counter = field(default_factory=Counter)
    waiting: int = 0
    archived_done: int = 0
    archived_rejected: int = 0
    archived_cancelled: int = 0  # cancelled or obsolete: archived, never counted as completed

    def as_dict(self) -> dict:
        return {"active": sum(self.active_by_type.values()), "active_by_type": dict(sorted(self.active_by_type.items())),
                "active_by_status": dict(sorted(self.active_by_status.items())), "done_waiting_for_archive": self.waiting,
                "archived": self.archived, "archived_completed": self.archived_done,
                "archived_rejected": self.archived_rejected, "archived_cancelled": self.archived_cancelled}

    @property
    def archived(self) -> int:
        return self.archived_done + self.archived_rejected + self.archived_cancelled

    def render(self, nl: str) -> str:
        def counts(c: Counter) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(c.items())) or "none"

        active = sum(self.active_by_type.values())
        lines = [
            f"- **In the backlog**: {active} ({counts(self.active_by_type)})",
            f"- **By status**: {counts(self.active_by_status)}",
            f"- **Done, waiting for the archive**: {self.waiting}",
            f"- **Archived**: {self.archived} ({self.archived_done} completed, {self.archived_rejected} rejected"
            + (f", {self.archived_cancelled} cancelled or obsolete)" if self.archived_cancelled else ")"),
        ]
        return nl + nl.join(lines) + nl


def _status_label(status: str) -> str:
    head = re.split(r"[(\[]", status, maxsplit=1)[0]
    norm = normalize_status(head)
    return norm.capitalize() if norm else "No status"


def summarize(loaded: Loaded) -> Summary:
    cfg = loaded.config.backlog
    root = loaded.root
    s = Summary()
    done, rejected = cfg.done_statuses, cfg.rejected_statuses
    tally = layouts.of(cfg.layout).tally(root, cfg, done, rejected)
    for type_, status, waiting in tally.active:
        s.active_by_type[type_] += 1
        s.active_by_status[_status_label(status)] += 1
        s.waiting += waiting
    s.archived_done = tally.archived["done"]
    s.archived_rejected = tally.archived["rejected"]
    s.archived_cancelled = tally.archived["cancelled"]
    return s


# ---------------------------------------------------------------------------
# Links


_PARSER = None


def _parser():
    """A CommonMark parser (with tables) that reports link targets as written."""
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark").enable("table")
        md.normalizeLink = lambda url: url  # keep the target as written: reports quote it, checks unquote it
        md.validateLink = lambda url: True  # every scheme is seen (and skipped by internal_target)
        _PARSER = md
    return _PARSER


def links(text: str) -> list[tuple[int, str]]:
    """(line, target) of every link, image and reference definition outside code.

    Found by a CommonMark parser (markdown-it-py): fenced and indented code blocks and code
    spans hold no links, and escaped brackets (``[a\\]b](b.md)``) are read as CommonMark does.
    A reference link (``[text][ref]``) is reported where it is used and where it is defined.
    """
    if "](" not in text and "]:" not in text:
        return []
    env: dict = {}
    out: list[tuple[int, str]] = []
    for tok in _parser().parse(text, env):
        if tok.type != "inline" or not tok.children or not tok.map:
            continue
        line = tok.map[0] + 1
        for child in tok.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                out.append((line, str(child.attrs.get("href", ""))))
            elif child.type == "image":
                out.append((line, str(child.attrs.get("src", ""))))
                line += sum(c.type in ("softbreak", "hardbreak") for c in child.children or ())
    for ref in env.get("references", {}).values():
        if ref.get("map"):
            out.append((ref["map"][0] + 1, ref["href"]))
    out.sort()
    return out


def internal_target(target: str) -> str | None:
    """The file part of an internal link, or None for external links and pure anchors."""
    if not target or target.startswith("#") or SCHEME_RE.match(target) or target.startswith("//"):
        return None
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    return path or None


class _Exists:
    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.cache: dict[str, bool] = {}

    def __call__(self, path: str) -> bool:
        if path in self.known:
            return True
        hit = self.cache.get(path)
        if hit is None:
            hit = self.cache[path] = os.path.exists(path)
        return hit


def check_links(root: Path, files: dict[Path, str], known: set[str]) -> tuple[int, list[dict]]:
    exists = _Exists(known)
    broken, checked = [], 0
    for path, text in files.items():
        folder = os.path.dirname(path)
        for line, target in links(text):
            rel = internal_target(target)
            if rel is None:
                continue
            checked += 1
            full = os.path.normpath(os.path.join(str(root), rel.lstrip("/")) if rel.startswith("/") else os.path.join(folder, rel))
            if not exists(full):
                broken.append({"file": path.relative_to(root).as_posix(), "line": line, "target": target})
    return checked, broken


# ---------------------------------------------------------------------------
# The sync


def _markdown_files(docs: Path) -> tuple[list[Path], set[str]]:
    md, known = [], set()
    for dirpath, dirnames, filenames in os.walk(docs):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            full = os.path.join(dirpath, name)
            known.add(os.path.normpath(full))
            if name.lower().endswith((".md", ".markdown")):
                md.append(Path(full))
        known.add(os.path.normpath(dirpath))
    return sorted(md), known


def _stamp(text: str, today: date) -> str:
    m = STAMP_RE.search(text)
    if not m:
        return text
    return text[: m.start("value")] + today.isoformat() + text[m.end("value"):]


def plan_sync(loaded: Loaded, today: date) -> tuple[fileplan.Plan, dict]:
    root = loaded.root
    cfg = loaded.config.docs
    docs = root / cfg.root
    if not docs.is_dir():
        raise BadInput(f"{cfg.root}: docs folder not found (docs.root)")
    md, known = _markdown_files(docs)
    wanted = [root / f for f in cfg.summary_files]
    for w in wanted:
        if not w.is_file():
            raise BadInput(f"{w.relative_to(root).as_posix()}: summary file not found (docs.summary_files)")
    files: dict[Path, str] = {}
    raw: dict[Path, bytes] = {}
    for p in dict.fromkeys(md + wanted):
        data = fileops.read_input_bytes(p, p.relative_to(root).as_posix(), within=root)
        raw[p] = data
        files[p] = fileops.decode_input(data, p.relative_to(root).as_posix())
    summary: Summary | None = None
    plan = fileplan.Plan()
    changed, missing_markers = [], []
    for p, text in files.items():
        if START not in text:
            if p in wanted:
                missing_markers.append(p.relative_to(root).as_posix())
            continue
        if summary is None:
            summary = summarize(loaded)
        nl = "\r\n" if "\r\n" in text else "\n"
        body = summary.render(nl)
        new = BLOCK_RE.sub(lambda m, body=body: START + body + END, text)
        if new != text:
            new = _stamp(new, today)
            data = (b"\xef\xbb\xbf" if raw[p].startswith(b"\xef\xbb\xbf") else b"") + new.encode("utf-8")
            rel = p.relative_to(root).as_posix()
            plan.write(rel, data, raw[p])
            changed.append(rel)
    return plan, {"files": files, "known": known, "summary": summary, "changed": changed,
                  "missing_markers": missing_markers, "raw": raw}


def diff(loaded: Loaded, plan: fileplan.Plan, info: dict) -> str:
    """What a dry run would write, as a unified diff."""
    return "".join(fileops.unified_diff(c["path"], info["raw"][loaded.root / c["path"]], plan.data(i))
                   for i, c in enumerate(plan.changes))


def needs_lock(loaded: Loaded, plan: fileplan.Plan) -> bool:
    """Something to write, or an interrupted run to finish; else the run writes nothing at all."""
    return bool(plan) or bool(journal.pending(loaded.root, clean=False))


def report(loaded: Loaded, info: dict, links: tuple[int, list[dict]], *, dry_run: bool, check_links_fail: bool,
           recovered: list[str], diff_text: str = "") -> dict:
    """The docs sync's result document (what ``--json`` prints), for the core and the flow alike."""
    checked, broken = links
    return {
        "ok": not (check_links_fail and broken),
        "dry_run": dry_run,
        "files_scanned": len(info["files"]),
        "changed_files": info["changed"],
        "summary": info["summary"].as_dict() if info["summary"] else summarize(loaded).as_dict(),
        "missing_markers": info["missing_markers"],
        "links_checked": checked,
        "broken_links": broken,
        "recovered": recovered,
        "diff": diff_text,
    }


def run(loaded: Loaded, today: date | None = None, *, check_links_fail: bool = False, dry_run: bool = False) -> dict:
    """Recompute, stamp, write (journaled), check links. The whole docs sync without Prefect."""
    today = today or date.today()
    root = loaded.root
    plan, info = plan_sync(loaded, today)
    recovered: list[str] = []
    if not dry_run and needs_lock(loaded, plan):
        with journal.Lock(root):
            recovered = fileplan.recover(root)
            if recovered:  # an interrupted run was finished or undone: plan from what is on disk now
                plan, info = plan_sync(loaded, today)
            receipt = fileplan.apply(root, "docs-sync", plan)
            fileplan.finalize(root, receipt)
    links = check_links(root, info["files"], info["known"])
    return report(loaded, info, links, dry_run=dry_run, check_links_fail=check_links_fail, recovered=recovered,
                  diff_text=diff(loaded, plan, info) if dry_run and plan else "")
