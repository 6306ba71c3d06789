"""`gameops --help` against `prefect --help`: the command line must not pay for importing Prefect."""

from __future__ import annotations

import subprocess
import sys

from bench.timing import VENV_BIN, row, wall


def main() -> None:
    gameops = [str(VENV_BIN / "gameops"), "--help"]
    prefect = [str(VENV_BIN / "prefect"), "--help"]
    subprocess.run(prefect, capture_output=True)  # warm the file cache for both
    subprocess.run(gameops, capture_output=True)
    g = wall(gameops, repeat=7)
    p = wall(prefect, repeat=7)
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, gameops.cli as c; c.build_parser(); print('prefect' in sys.modules)"],
        capture_output=True, text=True,
    ).stdout.strip()
    row("gameops --help (median of 7)", f"{g * 1000:.0f} ms")
    row("prefect --help (median of 7)", f"{p * 1000:.0f} ms")
    row("ratio gameops/prefect (goal <= 0.33)", f"{g / p:.3f}")
    row("prefect imported by gameops --help", imported)
