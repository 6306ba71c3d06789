"""`gameops check`, `gameops setup` and config detection agree on whether a repository uses C#
and whether it uses Godot (one decision, in gameops.project_kind)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gameops import checks, onboarding
from gameops.config import detect, load

REPO = Path(__file__).resolve().parent.parent


def _godot_only(dest: Path) -> None:
    """The sample game (GDScript, no solution), its Godot project one folder down."""
    shutil.copytree(REPO / "examples" / "sample-game", dest / "game")
    (dest / "game" / "gameops.yaml").unlink()  # detection decides, not the example's config


def _csharp_godot(dest: Path) -> None:
    shutil.copytree(REPO / "tests" / "fixtures" / "csharp-game", dest, dirs_exist_ok=True)
    (dest / "gameops.yaml").unlink()


def _plain_dotnet(dest: Path) -> None:
    """A .NET solution without Godot: a .sln and a library project, no project.godot."""
    (dest / "src" / "Tool.Core").mkdir(parents=True)
    shutil.copy(REPO / "tests" / "fixtures" / "csharp-game" / "Lumen.sln", dest / "Tool.sln")
    (dest / "src" / "Tool.Core" / "Tool.Core.csproj").write_text(
        '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework>'
        "</PropertyGroup></Project>\n", encoding="utf-8")


CASES = [  # (builder, uses C#, uses Godot)
    pytest.param(_godot_only, False, True, id="godot-only"),
    pytest.param(_csharp_godot, True, True, id="csharp-godot"),
    pytest.param(_plain_dotnet, True, False, id="plain-dotnet"),
]


@pytest.mark.parametrize(("build", "csharp", "godot"), CASES)
def test_check_setup_and_detection_agree(tmp_path, build, csharp, godot):
    root = tmp_path / "repo"
    root.mkdir()
    build(root)

    data, _sources, _notes = detect(root, tags=False)
    assert bool(data.get("dotnet", {}).get("solution")) is csharp
    detected_godot_dir = root / data.get("godot", {}).get("project_dir", ".")
    assert (detected_godot_dir / "project.godot").is_file() is godot

    loaded = load(root)
    assert loaded.uses_csharp is csharp and loaded.uses_godot is godot

    # gameops check: the dotnet tool is looked for only for C#, Godot's only for a Godot game
    tool_names = {c.name for c in checks.check_tools(loaded)}
    assert ("tool: dotnet" in tool_names) is csharp
    assert ("tool: godot" in tool_names) is godot
    project_checks = checks.check_godot_project(loaded)
    assert any("not a Godot project" in c.detail for c in project_checks) is not godot

    # gameops setup: the same decisions
    steps = {s.name: s for s in onboarding.prerequisites(loaded)}
    assert (steps[".NET SDK"].status == "skipped") is not csharp
    assert (steps["godot"].status == "skipped") is not godot
