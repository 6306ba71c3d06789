"""Docs sync over a generated docs tree of 10,000 markdown files: first run (recompute summaries,
stamp, write, check every link) and second run (must write zero files)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.timing import row

FILES = 10_000
FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "backlog" / "inline"


def _generate(root: Path) -> None:
    shutil.copytree(FIXTURE, root)
    docs = root / "Docs" / "Generated"
    for i in range(FILES - 3):
        folder = docs / f"area{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        summary = ("\n## Summary\n<!-- gameops:backlog-summary -->\nold\n<!-- /gameops:backlog-summary -->\n"
                   if i % 100 == 0 else "")
        text = (f"# Page {i}\n\n**Last Updated**: 2025-01-01\n{summary}\n"
                f"See [the next page](../area{(i + 1) % 50:02d}/page{i + 1:05d}.md#top), "
                f"[the backlog](../../01-Active/Backlog.md), [a site](https://example.invalid/{i}) and "
                f"[mail](mailto:x@example.invalid).\n\n```\n[not a link](nowhere.md)\n```\n"
                + ("[a broken one](missing.md)\n" if i % 1000 == 0 else "")
                + "Some text. " * 40 + "\n")
        (folder / f"page{i:05d}.md").write_text(text, encoding="utf-8")


def _count_writes(root: Path, since_ns: int) -> int:
    n = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            if os.stat(os.path.join(dirpath, f)).st_mtime_ns > since_ns:
                n += 1
    return n


def main() -> None:
    from gameops import docs_sync
    from gameops.config import load

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "game"
        _generate(root)
        loaded = load(root)
        t0 = time.perf_counter()
        first = docs_sync.run(loaded, date(2025, 8, 30))
        t1 = time.perf_counter()
        mark = time.time_ns()
        time.sleep(0.05)
        second = docs_sync.run(load(root), date(2025, 8, 31))
        t2 = time.perf_counter()
        writes = _count_writes(root, mark)
        row(f"docs sync, {first['files_scanned']} files, first run", f"{t1 - t0:.2f} s")
        row("  files updated / links checked / broken", f"{len(first['changed_files'])} / {first['links_checked']} / "
            f"{len(first['broken_links'])}")
        row("docs sync, second run (nothing to change)", f"{t2 - t1:.2f} s")
        row("  files written by the second run (goal 0)", str(writes + len(second["changed_files"])))
        if writes or second["changed_files"]:
            raise AssertionError(f"second run wrote {writes} file(s)")
