"""What every hook gets: the repository, its settings, git's arguments and stdin, and a way to talk."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from gameops.hooks.settings import HookSettings

ZERO_SHA = "0" * 40


@dataclass
class HookCall:
    name: str
    root: Path  # the project (where gameops.yaml is); git commands run here
    settings: HookSettings
    args: list[str] = field(default_factory=list)  # what git passed to the hook
    stdin: str = ""  # pre-push: the refs being pushed
    config: str | None = None  # --config given at install time

    def arg(self, i: int, default: str = "") -> str:
        return self.args[i] if len(self.args) > i else default


def say(text: str = "") -> None:
    """A message for the person committing: stderr, never fails on a console that cannot encode it."""
    stream = sys.stderr
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        enc = getattr(stream, "encoding", None) or "ascii"
        stream.write((text + "\n").encode(enc, errors="replace").decode(enc, errors="replace"))
    stream.flush()


def is_zero(sha: str) -> bool:
    return not sha.strip("0")
