"""Helpers shared by the backlog, archive and fileops tests (owned by the maintenance tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "backlog"


def copy_fixture(name: str, dest: Path) -> Path:
    shutil.copytree(FIXTURES / name, dest)
    return dest


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root except gameops' own run state, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".gameops" not in p.relative_to(root).parts and ".git" not in p.relative_to(root).parts}
