"""Quality gates as pure functions over real files and a real git repository."""

from __future__ import annotations

import json
from pathlib import Path

from ci_helpers import game_repo
from conftest import git
from gameops import gates
from gameops.config import ArchitectureRule, load
from gameops.dotnet import parse_vulnerable_json
from gameops.results import read

FIX = Path(__file__).resolve().parent / "fixtures"


def test_coverage_gate_threshold_and_worst_classes():
    cov = read(FIX / "cobertura" / "dotnet-test-reporter__test_coverage_cobertura.xml").coverage
    g = gates.coverage_gate(cov, 0.80)
    assert not g.ok and "46.0%" in g.detail and "80%" in g.detail
    assert g.findings and all("lines" in f for f in g.findings)
    assert gates.coverage_gate(cov, 0.46).ok
    assert gates.coverage_gate(None, 0.8, collected=False).skipped
    assert not gates.coverage_gate(None, 0.8).ok


def test_architecture_rules_on_the_fixture_game(tmp_path):
    repo = game_repo(tmp_path)
    rules = load(repo).config.gates.architecture
    assert gates.architecture_gate(repo, rules).ok
    csproj = repo / "src" / "Lumen.Core" / "Lumen.Core.csproj"
    csproj.write_text(csproj.read_text().replace(
        "</Project>", '  <ItemGroup>\n    <PackageReference Include="GodotSharp" Version="4.4.1" />\n  </ItemGroup>\n</Project>'))
    src = repo / "src" / "Lumen.Core" / "Scoring.cs"
    src.write_text("using Godot;\nusing static Godot.Mathf;\n" + src.read_text().replace(
        "return lines * lines * 100;", "GD.Print(lines); // GD.Print in a comment is fine\n        return lines * lines * 100;"))
    g = gates.architecture_gate(repo, rules)
    assert not g.ok
    text = "\n".join(g.findings)
    assert "src/Lumen.Core/Lumen.Core.csproj: references GodotSharp" in text
    assert "src/Lumen.Core/Scoring.cs:1: using Godot" in text
    assert "src/Lumen.Core/Scoring.cs:2: using Godot.Mathf" in text
    assert sum("uses GD.Print" in f for f in g.findings) == 1


def test_a_rule_that_matches_no_project_fails(tmp_path):
    g = gates.architecture_gate(tmp_path, [ArchitectureRule(name="typo", projects="src/*.Kore/*.csproj", forbid_usings=["Godot"])])
    assert not g.ok and "no project matches" in g.findings[0]


def test_vulnerable_packages_json():
    doc = {"version": 1, "parameters": "--vulnerable", "projects": [
        {"path": "/r/src/A/A.csproj", "frameworks": [{"framework": "net8.0",
            "topLevelPackages": [{"id": "System.Text.Json", "requestedVersion": "8.0.0", "resolvedVersion": "8.0.0",
                                  "vulnerabilities": [{"severity": "High", "advisoryurl": "https://github.com/advisories/GHSA-hh2w-p6rv-4g7w"}]}],
            "transitivePackages": [{"id": "System.Net.Http", "resolvedVersion": "4.3.0",
                                    "vulnerabilities": [{"severity": "High", "advisoryurl": "https://github.com/advisories/GHSA-7jgj-8wvc-jh57"}]}]}]},
        {"path": "/r/src/B/B.csproj"}],
        "problems": [{"project": "/r/src/C/C.csproj", "level": "error", "text": "No assets file was found"}]}
    pkgs, problems = parse_vulnerable_json("some banner\n" + json.dumps(doc))
    assert [(p.package, p.transitive) for p in pkgs] == [("System.Text.Json", False), ("System.Net.Http", True)]
    g = gates.vulnerable_gate(pkgs, problems)
    assert not g.ok and "GHSA-hh2w-p6rv-4g7w" in g.findings[0] and "No assets file" in g.findings[-1]
    assert gates.vulnerable_gate([], []).ok
    assert gates.vulnerable_gate(None, reason_skipped="dotnet not found").skipped


def test_secret_scan_of_tracked_files_only(tmp_path):
    repo = game_repo(tmp_path)
    assert gates.secrets_gate(repo).ok  # GUIDs in .sln/.csproj are not secrets
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    (repo / "src" / "Lumen.Core" / "Keys.cs").write_text(f'namespace Lumen.Core;\nstatic class Keys {{ const string Token = "{token}"; }}\n')
    (repo / "deploy_key").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n")
    (repo / "untracked.txt").write_text(f"token={token}\n")
    git(repo, "add", "src/Lumen.Core/Keys.cs", "deploy_key")
    g = gates.secrets_gate(repo)
    assert not g.ok
    assert g.findings == ["deploy_key:1: Private Key", "src/Lumen.Core/Keys.cs:2: GitHub Token"]
    assert gates.secrets_gate(repo, enabled=False).skipped
    plain = tmp_path / "not-a-repo"
    plain.mkdir()
    assert gates.secrets_gate(plain).skipped
