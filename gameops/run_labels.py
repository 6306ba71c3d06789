"""What a gameops run is called and tagged, so the Prefect UI tells projects and jobs apart.

A run is named ``<job>-<project>[-<version or date>]`` (``release-BlockLife-1.4.0``,
``backlog-archive-BlockLife-2026-11-30``) and tagged ``gameops``, ``project:<name>``,
``job:<job>``, ``branch:<branch>`` and, for releases, ``version:<v>``. The job is the flow's
name. Keyed artifacts (the per-project status board) use :func:`slug` of the project name,
because Prefect artifact keys allow lowercase letters, digits and dashes only.

Plain Python: the flows (gameops.flows.labels) put these on the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from gameops import slugs
from gameops import git
from gameops.config import Loaded, load
from gameops.errors import GameopsError

GAMEOPS_TAG = "gameops"
PREFIXES = ("project:", "job:", "branch:", "version:")


def slug(text: str) -> str:
    """Lowercase letters, digits and single dashes (``Block Life 2`` -> ``block-life-2``)."""
    return slugs.slug(text, "gameops")


BOARDS = ("ci", "release", "backlog", "docs")


def board_key(project: str, board: str) -> str:
    """The key of a project's status-board artifact: ``<project slug>-<board>`` (``blocklife-ci``).

    One key per project and board, so every run adds a version and the Artifacts page shows
    the latest state with its history.
    """
    if board not in BOARDS:
        raise ValueError(f"unknown status board {board!r}: one of {', '.join(BOARDS)}")
    return f"{slug(project)}-{board}"


def _word(text: str) -> str:
    """One word for a run name or tag: whitespace becomes a dash, case is kept."""
    return re.sub(r"\s+", "-", text.strip())


@dataclass(frozen=True)
class RunLabels:
    job: str
    project: str
    branch: str | None = None
    version: str | None = None
    day: date | None = None
    detail: str | None = None  # what part of the job this run is, e.g. the platform of an export

    @property
    def name(self) -> str:
        suffix = self.version or (self.day.isoformat() if self.day else None)
        detail = _word(self.detail) if self.detail else None
        return "-".join(p for p in (self.job, _word(self.project), detail, suffix) if p)

    @property
    def tags(self) -> list[str]:
        tags = [GAMEOPS_TAG, f"project:{_word(self.project)}", f"job:{self.job}"]
        if self.branch:
            tags.append(f"branch:{self.branch}")
        if self.version:
            tags.append(f"version:{self.version}")
        return tags


def clean_version(version: str | None) -> str | None:
    """``v1.4.0`` -> ``1.4.0`` (the run says the version the way the release folder does)."""
    return str(version).strip().lstrip("vV") or None if version else None


def of_loaded(job: str, loaded: Loaded, *, version: str | None = None, day: date | None = None,
              detail: str | None = None) -> RunLabels:
    name = loaded.config.project.name or loaded.root.name
    branch = git.current_branch(loaded.root)  # None outside a repository or on a detached HEAD
    return RunLabels(job=job, project=name, branch=branch, version=clean_version(version), day=day, detail=detail)


def for_parameters(job: str, project: str | None, config: str | None, *, version: str | None = None,
                   day: date | None = None, detail: str | None = None) -> RunLabels:
    """Labels from a run's parameters; never raises (a run with a broken config still gets a name).

    The config's project name when it loads, else the project folder's name.
    """
    try:
        return of_loaded(job, load(project or ".", config), version=version, day=day, detail=detail)
    except (GameopsError, OSError, ValueError):
        folder = Path(project or ".").expanduser().resolve().name or "project"
        return RunLabels(job=job, project=folder, version=clean_version(version), day=day, detail=detail)


def merged_tags(existing: list[str], labels: RunLabels) -> list[str]:
    """The run's tags with ours replaced and everyone else's (a deployment's, ``items:N``) kept."""
    ours = labels.tags
    kept = [t for t in existing if t != GAMEOPS_TAG and not t.startswith(PREFIXES) and t not in ours]
    return [*ours, *kept]
