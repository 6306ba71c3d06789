"""Helpers for benchmarks: wall time of commands, medians, ratios."""

from __future__ import annotations

import os
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


def paired(a: Sequence[str], b: Sequence[str], pairs: int = 5, *, env: dict[str, str] | None = None,
           before_a: Callable[[], dict[str, str] | None] | None = None, after_a: Callable[[], object] | None = None,
           cwd: Path | None = None) -> tuple[float, float, float]:
    """Run A and B in turn (A B A B ...) after one untimed warm-up of each; returns the median of
    the pair-by-pair ratios A/B, and the median wall times of A and B. Pairing keeps the ratio
    meaningful when the machine's speed drifts (other jobs on a shared box).

    ``before_a`` (untimed) may return extra environment for that run of A (a fresh home);
    ``after_a`` (untimed) cleans up after it (stops the server it started)."""

    def once(args, extra):
        t = time.perf_counter()
        subprocess.run(list(args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                       check=False, env={**(env or os.environ), **(extra or {})}, cwd=cwd)
        return time.perf_counter() - t

    def run_a():
        extra = before_a() if before_a else None
        try:
            return once(a, extra)
        finally:
            if after_a:
                after_a()

    run_a(), once(b, None)
    ratios, ta, tb = [], [], []
    for _ in range(pairs):
        x = run_a()
        y = once(b, None)
        ta.append(x), tb.append(y), ratios.append(x / y)
    return statistics.median(ratios), statistics.median(ta), statistics.median(tb)


def user_env() -> dict[str, str]:
    """This environment as a user's shell has it: Python writes its bytecode cache (a CI box or a
    sandbox may set PYTHONDONTWRITEBYTECODE, which makes every run recompile gameops' sources)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


SERVER_ENV = ("GAMEOPS_HOME", "PREFECT_HOME", "PREFECT_API_URL")


def saved_environ(keys: Sequence[str] = SERVER_ENV) -> dict[str, str | None]:
    """The values of ``keys`` now (None: unset), for :func:`restore_environ` after a bench's server."""
    return {k: os.environ.get(k) for k in keys}


def restore_environ(saved: dict[str, str | None]) -> None:
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
