"""Helpers shared by the CI-flow tests: the C# fixture game in a scratch git repo, the stand-in on PATH."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import make_repo

HERE = Path(__file__).resolve().parent
CSHARP_GAME = HERE / "fixtures" / "csharp-game"
STANDIN = HERE / "standin"
REAL_DOTNET = shutil.which("dotnet")  # looked up before any test puts the stand-in first
# The fixture game is a Godot 4.4 C# project: ci's tool check gets a binary that says it is one.
GODOT44 = str(STANDIN / "godot-4.4-mono")


def game_repo(tmp_path: Path) -> Path:
    return make_repo(CSHARP_GAME, tmp_path / "lumen", "chore: import Lumen")


def standin_path(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return str(STANDIN) + os.pathsep + env.get("PATH", "")
