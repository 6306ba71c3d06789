"""`gameops ci` / `build` / `test` on the C# fixture game, through the dotnet stand-in (and the real
SDK when one is on PATH): each kind of failure gives exit 1 and a report naming it; green exits 0.

These run real flows on the session's Prefect server, so they are few and coarse.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ci_helpers import GODOT44, REAL_DOTNET, STANDIN, game_repo, standin_path

pytestmark = pytest.mark.prefect

DOTNETS = [
    pytest.param("standin", id="standin"),
    pytest.param("real", id="real-dotnet", marks=pytest.mark.skipif(
        REAL_DOTNET is None or Path(REAL_DOTNET).parent == STANDIN, reason="no real dotnet on PATH")),
]


def env_for(kind: str, **extra: str) -> dict[str, str]:
    env = {"PATH": standin_path() if kind == "standin" else os.environ["PATH"], "GITHUB_STEP_SUMMARY": "",
           "GODOT_BIN": GODOT44}
    env.update(extra)
    return env


def ci(gameops_cli, repo: Path, kind: str, process: bool = False, **extra: str):
    r = gameops_cli("--project", str(repo), "--json", "ci", env=env_for(kind, **extra), timeout=900, process=process)
    assert "Traceback" not in r.stderr, r.stderr
    return r, json.loads(r.stdout)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("kind", DOTNETS)
def test_green_ci_exits_0_and_writes_reports(prefect, gameops_cli, tmp_path, kind):
    repo = game_repo(tmp_path)
    summary_file = tmp_path / "step-summary.md"
    r, doc = ci(gameops_cli, repo, kind, process=True, GITHUB_STEP_SUMMARY=str(summary_file))
    assert r.code == 0, doc["failures"]
    assert doc["ok"] and doc["failures"] == []
    # 2 Architecture + 7 others (3 theory rows, 1 skipped); Performance only on request
    assert (doc["total"], doc["passed"], doc["failed"], doc["skipped"]) == (9, 8, 0, 1)
    assert [c["category"] for c in doc["categories"]] == ["Architecture", "Unit"]
    assert doc["coverage"] >= 0.8
    assert {g["name"]: g["ok"] for g in doc["gates"]} == {
        "coverage": True, "architecture": True, "secrets": True, "vulnerable packages": True}
    results = repo / "TestResults"
    saved = json.loads((results / "test-results.json").read_text(encoding="utf-8"))
    assert saved["total"] == 9 and saved["ok"] is True
    assert "gameops ci: Lumen" in (results / "test-summary.md").read_text(encoding="utf-8")
    assert (results / "junit.xml").read_text(encoding="utf-8").count("<testcase ") == 9
    assert (results / "architecture" / "architecture.trx").is_file()
    assert list((results / "unit").glob("*/coverage.cobertura.xml"))
    assert "gameops ci: Lumen" in summary_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", DOTNETS)
def test_failing_test_is_named(prefect, gameops_cli, tmp_path, kind):
    repo = game_repo(tmp_path)
    edit(repo / "tests" / "Lumen.Core.Tests" / "ScoringTests.cs",
         "Assert.Equal(200, Scoring.Combo(3, 100));", 'Assert.Fail("combo bonus is wrong");')
    r, doc = ci(gameops_cli, repo, kind)
    assert r.code == 1
    assert doc["failed"] == 1
    assert any("Combo_adds_fifty_per_extra_streak" in f and "combo bonus is wrong" in f for f in doc["failures"])
    md = (repo / "TestResults" / "test-summary.md").read_text(encoding="utf-8")
    assert "Combo_adds_fifty_per_extra_streak" in md


def test_compile_error_is_named_and_tests_do_not_run(prefect, gameops_cli, tmp_path):
    repo = game_repo(tmp_path)
    edit(repo / "src" / "Lumen.Core" / "Grid.cs", "    public int Width { get; }", "#error grid is broken\n    public int Width { get; }")
    r, doc = ci(gameops_cli, repo, "standin")
    assert r.code == 1
    assert not doc["build"]["ok"]
    (err,) = doc["build"]["errors"]
    assert err["code"] == "CS1029" and err["file"].endswith("Grid.cs") and err["line"] == 15
    assert any(f.startswith("compile error CS1029") and "Grid.cs(15," in f for f in doc["failures"])
    assert doc["total"] == 0 and doc["not_run"] == ["Architecture", "Unit"]
    assert "CS1029" in (repo / "TestResults" / "test-summary.md").read_text(encoding="utf-8")


def test_coverage_drop_is_named(prefect, gameops_cli, tmp_path):
    repo = game_repo(tmp_path)
    edit(repo / "src" / "Lumen.Core" / "Scoring.cs", "    public static int Combo(", """    public static int HighScoreBonus(int score, int level)
    {
        var bonus = score / 10;
        if (level > 3)
            bonus *= 2;
        if (level > 6)
            bonus *= 2;
        return bonus;
    }

    public static int Combo(""")
    r, doc = ci(gameops_cli, repo, "standin")
    assert r.code == 1
    assert doc["failed"] == 0 and doc["coverage"] < 0.8
    gate = next(g for g in doc["gates"] if g["name"] == "coverage")
    assert not gate["ok"] and "below the minimum 80%" in gate["detail"]
    assert any(f.startswith("gate coverage: line coverage") for f in doc["failures"])
    assert any("Lumen.Core.Scoring" in f for f in gate["findings"])


def test_forbidden_reference_is_named(prefect, gameops_cli, tmp_path):
    repo = game_repo(tmp_path)
    edit(repo / "src" / "Lumen.Core" / "Lumen.Core.csproj", "</Project>",
         '  <ItemGroup>\n    <PackageReference Include="GodotSharp" Version="4.4.1" />\n  </ItemGroup>\n\n</Project>')
    edit(repo / "src" / "Lumen.Core" / "Grid.cs", "namespace Lumen.Core;", "using Godot;\n\nnamespace Lumen.Core;")
    r, doc = ci(gameops_cli, repo, "standin")
    assert r.code == 1
    assert doc["build"]["ok"] and doc["failed"] == 0
    assert "gate architecture: src/Lumen.Core/Lumen.Core.csproj: references GodotSharp (rule \"Core stays free of Godot\")" in doc["failures"]
    assert any(f.startswith("gate architecture: src/Lumen.Core/Grid.cs:1: using Godot") for f in doc["failures"])


def test_build_retries_a_transient_restore_failure_only(prefect, gameops_cli, tmp_path):
    repo = game_repo(tmp_path)
    counter = tmp_path / "nu1301-failures"
    counter.write_text("1")
    env = {"PATH": standin_path(), "GAMEOPS_STANDIN_NU1301": str(counter), "GAMEOPS_DOTNET__RESTORE_RETRY_DELAY_S": "0"}
    r = gameops_cli("--project", str(repo), "--json", "build", env=env, process=True)
    assert r.code == 0, r.stderr
    assert counter.read_text() == "0"  # failed once with NU1301, then the retry built
    counter.write_text("5")
    env["GAMEOPS_DOTNET__RESTORE_RETRIES"] = "1"
    r = gameops_cli("--project", str(repo), "--json", "build", env=env)
    assert r.code == 1
    assert json.loads(r.stdout)["errors"][0]["code"] == "NU1301"
    assert counter.read_text() == "3"  # two attempts, no more


def test_test_command_category_and_missing_solution(prefect, gameops_cli, tmp_path):
    repo = game_repo(tmp_path)
    env = {"PATH": standin_path()}
    r = gameops_cli("--project", str(repo), "--json", "test", "--category", "Performance", env=env, process=True)
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["total"] == 1 and doc["tests"][0]["name"].endswith("Counting_full_rows_of_a_big_grid_is_fast")
    (repo / "Lumen.sln").unlink()
    (repo / "gameops.yaml").write_text("dotnet:\n  solution: Lumen.sln\n")
    r = gameops_cli("--project", str(repo), "test", env=env)
    assert r.code == 2 and "Lumen.sln: solution not found" in r.stderr and "Traceback" not in r.stderr


# ---------------------------------------------------------------- the stand-in itself (no Prefect)

def standin(repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(STANDIN / "dotnet"), *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **env})


def test_standin_publish_and_vulnerable_packages(tmp_path):
    repo = game_repo(tmp_path)
    out = tmp_path / "publish"
    r = standin(repo, "publish", "src/Lumen.Core/Lumen.Core.csproj", "-c", "Release", "-o", str(out))
    assert r.returncode == 0, r.stdout
    assert {p.name for p in out.iterdir()} == {"Lumen.Core.dll", "Lumen.Core.pdb", "Lumen.Core.deps.json"}
    r = standin(repo, "list", "Lumen.sln", "package", "--vulnerable", "--format", "json")
    assert json.loads(r.stdout)["projects"][0].get("frameworks") is None
    edit(repo / "src" / "Lumen.Core" / "Lumen.Core.csproj", "</Project>",
         '  <ItemGroup>\n    <PackageReference Include="System.Text.Json" Version="8.0.0" />\n  </ItemGroup>\n</Project>')
    from gameops.dotnet import parse_vulnerable_json

    pkgs, _ = parse_vulnerable_json(standin(repo, "list", "Lumen.sln", "package", "--vulnerable", "--format", "json").stdout)
    assert [(p.package, p.version, p.severity) for p in pkgs] == [("System.Text.Json", "8.0.0", "High")]


def test_standin_replays_a_recorded_trx(tmp_path):
    repo = game_repo(tmp_path)
    recorded = Path(__file__).resolve().parent / "fixtures" / "trx" / "dorny__dotnet-trx.trx"
    r = standin(repo, "test", "Lumen.sln", "--results-directory", "out", "--logger", "trx;LogFileName=x.trx",
                GAMEOPS_STANDIN_TRX=str(recorded))
    assert r.returncode == 1
    assert (repo / "out" / "x.trx").read_bytes() == recorded.read_bytes()
