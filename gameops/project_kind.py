"""What kind of game repository this is: does it use C# (.NET) and does it use Godot.

The one place that decides it. ``gameops check``, ``gameops setup`` and config detection all
ask here, so they cannot drift apart:

- **C#**: the project has a .NET solution, i.e. ``dotnet.solution`` is set, and detection sets
  it from the first ``*.sln`` at the root or one folder down (see :func:`find_solutions`).
- **Godot**: ``project.godot`` is a file in the Godot folder (``godot.project_dir``, which
  detection sets from the first ``project.godot`` up to two folders down, see
  :func:`find_godot_projects`), or the config names export presets (then the project is meant
  to be a Godot project and a missing ``project.godot`` is reported, not skipped).

Whether the *Godot project itself* is a C# one (the .NET edition of Godot for its export) is a
property of ``project.godot`` and is read by :func:`gameops.godot.read_project`.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

GODOT_PROJECT_FILE = "project.godot"
SOLUTION_PATTERN = "*.sln"


def _find_shallow(root: Path, pattern: str, depth: int) -> list[Path]:
    """Files matching ``pattern`` at the shallowest level (0..depth) that has any, hidden folders skipped."""
    found: list[Path] = []
    for d in range(depth + 1):
        glob = "/".join(["*"] * d + [pattern])
        found.extend(p for p in root.glob(glob) if not any(part.startswith(".") for part in p.relative_to(root).parts))
        if found:
            break
    return sorted(found)


def find_solutions(root: Path) -> list[Path]:
    """The .NET solutions detection may pick: ``*.sln`` at the root, else one folder down."""
    return _find_shallow(root, SOLUTION_PATTERN, depth=1)


def find_godot_projects(root: Path) -> list[Path]:
    """The ``project.godot`` files detection may pick: at the root, else up to two folders down."""
    return _find_shallow(root, GODOT_PROJECT_FILE, depth=2)


def uses_csharp(solution: str | None) -> bool:
    """Whether the repository builds C#: it has a .NET solution (``dotnet.solution``)."""
    return bool(solution)


def uses_godot(godot_dir: Path, export_presets: Collection[str] = ()) -> bool:
    """Whether the repository is a Godot game: ``project.godot`` in ``godot_dir``, or export presets configured."""
    return (godot_dir / GODOT_PROJECT_FILE).is_file() or bool(export_presets)
