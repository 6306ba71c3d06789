"""gameops setup: the real flow on the sample game (real Godot 3) and on a C# game (dotnet stand-in)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gameops import onboarding
from gameops.config import load
from tests.conftest import ROOT, make_repo, snapshot

STANDIN = ROOT / "tests" / "standin"
CSHARP_GAME = ROOT / "tests" / "fixtures" / "csharp-game"


def statuses(report: dict) -> dict[str, str]:
    return {s["name"]: s["status"] for s in report["steps"]}


@pytest.mark.prefect
@pytest.mark.godot
def test_setup_on_the_sample_game_twice(prefect, sample_repo, gameops_cli):
    if not shutil.which("godot3-server"):
        pytest.skip("needs the headless Godot 3 (apt-get install godot3-server)")
    first = gameops_cli("--project", str(sample_repo), "--json", "setup", process=True)
    assert first.code == 0, first.stderr
    report = first.json
    st = statuses(report)
    assert st["git"] == st["python"] == st["godot"] == st["export templates"] == "ok"
    assert st["git hooks"] == "done" and st["godot import"] == "done"
    assert st[".NET SDK"] == st["first build"] == st["quick tests"] == "skipped"
    assert report["changed"] and report["ok"]
    assert (sample_repo / ".import").is_dir()
    assert all((sample_repo / ".git" / "hooks" / h).is_file() for h in ("pre-commit", "commit-msg", "pre-push"))
    assert any("git switch -c feat/" in n for n in report["next_steps"])

    tree = snapshot(sample_repo)
    hooks = {p.name: p.stat().st_mtime_ns for p in (sample_repo / ".git" / "hooks").iterdir()}
    state = onboarding.state_path(sample_repo)
    state_mtime = state.stat().st_mtime_ns
    second = gameops_cli("--project", str(sample_repo), "setup")
    assert second.code == 0, second.stderr
    assert "nothing to do: everything was already set up" in second.stderr
    assert snapshot(sample_repo) == tree
    assert {p.name: p.stat().st_mtime_ns for p in (sample_repo / ".git" / "hooks").iterdir()} == hooks
    assert state.stat().st_mtime_ns == state_mtime
    assert "already installed" in second.stderr and "up to date" in second.stderr

    # a changed project file means a new import, nothing else
    (sample_repo / "Main.gd").write_text((sample_repo / "Main.gd").read_text() + "\n# changed\n")
    third = gameops_cli("--project", str(sample_repo), "--json", "setup")
    assert third.code == 0, third.stderr
    assert statuses(third.json)["godot import"] == "done" and statuses(third.json)["git hooks"] == "ok"


@pytest.mark.prefect
def test_setup_builds_and_tests_a_csharp_game_once(prefect, tmp_path, gameops_cli):
    repo = make_repo(CSHARP_GAME, tmp_path / "lumen")
    (repo / "project.godot").unlink()  # C# only here: the Godot 4 editor is not on this machine
    env = {"PATH": f"{STANDIN}{os.pathsep}{os.environ['PATH']}"}
    first = gameops_cli("--project", str(repo), "--json", "setup", env=env)
    assert first.code == 0, first.stderr + first.stdout
    st = statuses(first.json)
    assert st[".NET SDK"] == "ok" and st["first build"] == "done" and st["quick tests"] == "done"
    detail = next(s["detail"] for s in first.json["steps"] if s["name"] == "quick tests")
    assert detail.startswith("Architecture, Unit: ") and "passed" in detail
    second = gameops_cli("--project", str(repo), "--json", "setup", env=env)
    assert second.code == 0
    assert not second.json["changed"] and second.json["message"] == "nothing to do: everything was already set up"
    assert statuses(second.json)["first build"] == statuses(second.json)["quick tests"] == "ok"

    # a failing test: exit 1, the step names the category; nothing remembered, so the next run tries again
    grid_tests = repo / "tests" / "Lumen.Core.Tests" / "GridTests.cs"
    text = grid_tests.read_text()
    grid_tests.write_text(text.replace("[Fact]", "[Fact]\n    public void Broken() { Assert.Fail(\"boom\"); }\n\n    [Fact]", 1))
    failed = gameops_cli("--project", str(repo), "--json", "setup", env=env)
    assert failed.code == 1
    step = next(s for s in failed.json["steps"] if s["name"] == "quick tests")
    assert step["status"] == "failed" and "failed" in step["detail"] and step["hint"].startswith("gameops test --category")


@pytest.mark.prefect
def test_missing_dotnet_and_wrong_godot_fail_with_hints(prefect, tmp_path, gameops_cli):
    repo = make_repo(CSHARP_GAME, tmp_path / "lumen")
    env = {"PATH": "/usr/bin:/bin", "GODOT_BIN": shutil.which("godot3-server") or "/nonexistent/godot"}
    cp = gameops_cli("--project", str(repo), "--json", "setup", env=env)
    assert cp.code == 1
    steps = {s["name"]: s for s in cp.json["steps"]}
    assert steps[".NET SDK"]["status"] == "failed"
    assert set(steps[".NET SDK"]["hints"]) == {"linux", "macos", "windows"}
    assert steps["first build"]["status"] == "skipped"
    assert steps["godot"]["status"] == "failed"
    if shutil.which("godot3-server"):
        assert "is Godot 3.2.3" in steps["godot"]["detail"] and "Godot 4.4 project" in steps["godot"]["detail"]
        assert steps["godot import"]["status"] == "skipped"
    assert cp.json["next_steps"][0].startswith("fix .NET SDK, godot")


@pytest.mark.prefect
def test_dry_run_changes_nothing(prefect, sample_repo, gameops_cli):
    before = snapshot(sample_repo)
    cp = gameops_cli("--project", str(sample_repo), "--dry-run", "--json", "setup")
    assert cp.code in (0, 1), cp.stderr
    assert snapshot(sample_repo) == before
    assert not (sample_repo / ".git" / "hooks" / "pre-commit").exists()
    assert not onboarding.state_path(sample_repo).exists()
    assert cp.json["message"] in ("dry run: nothing was changed",) or not cp.json["ok"]


# --- core functions, no Prefect -------------------------------------------------------------

def test_requirements_file_is_checked(tmp_path):
    (tmp_path / "requirements.txt").write_text("# tools\npyyaml>=6  # config\n-r other.txt\n\n")
    reqs, other = onboarding.read_requirements(tmp_path / "requirements.txt")
    assert reqs == ["pyyaml>=6"] and other == ["-r other.txt"]
    assert onboarding._unmet(["pyyaml>=6", "pyyaml<1", "surely-not-installed-pkg-xyz"]) == [
        "pyyaml<1 (have " + __import__("importlib.metadata").metadata.version("pyyaml") + ")",
        "surely-not-installed-pkg-xyz (not installed)",
    ]
    step = onboarding.python_dependencies(load(tmp_path), dry_run=True)
    assert step.status == "warn" and "cannot check: -r other.txt" in step.detail


def test_fingerprint_ignores_hidden_and_output_folders(tmp_path):
    (tmp_path / "a.gd").write_text("x")
    fp = onboarding.fingerprint(tmp_path)
    for folder in (".import", ".godot", "bin", "obj", "TestResults"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "f").write_text("y")
    assert onboarding.fingerprint(tmp_path) == fp
    (tmp_path / "b.gd").write_text("z")
    assert onboarding.fingerprint(tmp_path) != fp


def test_missing_export_templates_warn_with_the_folder(tmp_path, monkeypatch):
    from gameops.export import Engine

    game = tmp_path / "g"
    shutil.copytree(ROOT / "examples" / "sample-game", game)
    text = (game / "export_presets.cfg").read_text().replace('"/usr/bin/godot3-runner"', '""')
    (game / "export_presets.cfg").write_text(text)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    step = onboarding.export_templates(load(game), Engine("godot", "3.2.3.stable.custom_build"))
    assert step.status == "warn"
    assert str(Path(tmp_path / "data" / "godot" / "templates" / "3.2.3.stable")) in step.detail
    assert "Manage Export Templates" in step.hint
