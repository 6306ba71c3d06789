"""`gameops release` end to end: real git, the real headless Godot 3, the session's Prefect server."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import git, snapshot
from test_changelog import commit

from gameops.config import load
from gameops.dotnet import publish, publish_command

pytestmark = [
    pytest.mark.prefect, pytest.mark.godot, pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("godot3-server"), reason="godot3-server is not installed"),
]


def with_commits(repo: Path) -> Path:
    git(repo, "tag", "-a", "v0.1.0", "-m", "0.1.0")
    (repo / "Main.gd").write_text((repo / "Main.gd").read_text() + "\n# BR_003: the label wraps now\n")
    git(repo, "commit", "-qam", "fix(ui): wrap the greeting label BR_003")
    commit(repo, "feat: show the engine version VS_003")
    commit(repo, "chore(deps): bump godot")
    return repo


def release(gameops_cli, repo: Path, *args: str, env: dict | None = None, process: bool = False):
    return gameops_cli("--project", str(repo), *args, env=env, process=process)


def tree_and_tags(repo: Path):
    """Every file (but Godot's git-ignored import cache, which any export fills) and every tag."""
    files = {k: v for k, v in snapshot(repo).items() if not k.startswith(".import/")}
    return files, git(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags")


def test_release_end_to_end(gameops_cli, sample_repo, prefect, tmp_path):
    repo = with_commits(sample_repo)
    r = release(gameops_cli, repo, "--json", "release", "v0.2.0", process=True)
    assert r.code == 0, r.stderr
    doc = r.json
    rel = repo / "dist" / "0.2.0"
    assert doc["version"] == "0.2.0" and doc["status"] == "created" and doc["commit"] == git(repo, "rev-parse", "HEAD^")
    # The CHANGELOG is committed as the release commit, on top of the released one, and tagged.
    assert git(repo, "log", "-1", "--format=%s") == "chore(release): 0.2.0" and doc["release_commit"] == git(repo, "rev-parse", "HEAD")
    assert git(repo, "diff", "--name-only", "HEAD^", "HEAD") == "CHANGELOG.md"
    assert [a["name"] for a in doc["artifacts"]] == ["sample-game-0.2.0-linux.zip"]
    assert json.loads((rel / "release-manifest.json").read_text())["artifacts"] == doc["artifacts"]
    ok = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=rel, capture_output=True, text=True)
    assert ok.returncode == 0 and "sample-game-0.2.0-linux.zip: OK" in ok.stdout

    notes = (rel / "RELEASE_NOTES.md").read_text()
    assert notes.index("### Features") < notes.index("### Bug Fixes")
    assert "bump godot" not in notes and "[BR_003](Docs/01-Active/Backlog.md#br_003-" in notes
    changelog = (repo / "CHANGELOG.md").read_text()
    assert changelog.index("## [0.2.0]") > changelog.index("# Changelog")
    tag_msg = git(repo, "tag", "-l", "--format=%(objecttype) %(contents)", "v0.2.0")
    assert tag_msg.startswith("tag Release 0.2.0") and "### Features" in tag_msg
    assert git(repo, "rev-parse", "v0.2.0^{commit}") == doc["release_commit"]
    assert git(repo, "status", "--porcelain") == ""  # committed CHANGELOG; Godot's project.godot rewrite was undone

    # The Linux zip holds a runnable export, plus README, LICENSE and the new CHANGELOG, in one folder.
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(rel / "sample-game-0.2.0-linux.zip") as zf:
        zf.extractall(out)
        assert "## [0.2.0]" in zf.read("sample-game-0.2.0-linux/CHANGELOG.md").decode()
    game = out / "sample-game-0.2.0-linux"
    assert {p.name for p in game.iterdir()} == {"sample-game.pck", "sample-game.x86_64", "README.md", "LICENSE", "CHANGELOG.md"}
    ran = subprocess.run(["godot3-server", "--main-pack", str(game / "sample-game.pck"), "--quit-after-hello"],
                         capture_output=True, text=True, timeout=60)
    assert "sample-game: hello from Godot 3." in ran.stdout

    # A second identical run verifies and changes nothing.
    before = tree_and_tags(repo)
    r2 = release(gameops_cli, repo, "--json", "release", "0.2.0")
    assert r2.code == 0, r2.stderr
    assert r2.json["status"] == "verified"
    assert tree_and_tags(repo) == before

    # A dirty tree exits 1; the same version at another commit (its tag exists) exits 2 before
    # anything starts, naming the tag; neither changes anything.
    (repo / "README.md").write_text("changed\n")
    r3 = release(gameops_cli, repo, "release", "0.2.0")
    assert r3.code == 1 and "not clean" in r3.stderr
    git(repo, "commit", "-qam", "docs: readme")
    before = tree_and_tags(repo)
    r4 = release(gameops_cli, repo, "release", "0.2.0")
    assert r4.code == 2 and "release tag v0.2.0 already exists" in r4.stderr and "--force" in r4.stderr
    assert "Traceback" not in r4.stderr
    assert tree_and_tags(repo) == before

    # The flow run is named after the version, with a markdown artifact.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=["release-sample-game-0.2.0"])))
        assert runs
        arts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["sample-game-release"])))
        assert arts and "sample-game-0.2.0-linux.zip" in arts[0].data


def test_two_clones_give_byte_identical_zips_and_cached_exports(gameops_cli, sample_repo, prefect, tmp_path):
    repo = with_commits(sample_repo)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    a = release(gameops_cli, repo, "--json", "release", "0.2.0", "--no-tag")
    b = release(gameops_cli, clone, "--json", "release", "0.2.0", "--no-tag")
    assert a.code == 0 and b.code == 0, a.stderr + b.stderr
    name = "sample-game-0.2.0-linux.zip"
    assert (repo / "dist" / "0.2.0" / name).read_bytes() == (clone / "dist" / "0.2.0" / name).read_bytes()
    assert git(repo, "tag", "-l", "v0.2.0") == ""
    # Another version of the same inputs: the export comes from the Prefect cache.
    assert git(repo, "log", "-1", "--format=%s") == "chore(release): 0.2.0"  # only CHANGELOG.md: excluded from the export
    c = release(gameops_cli, repo, "--json", "release", "0.2.1", "--no-tag")
    assert c.code == 0, c.stderr
    assert c.json["exports"] == [{"platform": "linux", "cached": True}]
    # A cached export that lost a file the preset produces (the .pck beside the binary) is exported again.
    [pck] = (repo / "dist" / ".exports").glob("linux-*/sample-game.pck")
    pck.unlink()
    d = release(gameops_cli, repo, "--json", "release", "0.2.2", "--no-tag")
    assert d.code == 0, d.stderr
    assert d.json["exports"] == [{"platform": "linux", "cached": False}] and pck.is_file() and pck.stat().st_size > 0
    with zipfile.ZipFile(repo / "dist" / "0.2.2" / "sample-game-0.2.2-linux.zip") as zf:
        assert "sample-game-0.2.2-linux/sample-game.pck" in zf.namelist()


def test_dry_run_writes_nothing_to_the_repository(gameops_cli, sample_repo, prefect):
    repo = with_commits(sample_repo)
    before = tree_and_tags(repo)
    r = release(gameops_cli, repo, "--json", "--dry-run", "release", "--bump")
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["version"] == "0.2.0" and doc["status"] == "dry-run" and not doc["tagged"]
    scratch = Path(doc["release_dir"])
    assert not scratch.is_relative_to(repo) and (scratch / "SHA256SUMS").is_file()
    assert tree_and_tags(repo) == before
    shutil.rmtree(scratch.parent, ignore_errors=True)


def test_concurrency_exit_mode_refuses_a_second_release(gameops_cli, sample_repo, prefect):
    from prefect.concurrency.sync import concurrency

    from gameops.flows.release import _ensure_limit

    repo = with_commits(sample_repo)
    name = "gameops-release-sample-game"
    _ensure_limit(name)
    with concurrency(name, occupy=1, strict=True):
        r = release(gameops_cli, repo, "release", "0.2.0", env={"GAMEOPS_RELEASE__CONCURRENCY": "exit"})
    assert r.code == 1 and "another release" in r.stderr
    assert git(repo, "tag", "-l", "v0.2.0") == ""


def test_publish_copies_to_the_store(gameops_cli, sample_repo, prefect, tmp_path):
    repo = with_commits(sample_repo)
    store = tmp_path / "store"
    r = release(gameops_cli, repo, "--json", "release", "0.2.0", "--no-tag", env={"GAMEOPS_RELEASE__STORE": str(store)})
    assert r.code == 0, r.stderr
    assert r.json["published"] == str(store / "0.2.0")
    assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=store / "0.2.0", capture_output=True).returncode == 0


def test_dotnet_publish_command_line(tmp_path):
    assert publish_command("dotnet", Path("src") / "Game.csproj", "Release", tmp_path / "out") == [
        "dotnet", "publish", str(Path("src") / "Game.csproj"), "-c", "Release", "-o", str(tmp_path / "out"), "-nologo"]


STANDIN = Path(__file__).resolve().parent / "standin"


def test_dotnet_publish_runs(tmp_path, monkeypatch):
    """The publish step against the real SDK when it is on PATH, else the issue-3 stand-in."""
    import os

    if not shutil.which("dotnet"):
        if not (STANDIN / "dotnet").is_file():
            pytest.skip("no dotnet on PATH and no tests/standin/dotnet")
        monkeypatch.setenv("PATH", str(STANDIN) + os.pathsep + os.environ["PATH"])
    proj = tmp_path / "Game.csproj"
    proj.write_text('<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>')
    (tmp_path / "Game.cs").write_text("public static class Game { public static int Main() => 0; }\n")
    out = tmp_path / "out"
    result = publish(load(tmp_path, environ={}), proj, out)
    assert result.ok and result.returncode == 0, result.diagnostics
    assert out.is_dir() and result.files


def test_first_release_from_a_fresh_clone_with_no_import_cache(gameops_cli, sample_repo, prefect, tmp_path):
    """CI's case: a clone with no .import/, the project name from project.godot ("Sample Game"),
    gameops' hooks installed on main. One run: released, committed, tagged, clean, and it starts."""
    yaml = sample_repo / "gameops.yaml"
    yaml.write_text(yaml.read_text().replace("project:\n  name: sample-game\n", ""))
    git(sample_repo, "commit", "-qam", "chore: name from project.godot")
    clone = tmp_path / "ci-checkout"
    subprocess.run(["git", "clone", "-q", str(sample_repo), str(clone)], check=True)
    assert not (clone / ".import").exists()
    hooks = gameops_cli("--project", str(clone), "hooks", "install")
    assert hooks.code == 0, hooks.stderr
    (clone / "notes.txt").write_text("x\n")
    git(clone, "add", "notes.txt")
    refused = subprocess.run(["git", "commit", "-qm", "docs: a note"], cwd=clone, capture_output=True, text=True)
    assert refused.returncode != 0 and "commit refused" in refused.stderr  # main stays protected
    git(clone, "reset", "-q", "HEAD", "notes.txt")
    (clone / "notes.txt").unlink()

    r = release(gameops_cli, clone, "--json", "release", "0.1.0")
    assert r.code == 0, r.stderr
    doc = r.json
    name = "Sample-Game-0.1.0-linux.zip"  # a slug of "Sample Game"
    assert [a["name"] for a in doc["artifacts"]] == [name]
    assert git(clone, "log", "-1", "--format=%s") == "chore(release): 0.1.0"  # the hooks let exactly this through
    assert git(clone, "rev-parse", "v0.1.0^{commit}") == git(clone, "rev-parse", "HEAD")
    assert git(clone, "status", "--porcelain") == ""
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(clone / "dist" / "0.1.0" / name) as zf:
        zf.extractall(out)
    ran = subprocess.run(["godot3-server", "--main-pack", str(out / name[:-4] / "sample-game.pck"), "--quit"],
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and "SCRIPT ERROR" not in ran.stdout + ran.stderr
    assert "sample-game: assets texture 16x16, sound 0.10 s, font height 8" in ran.stdout

    # A rerun on the release commit verifies and changes nothing.
    before = tree_and_tags(clone)
    again = release(gameops_cli, clone, "--json", "release", "0.1.0")
    assert again.code == 0, again.stderr
    assert again.json["status"] == "verified" and tree_and_tags(clone) == before


def test_commit_changelog_off_leaves_the_change_and_tags_the_released_commit(gameops_cli, sample_repo, prefect):
    repo = with_commits(sample_repo)
    head = git(repo, "rev-parse", "HEAD")
    r = release(gameops_cli, repo, "--json", "release", "0.2.0", env={"GAMEOPS_RELEASE__COMMIT_CHANGELOG": "false"})
    assert r.code == 0, r.stderr
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "rev-parse", "v0.2.0^{commit}") == head
    assert git(repo, "status", "--porcelain") == "M CHANGELOG.md" and r.json["release_commit"] is None


def test_a_failing_export_says_its_own_error_once_and_the_smoke_switch_turns_it_off(gameops_cli, sample_repo, prefect):
    greeter = sample_repo / "scripts" / "Greeter.gd"
    greeter.write_text(greeter.read_text().replace("texture.get_width()", "texture.get_widthx()"))
    git(sample_repo, "commit", "-qam", "fix: measure the texture")
    r = release(gameops_cli, sample_repo, "release", "0.1.0")
    assert r.code == 1
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("gameops:")]
    assert len(errors) == 1 and "SCRIPT ERROR" in errors[0] and "get_widthx" in errors[0] and "linux-smoke.log" in errors[0]
    assert "UnfinishedRun" not in r.stderr and "PENDING" not in r.stderr and "Traceback" not in r.stderr
    assert git(sample_repo, "status", "--porcelain") == "" and git(sample_repo, "tag", "-l") == ""
    off = release(gameops_cli, sample_repo, "--json", "release", "0.1.0", env={"GAMEOPS_GODOT__SMOKE_TEST": "false"})
    assert off.code == 0, off.stderr
