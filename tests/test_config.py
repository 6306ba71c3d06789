"""gameops.yaml: defaults, detection, file values, environment overrides, provenance, schema."""

from __future__ import annotations

import json
import shutil

import pytest

from gameops.config import GameopsConfig, effective, json_schema, load
from gameops.errors import ConfigError


def test_file_values_and_their_lines(sample_repo):
    loaded = load(sample_repo, environ={})
    assert loaded.config.project.name == "sample-game"
    assert loaded.config.godot.presets == {"linux": "Linux/X11"}
    assert loaded.config.godot.timeout_s == 300
    assert loaded.sources["godot.timeout_s"].startswith("gameops.yaml:")
    assert loaded.assumptions == []


def test_environment_overrides_file_and_says_so(sample_repo):
    loaded = load(sample_repo, environ={"GAMEOPS_GODOT__TIMEOUT_S": "42", "GAMEOPS_RELEASE__INCLUDE": "[A.md, B.md]"})
    assert loaded.config.godot.timeout_s == 42
    assert loaded.config.release.include == ["A.md", "B.md"]
    rows = {k: s for k, _, s in effective(loaded)}
    assert rows["godot.timeout_s"] == "environment GAMEOPS_GODOT__TIMEOUT_S"
    assert rows["project.name"].startswith("gameops.yaml:")
    assert rows["dotnet.configuration"] == "default"


def test_environment_text_values_stay_text(sample_repo):
    loaded = load(sample_repo, environ={"GAMEOPS_PROJECT__NAME": "2026-01-01", "GAMEOPS_RELEASE__TAG_PREFIX": "null"})
    assert loaded.config.project.name == "2026-01-01"
    assert loaded.config.release.tag_prefix == "null"


def test_detection_without_a_file(tmp_path):
    repo = tmp_path / "Game"
    (repo / "src").mkdir(parents=True)
    (repo / "Game.sln").write_text("")
    (repo / "tests" / "Game.Tests").mkdir(parents=True)
    (repo / "tests" / "Game.Tests" / "Game.Tests.csproj").write_text("<Project/>")
    (repo / "godot").mkdir()
    (repo / "godot" / "project.godot").write_text('config_version=5\n\n[application]\n\nconfig/name="Block Game"\n')
    (repo / "godot" / "export_presets.cfg").write_text(
        '[preset.0]\n\nname="Linux"\nplatform="Linux"\nexport_path="b/x.x86_64"\n\n'
        '[preset.1]\n\nname="Windows Desktop"\nplatform="Windows Desktop"\nexport_path="b/x.exe"\n'
    )
    (repo / "Docs" / "01-Active").mkdir(parents=True)
    (repo / "Docs" / "01-Active" / "Backlog.md").write_text("# Backlog\n")
    loaded = load(repo, environ={})
    cfg = loaded.config
    assert cfg.dotnet.solution == "Game.sln"
    assert cfg.dotnet.test_projects == ["tests/Game.Tests/Game.Tests.csproj"]
    assert cfg.godot.project_dir == "godot"
    assert cfg.project.name == "Block Game"
    assert cfg.godot.presets == {"linux": "Linux", "windows": "Windows Desktop"}
    assert cfg.backlog.file == "Docs/01-Active/Backlog.md"
    assert any("dotnet.solution" in a and "Game.sln" in a for a in loaded.assumptions)
    assert loaded.sources["dotnet.solution"].startswith("detected")


def test_detection_reads_real_godot4_files(tmp_path, shared_fixtures):
    repo = tmp_path / "typetorio"
    repo.mkdir()
    shutil.copy(shared_fixtures / "godot" / "typetorio__project.godot", repo / "project.godot")
    shutil.copy(shared_fixtures / "godot" / "typetorio__export_presets.cfg", repo / "export_presets.cfg")
    cfg = load(repo, environ={}).config
    assert cfg.project.name == "Typetorio"
    assert cfg.godot.presets == {"linux": "Linux/X11", "windows": "Windows Desktop"}


def test_file_wins_over_detection(sample_repo):
    (sample_repo / "gameops.yaml").write_text("project:\n  name: Renamed\n")
    loaded = load(sample_repo, environ={})
    assert loaded.config.project.name == "Renamed"
    assert loaded.config.godot.presets == {"linux": "Linux/X11"}  # still detected
    assert loaded.sources["godot.presets"].startswith("detected")


def test_error_names_line_of_nested_list_item(sample_repo):
    (sample_repo / "gameops.yaml").write_text(
        "dotnet:\n  categories:\n    - name: A\n      filter: Category=A\n    - name: B\n      filtr: Category=B\n"
    )
    with pytest.raises(ConfigError) as err:
        load(sample_repo, environ={})
    assert str(err.value).startswith("gameops.yaml:6: dotnet.categories.1.filtr: unknown key")


def test_schema_is_json_schema_with_descriptions():
    schema = json_schema()
    assert schema["title"] == "gameops.yaml"
    json.dumps(schema)
    godot = schema["$defs"]["GodotConfig"]["properties"]
    assert "timeout_s" in godot and godot["timeout_s"]["description"]
    assert schema["additionalProperties"] is False


def test_defaults_follow_blocklife():
    cfg = GameopsConfig()
    names = [c.name for c in cfg.dotnet.categories]
    assert names == ["Architecture", "Unit", "Performance"]
    assert cfg.dotnet.categories[0].fail_fast and cfg.dotnet.categories[2].on_request
    assert cfg.git.protected_branches == ["main", "master"]
    assert cfg.gates.coverage_min == 0.80


def test_config_show_and_schema_commands(sample_repo, gameops_cli):
    shown = gameops_cli("--project", str(sample_repo), "--json", "config", "show", env={"GAMEOPS_GODOT__TIMEOUT_S": "7"})
    assert shown.code == 0, shown.stderr
    doc = shown.json
    assert doc["config"]["godot"]["timeout_s"] == 7
    assert doc["sources"]["godot.timeout_s"] == "environment GAMEOPS_GODOT__TIMEOUT_S"
    human = gameops_cli("--project", str(sample_repo), "config", "show")
    assert "godot.timeout_s" in human.stderr and "gameops.yaml:" in human.stderr
    schema = gameops_cli("config", "schema")
    assert schema.code == 0 and schema.json["title"] == "gameops.yaml"


def test_configuration_reference_is_current():
    from conftest import ROOT
    from gameops.config_docs import render

    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/configuration.md is stale: python -m gameops.config_docs > docs/configuration.md"


def test_every_archive_file_is_detected(tmp_path):
    """BlockLife has two archive files beside each other; both are read, new entries go into
    Completed_Backlog.md. Without it, the largest archive file takes the entries."""
    repo = tmp_path / "r"
    (repo / "Docs" / "01-Active").mkdir(parents=True)
    (repo / "Docs" / "01-Active" / "Backlog.md").write_text("# Backlog\n")
    arch = repo / "Docs" / "07-Archive"
    arch.mkdir(parents=True)
    (arch / "CompletedBacklog.md").write_text("# Completed Backlog Archive\n\n### TD_048: x\n")
    (arch / "Completed_Backlog.md").write_text("# Archive\n")
    (arch / "Notes.md").write_text("# not an archive\n")
    loaded = load(repo, environ={})
    cfg = loaded.config.backlog
    assert cfg.archive == "Docs/07-Archive/Completed_Backlog.md"
    assert cfg.archive_files() == ["Docs/07-Archive/Completed_Backlog.md", "Docs/07-Archive/CompletedBacklog.md"]
    assert loaded.sources["backlog.archives"].startswith("detected")
    (arch / "Completed_Backlog.md").unlink()
    cfg = load(repo, environ={}).config.backlog
    assert cfg.archive_files() == ["Docs/07-Archive/CompletedBacklog.md"]
