"""`gameops check` end to end: the real CLI, the real Godot, the session's Prefect server."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import git, snapshot

needs_godot = pytest.mark.skipif(shutil.which("godot3-server") is None, reason="godot3-server not installed")


@needs_godot
def test_sample_game_passes_with_real_godot(sample_repo, gameops_cli, prefect):
    before = snapshot(sample_repo)
    r = gameops_cli("--project", str(sample_repo), "--json", "check", process=True)
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["ok"] is True
    names = {c["name"]: c for c in doc["checks"]}
    assert names["tool: godot"]["ok"] and "3.2" in names["tool: godot"]["detail"]
    assert names["godot: preset linux"]["ok"]
    assert names["git: repository"]["detail"].startswith("branch main")
    assert snapshot(sample_repo) == before


@needs_godot
def test_human_output_is_a_table_with_the_run_link(sample_repo, gameops_cli, prefect):
    r = gameops_cli("--project", str(sample_repo), "check")
    assert r.code == 0, r.stderr
    assert "all checks passed" in r.stderr
    assert "tool: godot" in r.stderr
    assert "/runs/flow-run/" in r.stderr
    assert r.stdout == ""


def test_missing_godot_fails_and_says_how_to_get_it(sample_repo, gameops_cli, prefect, tmp_path):
    r = gameops_cli("--project", str(sample_repo), "--json", "check", env={"GODOT_BIN": str(tmp_path / "no-godot")})
    assert r.code == 1, r.stderr
    failed = [c for c in r.json["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["tool: godot"]
    assert "no-godot" in failed[0]["detail"]
    assert "apt-get install godot3-server" in failed[0]["hint"]
    human = gameops_cli("--project", str(sample_repo), "check", env={"GODOT_BIN": str(tmp_path / "no-godot")})
    assert human.code == 1
    assert "tool: godot" in human.stderr and "apt-get install godot3-server" in human.stderr
    assert "1 check(s) failed" in human.stderr
    assert "Traceback" not in human.stderr


def test_missing_required_file_and_preset(sample_repo, gameops_cli, prefect):
    (sample_repo / "LICENSE").unlink()
    (sample_repo / "gameops.yaml").write_text(
        (sample_repo / "gameops.yaml").read_text().replace("linux: Linux/X11", "linux: Linux/X11\n    windows: Windows Desktop")
    )
    r = gameops_cli("--project", str(sample_repo), "--json", "check", env={"GODOT_BIN": shutil.which("godot3-server") or "/bin/true"})
    assert r.code == 1
    failed = {c["name"]: c for c in r.json["checks"] if not c["ok"]}
    assert "file: LICENSE" in failed and failed["file: LICENSE"]["detail"] == "missing"
    assert "godot: preset windows" in failed
    assert 'no preset named "Windows Desktop"' in failed["godot: preset windows"]["detail"]


def test_not_a_git_repository(tmp_path, gameops_cli, prefect):
    from conftest import SAMPLE_GAME

    plain = tmp_path / "plain"
    shutil.copytree(SAMPLE_GAME, plain)
    r = gameops_cli("--project", str(plain), "--json", "check", env={"GODOT_BIN": shutil.which("godot3-server") or "/bin/true"})
    assert r.code == 1
    failed = {c["name"]: c for c in r.json["checks"] if not c["ok"]}
    assert "git: repository" in failed and "git init" in failed["git: repository"]["hint"]


def test_dirty_tree_is_reported_not_failed(sample_repo, gameops_cli, prefect):
    (sample_repo / "new.txt").write_text("x")
    git(sample_repo, "status")
    r = gameops_cli("--project", str(sample_repo), "--json", "check", env={"GODOT_BIN": shutil.which("godot3-server") or "/bin/true"})
    tree = next(c for c in r.json["checks"] if c["name"] == "git: working tree")
    assert tree["ok"] and tree["detail"] == "1 uncommitted change(s)"


def test_project_without_godot_or_dotnet_only_checks_git(tmp_path, gameops_cli, prefect):
    repo = tmp_path / "lib"
    repo.mkdir()
    (repo / "README.md").write_text("hi")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    r = gameops_cli("--project", str(repo), "--json", "check", env={"PATH": os.environ["PATH"]})
    assert r.code == 0, r.stderr
    names = [c["name"] for c in r.json["checks"]]
    assert "tool: godot" not in names and "tool: dotnet" not in names


@needs_godot
def test_godot3_binary_is_refused_for_a_godot44_csharp_project(tmp_path, gameops_cli, prefect):
    """A fresh clone of a Godot 4.4 C# game (uid:// main scene, no gameops.yaml) with only Godot 3 around."""
    from conftest import LOCAL_FIXTURES, make_repo

    src = tmp_path / "src"
    shutil.copytree(LOCAL_FIXTURES / "csharp-game", src)
    (src / "gameops.yaml").unlink()
    project = src / "project.godot"
    project.write_text(project.read_text().replace('run/main_scene="res://Main.tscn"', 'run/main_scene="uid://b4lumenmain01"'))
    repo = make_repo(src, tmp_path / "lumen")
    env = {"GODOT_BIN": shutil.which("godot3-server"), "PATH": "/usr/bin:/bin"}

    shown = gameops_cli("--project", str(repo), "--json", "config", "show", env=env)
    assert shown.code == 0 and shown.json["config"]["godot"]["version"] == "4.4"
    assert shown.json["sources"]["godot.version"] == "detected: config/features in project.godot"

    r = gameops_cli("--project", str(repo), "--json", "check", env=env)
    assert r.code == 1, r.stderr
    checks = {c["name"]: c for c in r.json["checks"]}
    assert checks["godot: main scene"]["ok"] and "res://Main.tscn" in checks["godot: main scene"]["detail"]
    godot = checks["tool: godot"]
    assert not godot["ok"] and "Godot 3.2.3" in godot["detail"] and "Godot 4.4 project" in godot["detail"]
    # the only failures are real ones: this machine has no .NET SDK and no Godot 4
    assert sorted(n for n, c in checks.items() if not c["ok"]) == ["tool: dotnet", "tool: godot"]

    before = snapshot(repo)
    rel = gameops_cli("--project", str(repo), "release", "0.1.0", env=env)
    assert rel.code == 2, rel.stderr
    assert rel.stderr.count("\n") == 1 and "godot3-server is Godot 3.2.3" in rel.stderr and "Godot 4.4" in rel.stderr
    assert snapshot(repo) == before
