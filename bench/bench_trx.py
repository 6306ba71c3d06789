"""Parsing a generated 100 MB TRX: gameops' streamed parser against xml.etree.ElementTree.parse.

Both read the same file; peak memory is tracemalloc's peak of Python allocations during the parse
(the file's bytes are generated on disk first, outside the measurement).
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
import tracemalloc
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from bench.timing import row

TARGET_BYTES = 100 * 1024 * 1024
NS = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"


def generate(path: Path, target: int = TARGET_BYTES) -> int:
    """A realistic xUnit TRX: results with stdout and failures with stack traces, then definitions."""
    n = 0
    stdout = "log line with some detail about the step that ran\n" * 8
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'\ufeff<?xml version="1.0" encoding="utf-8"?>\n<TestRun id="{uuid.uuid4()}" name="bench" xmlns="{NS}">\n'
                '  <Times creation="2025-01-01T10:00:00.0000000+00:00" start="2025-01-01T10:00:00.0000000+00:00" finish="2025-01-01T10:05:00.0000000+00:00" />\n'
                "  <Results>\n")
        ids = []
        while f.tell() < target * 0.9:
            tid = str(uuid.uuid4())
            ids.append(tid)
            outcome = "Failed" if n % 50 == 0 else ("NotExecuted" if n % 97 == 0 else "Passed")
            body = f"<StdOut>{stdout}</StdOut>"
            if outcome == "Failed":
                body += ("<ErrorInfo><Message>Assert.Equal() Failure&#xD;\nExpected: 3&#xD;\nActual:   2</Message><StackTrace>"
                         + "   at Game.Tests.Suite.Method() in /src/tests/Suite.cs:line 42\n" * 10 + "</StackTrace></ErrorInfo>")
            f.write(f'    <UnitTestResult executionId="{uuid.uuid4()}" testId="{tid}" testName="Game.Tests.Suite{n % 300}.Test_{n}(value: {n})" '
                    f'computerName="bench" duration="00:00:00.0012345" startTime="2025-01-01T10:00:00.0000000+00:00" '
                    f'endTime="2025-01-01T10:00:00.0012345+00:00" outcome="{outcome}"><Output>{body}</Output></UnitTestResult>\n')
            n += 1
        f.write("  </Results>\n  <TestDefinitions>\n")
        for i, tid in enumerate(ids):
            f.write(f'    <UnitTest name="Test_{i}" id="{tid}"><TestMethod className="Game.Tests.Suite{i % 300}" name="Test_{i}" /></UnitTest>\n')
        f.write('  </TestDefinitions>\n  <ResultSummary outcome="Failed"><Counters total="%d" /></ResultSummary>\n</TestRun>\n' % n)
    return n


def measure(fn) -> tuple[float, int, object]:
    gc.collect()
    tracemalloc.start()
    t = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result


def _timed(fn) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    from gameops.results import trx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.trx"
        n = generate(path)
        size = os.path.getsize(path)
        s_ours, m_ours, parsed = measure(lambda: len(trx.parse(path).tests))
        s_et, m_et, _ = measure(lambda: len(ET.parse(path).getroot()))
        assert parsed == n, (parsed, n)
        t_ours = min(_timed(lambda: trx.parse(path)) for _ in range(1))  # without tracemalloc's overhead
        t_et = min(_timed(lambda: ET.parse(path)) for _ in range(1))
        row("generated TRX", f"{size / 1e6:.0f} MB, {n} results")
        row("gameops streamed parser: seconds / peak MB", f"{s_ours:.2f} s / {m_ours / 1e6:.1f} MB")
        row("ElementTree.parse: seconds / peak MB", f"{s_et:.2f} s / {m_et / 1e6:.1f} MB")
        row("time ratio gameops/ElementTree (traced)", f"{s_ours / s_et:.2f}")
        row("untraced seconds gameops / ElementTree", f"{t_ours:.2f} s / {t_et:.2f} s")
        row("time ratio gameops/ElementTree (untraced)", f"{t_ours / t_et:.2f}")
        row("peak memory ratio gameops/ElementTree", f"{m_ours / m_et:.3f}")
