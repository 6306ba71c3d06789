"""`gameops ci-config github`: the workflow it writes passes actionlint and does what it promises."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import git, snapshot

WORKFLOW = Path(".github") / "workflows" / "gameops.yml"


def actionlint() -> str:
    beside = Path(sys.executable).parent / ("actionlint.exe" if os.name == "nt" else "actionlint")
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed (pip install -e '.[test]')")
        pytest.skip("actionlint is not installed (pip install -e '.[test]')")
    return found


def lint(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-oneline", "-no-color"], cwd=repo, capture_output=True, text=True, timeout=120)


@pytest.fixture
def csharp_repo(tmp_path) -> Path:
    """A Godot 4 C# game: project.godot with the 4.4 and C# features, a solution, a test project."""
    repo = tmp_path / "csharp-game"
    (repo / "tests").mkdir(parents=True)
    (repo / "project.godot").write_text(
        'config_version=5\n\n[application]\n\nconfig/name="Block Life"\nconfig/features=PackedStringArray("4.4", "C#", "Forward Plus")\n\n'
        '[dotnet]\n\nproject/assembly_name="BlockLife"\n', encoding="utf-8")
    (repo / "BlockLife.sln").write_text("Microsoft Visual Studio Solution File, Format Version 12.00\n", encoding="utf-8")
    (repo / "tests" / "BlockLife.Tests.csproj").write_text('<Project Sdk="Microsoft.NET.Sdk" />\n', encoding="utf-8")
    (repo / "gameops.yaml").write_text("dotnet:\n  results_dir: TestResults\nrelease:\n  tag_prefix: release-\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    return repo


def test_csharp_godot4_workflow_passes_actionlint_and_runs_ci_and_release(gameops_cli, csharp_repo):
    out = gameops_cli("--project", str(csharp_repo), "--json", "ci-config", "github", "--pip-spec", "gameops==0.1.0", process=True)
    assert out.code == 0, out.stderr
    assert out.json == {"path": ".github/workflows/gameops.yml", "changed": True, "written": True,
                        "assumed": ["Godot 4.4 (config/features in project.godot)"]}
    result = lint(csharp_repo)
    assert result.returncode == 0, result.stdout + result.stderr

    text = (csharp_repo / WORKFLOW).read_text(encoding="utf-8")
    wf = yaml.safe_load(text)
    on = wf[True]  # YAML 1.1 reads the key `on` as a boolean; GitHub reads it as "on"
    assert on["push"]["tags"] == ["release-[0-9]*"] and "pull_request" in on and "version" in on["workflow_dispatch"]["inputs"]
    assert wf["env"]["GODOT_VERSION"] == "4.4" and wf["env"]["GODOT_MONO"] == "true"
    assert wf["env"]["GAMEOPS_PIP_SPEC"] == "gameops==0.1.0"

    ci = wf["jobs"]["ci"]["steps"]
    uses = [s.get("uses", "") for s in ci]
    dotnet = next(s for s in ci if s.get("uses", "").startswith("actions/setup-dotnet@"))
    assert dotnet["with"]["dotnet-version"] == "8.0.x"
    assert sum(u.startswith("actions/cache@") for u in uses) == 3, "pip, NuGet and Godot caches"
    assert any(s.get("run") == "gameops ci" for s in ci)
    summary = next(s for s in ci if s.get("name") == "Test summary")
    assert summary["if"] == "always()" and "GITHUB_STEP_SUMMARY" in summary["run"] and "gameops report --format md" in summary["run"]
    upload = next(s for s in ci if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()" and "TestResults/**/*.trx" in upload["with"]["path"]
    godot = next(s for s in ci if s.get("name", "").startswith("Set up Godot"))
    assert "_mono_linux_x86_64" in godot["run"] and "export_templates" in godot["run"]

    rel = wf["jobs"]["release"]
    assert rel["if"] == "startsWith(github.ref, 'refs/tags/release-') || github.event_name == 'workflow_dispatch'"
    assert rel["permissions"] == {"contents": "write"}
    script = next(s for s in rel["steps"] if s.get("name") == "gameops release")
    assert "${{" not in script["run"], "event values reach the script through env, not inline (script injection)"
    assert 'gameops --json release "$version" --no-tag' in script["run"] and "release --bump" in script["run"]


def test_godot3_game_without_csharp_gets_no_dotnet(gameops_cli, sample_repo):
    out = gameops_cli("--project", str(sample_repo), "ci-config", "github")
    assert out.code == 0, out.stderr
    assert lint(sample_repo).returncode == 0
    wf = yaml.safe_load((sample_repo / WORKFLOW).read_text(encoding="utf-8"))
    assert wf["env"]["GODOT_VERSION"] == "3.2" and wf["env"]["GODOT_MONO"] == "false"
    assert not any(s.get("uses", "").startswith("actions/setup-dotnet@") for s in wf["jobs"]["ci"]["steps"])


def test_actionlint_does_reject_a_broken_workflow(gameops_cli, sample_repo):
    """The validator is not a rubber stamp: a misspelt input and an undefined job dependency fail."""
    assert gameops_cli("--project", str(sample_repo), "ci-config", "github").code == 0
    path = sample_repo / WORKFLOW
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("fetch-depth: 0", "fetch-dept: 0", 1).replace("    timeout-minutes: 90\n", "    timeout-minutes: 90\n    needs: [build]\n"),
                    encoding="utf-8")
    result = lint(sample_repo)
    assert result.returncode == 1
    assert 'input "fetch-dept" is not defined' in result.stdout and '"build"' in result.stdout


def test_rerun_changes_nothing_dry_run_writes_nothing_foreign_file_is_kept(gameops_cli, sample_repo):
    before = snapshot(sample_repo)
    dry = gameops_cli("--project", str(sample_repo), "--dry-run", "ci-config", "github")
    assert dry.code == 0 and "would write .github/workflows/gameops.yml" in dry.stderr
    assert snapshot(sample_repo) == before

    assert gameops_cli("--project", str(sample_repo), "ci-config", "github").code == 0
    path = sample_repo / WORKFLOW
    mtime = path.stat().st_mtime_ns
    again = gameops_cli("--project", str(sample_repo), "--json", "ci-config", "github")
    assert again.code == 0 and again.json["changed"] is False and path.stat().st_mtime_ns == mtime

    path.write_text("name: ours\non: push\njobs: {}\n", encoding="utf-8")
    refused = gameops_cli("--project", str(sample_repo), "ci-config", "github")
    assert refused.code == 2 and "was not written by gameops; use --force" in refused.stderr
    assert path.read_text(encoding="utf-8") == "name: ours\non: push\njobs: {}\n"
    forced = gameops_cli("--project", str(sample_repo), "ci-config", "github", "--force")
    assert forced.code == 0 and path.read_text(encoding="utf-8").startswith("# Generated by `gameops ci-config github`")
    assert [p.name for p in path.parent.iterdir()] == ["gameops.yml"], "no temporary files left behind"


def test_bad_godot_version_is_bad_input_and_writes_nothing(gameops_cli, sample_repo):
    cfg = sample_repo / "gameops.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('version: "3.2"', 'version: "latest"'), encoding="utf-8")
    before = snapshot(sample_repo)
    out = gameops_cli("--project", str(sample_repo), "ci-config", "github")
    assert out.code == 2 and "godot.version 'latest'" in out.stderr and "Traceback" not in out.stderr
    assert snapshot(sample_repo) == before


def test_detected_godot_version_of_a_godot3_project_still_gives_a_release_number(tmp_path):
    """project.godot of a Godot 3 game names only the major ("3"): the workflow still gets 3.5.3."""
    import shutil

    from conftest import SAMPLE_GAME
    from gameops.config import load
    from gameops.github_actions import settings

    game = tmp_path / "game"
    shutil.copytree(SAMPLE_GAME, game)
    (game / "gameops.yaml").unlink()
    loaded = load(str(game))
    assert loaded.config.godot.version == "3"
    assert settings(loaded).godot_version == "3.5.3"
