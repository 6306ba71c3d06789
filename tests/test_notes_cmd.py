"""`gameops notes`: the command line over the notes core, without Prefect."""

from __future__ import annotations

import subprocess
import sys

from conftest import git
from test_changelog import commit


def released_repo(sample_repo):
    git(sample_repo, "tag", "-a", "v0.1.0", "-m", "0.1.0")
    commit(sample_repo, "feat(ui): wrap the greeting BR_003")
    commit(sample_repo, "fix: quit after hello")
    commit(sample_repo, "chore(deps): bump godot")
    return sample_repo


def test_notes_default_prints_every_release(gameops_cli, sample_repo):
    repo = released_repo(sample_repo)
    r = gameops_cli("--project", str(repo), "notes")
    assert r.code == 0, r.stderr
    assert r.stdout.index("## [Unreleased]") < r.stdout.index("## [0.1.0]")
    assert "### Features" in r.stdout and "### Bug Fixes" in r.stdout
    assert "[BR_003](Docs/01-Active/Backlog.md#br_003-" in r.stdout
    assert "chore(deps)" not in r.stdout and "bump godot" not in r.stdout


def test_unreleased_json_follows_the_contract(gameops_cli, sample_repo):
    repo = released_repo(sample_repo)
    r = gameops_cli("--project", str(repo), "--json", "notes", "--unreleased")
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["previous_tag"] == "v0.1.0" and doc["version"] is None
    assert [s["title"] for s in doc["sections"]] == ["Features", "Bug Fixes"]
    entry = doc["sections"][0]["entries"][0]
    assert set(entry) >= {"sha", "subject", "scope", "breaking", "work_items"}
    assert entry["scope"] == "ui" and entry["work_items"] == ["BR_003"]


def test_next_version(gameops_cli, sample_repo):
    repo = released_repo(sample_repo)
    r = gameops_cli("--project", str(repo), "notes", "--next-version")
    assert (r.code, r.stdout) == (0, "0.2.0\n")
    r = gameops_cli("--project", str(repo), "--json", "notes", "--next-version")
    assert r.json["version"] == "0.2.0"


def test_range(gameops_cli, sample_repo):
    repo = released_repo(sample_repo)
    r = gameops_cli("--project", str(repo), "notes", "v0.1.0..HEAD")
    assert r.code == 0 and "quit after hello" in r.stdout and "## [Unreleased]" in r.stdout
    r = gameops_cli("--project", str(repo), "notes", "v9.9.9..HEAD")
    assert r.code == 2 and "v9.9.9" in r.stderr and "Traceback" not in r.stderr


def test_notes_never_imports_prefect(sample_repo):
    repo = released_repo(sample_repo)
    code = ("import sys; from gameops.cli import main; rc = main(['--project', sys.argv[1], 'notes', '--unreleased']); "
            "sys.stderr.write('PREFECT' if 'prefect' in sys.modules else 'CLEAN'); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code, str(repo)], capture_output=True, text=True)
    assert out.returncode == 0 and out.stderr.endswith("CLEAN"), out.stderr
    assert "fix" in out.stdout.lower()


def test_notes_outside_a_repository_is_bad_input(gameops_cli, tmp_path):
    r = gameops_cli("--project", str(tmp_path), "notes")
    assert r.code == 2 and "not a git repository" in r.stderr
