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
    r = gameops_cli("--project", str(repo), "notes", process=True)
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


def test_notes_in_a_repository_without_commits_is_bad_input(gameops_cli, tmp_path):
    git(tmp_path, "init", "-q")
    r = gameops_cli("--project", str(tmp_path), "notes", "--unreleased")
    assert r.code == 2 and "the repository has no commits" in r.stderr and "Traceback" not in r.stderr


def test_notes_without_a_config_skip_the_config_model_and_say_the_same(sample_repo):
    """No gameops.yaml: notes answers without importing pydantic, with the same notes as the
    full config loader gives (an empty gameops.yaml: every default, the backlog detected)."""
    repo = released_repo(sample_repo)
    git(repo, "rm", "-q", "gameops.yaml")
    git(repo, "commit", "-q", "-m", "chore: no config")
    code = ("import sys; from gameops.cli import main; rc = main(['--project', sys.argv[1], *sys.argv[2:]]); "
            "sys.stderr.write('PYDANTIC' if 'pydantic' in sys.modules else 'NO-MODEL'); sys.exit(rc)")

    def notes(*args):
        out = subprocess.run([sys.executable, "-c", code, str(repo), *args], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout, out.stderr

    fast = [notes("notes"), notes("notes", "--unreleased"), notes("--json", "notes", "--next-version")]
    assert all(err.endswith("NO-MODEL") for _, err in fast), [err for _, err in fast]
    assert "[BR_003](Docs/01-Active/Backlog.md#br_003-" in fast[0][0]
    (repo / "gameops.yaml").write_text("# every default\n")
    full = [notes("notes"), notes("notes", "--unreleased"), notes("--json", "notes", "--next-version")]
    assert all(err.endswith("PYDANTIC") for _, err in full)
    assert [out for out, _ in fast] == [out for out, _ in full]


def test_notes_defaults_are_the_config_defaults(tmp_path):
    """NotesSource.defaults (no config model) equals from_loaded for each backlog layout."""
    from gameops.changelog import NotesSource
    from gameops.config import load

    from gameops.changelog import DEFAULT_BOT_PATTERN

    cases = {  # name: files written
        "none": [],
        "inline": ["Docs/01-Active/Backlog.md"],
        "inline-two-archives": ["Docs/01-Active/Backlog.md", "Docs/07-Archive/CompletedBacklog.md",
                                "Docs/07-Archive/Completed_Backlog.md"],
        "inline-other-archive": ["Docs/01-Active/Backlog.md", "Docs/07-Archive/CompletedBacklog.md"],
        "table": ["Docs/Backlog/Backlog.md"],
    }
    for name, files in cases.items():
        root = tmp_path / name
        root.mkdir()
        for rel in files:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text("# Backlog\n")
        fast, full = NotesSource.defaults(root.resolve()), NotesSource.from_loaded(load(root))
        assert (fast.root, fast.prefix, fast.sections, fast.zero_major_bumps_minor) == \
               (full.root, full.prefix, full.sections, full.zero_major_bumps_minor), name
        assert (fast.links.files, fast.links.template) == (full.links.files, full.links.template), name
        assert (fast.bot_pattern or DEFAULT_BOT_PATTERN) == (full.bot_pattern or DEFAULT_BOT_PATTERN), name


def test_a_config_override_in_the_environment_still_applies(gameops_cli, sample_repo):
    repo = released_repo(sample_repo)
    git(repo, "rm", "-q", "gameops.yaml")
    git(repo, "commit", "-q", "-m", "chore: no config")
    r = gameops_cli("--project", str(repo), "--json", "notes", "--unreleased",
                    env={"GAMEOPS_RELEASE__SECTIONS": '{"fix": "Repairs"}'})
    assert r.code == 0, r.stderr
    assert [s["title"] for s in r.json["sections"]] == ["Repairs"]
