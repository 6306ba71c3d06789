"""Helpers for benchmarks: wall time of commands, medians, ratios."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def wall(args: Sequence[str], repeat: int = 5, **kwargs) -> float:
    """Median wall time in seconds of running ``args`` ``repeat`` times."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(list(args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, **kwargs)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def row(label: str, value: str) -> None:
    print(f"   {label:<48} {value}", flush=True)
