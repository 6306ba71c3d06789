"""gameops hooks install / uninstall / status: where hooks go, backups, idempotence, bad input."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gameops.errors import BadInput
from gameops.hooks import install as inst
from tests.conftest import GIT_ENV

ALL = ["pre-commit", "prepare-commit-msg", "commit-msg", "pre-push", "post-checkout"]


def git(cwd: Path, *args: str) -> str:
    cp = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.strip()


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gameops.cli", "--project", str(cwd), *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, **GIT_ENV})


@pytest.fixture
def repo(tmp_path) -> Path:
    r = tmp_path / "game"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    return r


def files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) for p in folder.iterdir() if p.is_file()}


def test_install_twice_changes_nothing_the_second_time(repo):
    first = inst.install(repo)
    assert [h.action for h in first.hooks] == ["installed"] * 5 and first.changed
    hooks = repo / ".git" / "hooks"
    snap = files(hooks)
    mtimes = {n: (hooks / n).stat().st_mtime_ns for n in ALL}
    manifest = (repo / ".git" / "gameops" / "hooks.json").stat().st_mtime_ns
    second = inst.install(repo)
    assert [h.action for h in second.hooks] == ["unchanged"] * 5 and not second.changed
    assert files(hooks) == snap
    assert {n: (hooks / n).stat().st_mtime_ns for n in ALL} == mtimes
    assert (repo / ".git" / "gameops" / "hooks.json").stat().st_mtime_ns == manifest
    cp = cli(repo, "hooks", "install")
    assert cp.returncode == 0 and "nothing to do: hooks already installed" in cp.stderr


def test_existing_hooks_are_saved_and_restored_byte_for_byte(repo):
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-commit").write_bytes(b"#!/bin/sh\r\necho mine\r\n")
    (hooks / "pre-commit").chmod(0o750)
    (hooks / "pre-push").write_text("#!/usr/bin/env python3\nprint('push')\n")
    (hooks / "pre-push").chmod(0o700)
    before = files(hooks)
    report = inst.install(repo)
    saved = {h.name: h.backup for h in report.hooks if h.backup}
    assert saved == {"pre-commit": ".git/gameops/hooks-backup/pre-commit", "pre-push": ".git/gameops/hooks-backup/pre-push"}
    assert inst.is_ours((hooks / "pre-commit").read_bytes())
    assert (repo / ".git" / "gameops" / "hooks-backup" / "pre-commit").read_bytes() == b"#!/bin/sh\r\necho mine\r\n"
    st = inst.status(repo)
    assert all(h["installed"] for h in st["hooks"])
    assert [h["name"] for h in st["hooks"] if h["saved_previous"]] == ["pre-commit", "pre-push"]

    report = inst.uninstall(repo)
    assert {h.name: h.action for h in report.hooks} == {
        "pre-commit": "restored", "prepare-commit-msg": "removed", "commit-msg": "removed", "pre-push": "restored",
        "post-checkout": "removed"}
    assert files(hooks) == before
    assert not (repo / ".git" / "gameops").exists()
    assert inst.uninstall(repo).notes == ["no gameops hooks were installed"]


def test_a_hook_replaced_after_install_is_left_alone(repo):
    hooks = repo / ".git" / "hooks"
    (hooks / "commit-msg").write_text("#!/bin/sh\necho original\n")
    inst.install(repo)
    (hooks / "commit-msg").write_text("#!/bin/sh\necho someone else's\n")
    report = inst.uninstall(repo)
    action = next(h for h in report.hooks if h.name == "commit-msg")
    assert action.action == "kept" and "hooks-backup/commit-msg" in action.note
    assert (hooks / "commit-msg").read_text() == "#!/bin/sh\necho someone else's\n"
    assert (repo / ".git" / "gameops" / "hooks-backup" / "commit-msg").read_text() == "#!/bin/sh\necho original\n"
    # a second install would overwrite a different saved hook: refused before writing anything
    snap = files(hooks)
    with pytest.raises(BadInput, match="already holds a saved commit-msg hook"):
        inst.install(repo)
    assert files(hooks) == snap


def test_dry_run_writes_nothing(repo):
    (repo / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\n")
    before = files(repo / ".git" / "hooks")
    cp = cli(repo, "--dry-run", "--json", "hooks", "install")
    assert cp.returncode == 0, cp.stderr
    doc = json.loads(cp.stdout)
    assert doc["changed"] and {h["name"] for h in doc["hooks"]} == set(ALL)
    assert files(repo / ".git" / "hooks") == before
    assert not (repo / ".git" / "gameops").exists()


def test_only_some_hooks_and_config_list(repo):
    report = inst.install(repo, ["commit-msg"])
    assert [h.name for h in report.hooks] == ["commit-msg"]
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()
    (repo / "gameops.yaml").write_text("git:\n  hooks: [pre-commit, pre-push]\n")
    cp = cli(repo, "--json", "hooks", "install")
    doc = json.loads(cp.stdout)
    assert {h["name"]: h["action"] for h in doc["hooks"]} == {"pre-commit": "installed", "pre-push": "installed",
                                                              "commit-msg": "removed"}
    assert sorted(p.name for p in (repo / ".git" / "hooks").iterdir() if inst.is_ours(p.read_bytes())) == ["pre-commit", "pre-push"]


def test_core_hooks_path_is_honoured(repo):
    git(repo, "config", "core.hooksPath", "tools/git-hooks")
    report = inst.install(repo)
    assert report.hooks_dir == "tools/git-hooks" and report.manager == "core.hooksPath"
    assert all((repo / "tools" / "git-hooks" / n).is_file() for n in ALL)
    # uninstall finds them even after core.hooksPath was changed back
    git(repo, "config", "--unset", "core.hooksPath")
    inst.uninstall(repo)
    assert list((repo / "tools" / "git-hooks").iterdir()) == []


def test_husky_folder_without_hooks_path_is_noted(repo):
    (repo / ".husky").mkdir()
    report = inst.install(repo)
    assert report.hooks_dir == ".git/hooks"
    assert any(".husky/ exists but core.hooksPath is not set" in n for n in report.notes)


def test_worktrees_share_the_hooks(repo, tmp_path):
    git(repo, "commit", "-q", "--allow-empty", "-m", "chore: start")
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feat/VS_009-wt", str(wt))
    report = inst.install(wt)
    assert Path(report.hooks_dir) == repo / ".git" / "hooks"
    assert (repo / ".git" / "gameops" / "hooks.json").is_file()


def test_project_in_a_subfolder_is_passed_to_the_hook(repo):
    game = repo / "game"
    game.mkdir()
    inst.install(repo, ["pre-commit"], project=game, python="/opt/py/bin/python")
    text = (repo / ".git" / "hooks" / "pre-commit").read_text()
    assert "python='/opt/py/bin/python'" in text and "--project 'game'" in text


def test_not_a_repository_is_bad_input(tmp_path):
    cp = cli(tmp_path, "hooks", "install")
    assert cp.returncode == 2
    assert cp.stderr.strip().endswith("not a git repository (hooks need one: git init)")
    assert "Traceback" not in cp.stderr


def test_missing_python_blocks_with_instructions(repo):
    inst.install(repo, ["pre-commit", "post-checkout"], python="/nonexistent/python")
    cp = subprocess.run(["sh", str(repo / ".git" / "hooks" / "pre-commit")], cwd=repo, capture_output=True, text=True)
    assert cp.returncode == 1 and "run 'gameops hooks install' again" in cp.stderr
    cp = subprocess.run(["sh", str(repo / ".git" / "hooks" / "post-checkout"), "a", "b", "1"], cwd=repo, capture_output=True, text=True)
    assert cp.returncode == 0  # an informative hook never blocks
