"""Test metrics for the docs: the "📊 Current Statistics" block, counted from TRX files.

Replaces BlockLife's ``collect_test_metrics.py``, which scraped console text and once wrote
zeros when the SDK changed its summary layout. Here the counts come from the TRX results of
each category run. The block is rewritten in place; lines after it are kept; when the numbers
did not change nothing is written (not even the date); when the block is absent the file is
left alone and the caller warns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gameops import fileops
from gameops.errors import BadInput

HEADING = re.compile(r"^(#{1,6})\s*📊\s*Current Statistics\s*$", re.M)
BULLET = re.compile(r"^\s*[-*]\s+\*\*(?P<label>[^*]+)\*\*:\s*(?P<count>\d+)")
DEFAULT_FILE = "Docs/DOCUMENTATION_CATALOGUE.md"


@dataclass
class Metrics:
    total: int
    categories: dict[str, int] = field(default_factory=dict)  # in run order
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "categories": self.categories, "passed": self.passed,
                "failed": self.failed, "skipped": self.skipped}


def from_runs(runs: list[dict[str, Any]]) -> Metrics:
    """``runs``: per category ``{"category", "tests": [{"name", "status"}, ...]}``.

    The total counts distinct tests, so overlapping category filters are not counted twice.
    """
    names: dict[str, str] = {}
    cats: dict[str, int] = {}
    for run in runs:
        cats[run["category"]] = len(run["tests"])
        for t in run["tests"]:
            names[t["name"]] = t["status"]
    statuses = list(names.values())
    return Metrics(len(names), cats, statuses.count("passed"), statuses.count("failed"), statuses.count("skipped"))


def render_block(m: Metrics, today: date) -> list[str]:
    lines = [f"- **Total Tests**: {m.total} (as of {today.isoformat()})"]
    lines += [f"- **{name} Tests**: {count}" for name, count in m.categories.items()]
    return lines


def _numbers(lines: list[str]) -> dict[str, int]:
    out = {}
    for ln in lines:
        b = BULLET.match(ln)
        if b:
            out[b["label"].strip()] = int(b["count"])
    return out


@dataclass
class Update:
    path: Path
    found: bool
    changed: bool
    old: list[str]
    new: list[str]
    text: str | None = None  # the new file content when changed

    def as_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "block_found": self.found, "changed": self.changed,
                "old": self.old, "new": self.new}


def plan_update(path: Path, m: Metrics, today: date | None = None) -> Update:
    """What rewriting the block would do (reads only)."""
    today = today or date.today()
    raw = fileops.read_input_bytes(path, missing="statistics file not found (docs.statistics_file)")
    text = fileops.decode_input(raw, str(path))
    bom = raw.startswith(b"\xef\xbb\xbf")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    new = render_block(m, today)
    idx = next((i for i, ln in enumerate(lines) if HEADING.match(ln)), None)
    if idx is None:
        return Update(path, False, False, [], new)
    end = idx + 1
    while end < len(lines) and BULLET.match(lines[end]):
        end += 1
    old = lines[idx + 1:end]
    if _numbers(old) == _numbers(new) and len(old) == len(new):
        return Update(path, True, False, old, old)
    out_lines = lines[: idx + 1] + new + lines[end:]
    new_text = "\n".join(out_lines).replace("\n", newline)
    if bom:
        new_text = "\ufeff" + new_text
    return Update(path, True, True, old, new, new_text)


def apply(update: Update) -> bool:
    if not update.changed or update.text is None:
        return False
    return fileops.atomic_write_bytes(update.path, update.text.encode("utf-8"))


def statistics_file(root: Path, configured: str | None) -> Path:
    if configured:
        return root / configured
    default = root / DEFAULT_FILE
    if default.is_file():
        return default
    raise BadInput(f"no statistics file: set docs.statistics_file in gameops.yaml ({DEFAULT_FILE} does not exist)")
