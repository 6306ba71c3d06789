"""The hooks as a user meets them: real git commits and pushes in scratch repositories.

Hooks are installed with `gameops hooks install` (a real subprocess) and then run by git
itself, so these tests exercise the generated scripts, the fast entry point and the rules.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, ROOT

HOOKS = ["pre-commit", "prepare-commit-msg", "commit-msg", "pre-push", "post-checkout"]


def sh(cwd: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, input=input,
                          env={**os.environ, **GIT_ENV, **(env or {})})


def git(cwd: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return sh(cwd, "git", *args, **kw)


def ok(cp: subprocess.CompletedProcess) -> str:
    assert cp.returncode == 0, cp.stderr + cp.stdout
    return cp.stdout


def gameops(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return sh(cwd, sys.executable, "-m", "gameops.cli", "--project", str(cwd), *args)


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    ok(git(path, "init", "-q", "-b", "main"))
    (path / "README.md").write_text("scratch\n")
    ok(git(path, "add", "README.md"))
    ok(git(path, "commit", "-q", "-m", "chore: start"))
    return path


def commit_file(repo: Path, name: str, message: str) -> subprocess.CompletedProcess:
    (repo / name).write_text(name + "\n")
    ok(git(repo, "add", name))
    return git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path) -> Path:
    r = new_repo(tmp_path / "game")
    ok(gameops(r, "hooks", "install"))
    return r


def test_the_done_criteria(repo, tmp_path):
    # a commit on main is refused, with the recovery steps
    cp = commit_file(repo, "a.txt", "feat(VS_003): add a")
    assert cp.returncode == 1
    assert "Commits on 'main' are not allowed" in cp.stderr
    assert "git switch -c feat/VS_003-grid-snapping" in cp.stderr
    assert ok(git(repo, "rev-list", "--count", "HEAD")).strip() == "1"

    # on a good branch, a bad message is refused with its analysis
    ok(git(repo, "switch", "-q", "-c", "feat/VS_003-grid"))
    cp = git(repo, "commit", "-q", "-m", "Feat add grid")
    assert cp.returncode == 1
    assert "'Feat' must be lowercase" in cp.stderr and "a colon must follow the type" in cp.stderr
    assert "feat: add grid" in cp.stderr

    # a good commit passes
    ok(git(repo, "commit", "-q", "-m", "feat(VS_003): add grid"))
    assert ok(git(repo, "log", "-1", "--format=%s")).strip() == "feat(VS_003): add grid"

    # a push to main is refused (a local bare repository as the remote); the branch pushes fine
    remote = tmp_path / "remote.git"
    ok(git(tmp_path, "init", "-q", "--bare", str(remote)))
    ok(git(repo, "remote", "add", "origin", str(remote)))
    cp = git(repo, "push", "origin", "feat/VS_003-grid:main")
    assert cp.returncode != 0 and "push refused, pushing to 'main'" in cp.stderr
    assert "git push -u origin feat/VS_003-grid" in cp.stderr
    assert ok(git(remote, "branch", "--list")).strip() == ""
    ok(git(repo, "push", "-q", "origin", "feat/VS_003-grid"))
    assert "feat/VS_003-grid" in ok(git(remote, "branch", "--list"))


def test_bad_branch_name_is_refused(repo):
    ok(git(repo, "switch", "-q", "-c", "my-work"))
    cp = commit_file(repo, "b.txt", "feat: b")
    assert cp.returncode == 1
    assert "'my-work' has no type prefix" in cp.stderr and "git branch -m" in cp.stderr
    ok(git(repo, "branch", "-m", "fix/BR_012-score"))
    ok(commit_file(repo, "b.txt", "fix(BR_012): b"))


def test_push_deleting_main_is_refused_and_main_from_main_too(repo, tmp_path):
    remote = tmp_path / "remote.git"
    ok(git(tmp_path, "init", "-q", "--bare", str(remote)))
    ok(git(repo, "remote", "add", "origin", str(remote)))
    ok(git(repo, "push", "-q", "--no-verify", "origin", "main"))
    cp = git(repo, "push", "origin", ":main")
    assert cp.returncode != 0 and "deleting 'main'" in cp.stderr
    ok(git(repo, "commit", "-q", "--allow-empty", "--no-verify", "-m", "chore: committed on main anyway"))
    cp = git(repo, "push", "origin", "main")
    assert cp.returncode != 0 and "git branch -f main origin/main" in cp.stderr


def _husky_repo(tmp_path) -> Path:
    """A Husky.NET repository as `dotnet husky install` leaves it: tracked .husky/ hooks and
    task-runner.json, its generated _/husky.sh (ignored), core.hooksPath=.husky."""
    r = new_repo(tmp_path / "husky-game")
    husky = r / ".husky"
    (husky / "_").mkdir(parents=True)
    (husky / "_" / ".gitignore").write_text("*\n")
    (husky / "_" / "husky.sh").write_text("# husky helper\nHUSKY_HELPER=loaded\n")
    (husky / "pre-commit").write_text('#!/bin/sh\n. "$(dirname "$0")/_/husky.sh"\necho "husky pre-commit ran: $HUSKY_HELPER"\n')
    (husky / "pre-commit").chmod(0o755)
    (husky / "commit-msg").write_text("#!/bin/sh\nexit 0\n")
    (husky / "commit-msg").chmod(0o700)
    (husky / "post-merge").write_text('#!/bin/sh\necho "husky post-merge ran"\n')
    (husky / "post-merge").chmod(0o755)
    (husky / "task-runner.json").write_text('{"tasks": []}\n')
    ok(git(r, "add", ".husky"))
    ok(git(r, "commit", "-q", "-m", "chore: husky hooks"))
    ok(git(r, "config", "core.hooksPath", ".husky"))
    return r


def _snapshot(r: Path) -> dict:
    """Every file of the work tree and the git config, with bytes and mode."""
    files = {p.relative_to(r).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
             for p in r.rglob("*") if p.is_file() and ".git" not in p.relative_to(r).parts}
    files[".git/config"] = ((r / ".git" / "config").read_bytes(), 0)
    return files


def test_husky_tracked_folder_is_never_written_and_uninstall_restores(tmp_path):
    r = _husky_repo(tmp_path)
    before = _snapshot(r)

    cp = gameops(r, "hooks", "install")
    assert cp.returncode == 0, cp.stderr
    assert "Husky.NET" in cp.stderr and "tracked folder" in cp.stderr
    after_install = _snapshot(r)
    assert {k: v for k, v in after_install.items() if k != ".git/config"} == \
        {k: v for k, v in before.items() if k != ".git/config"}     # no file of the work tree changed
    assert ok(git(r, "status", "--porcelain")) == ""
    tracked = ok(git(r, "ls-files")).split()
    assert not any(str(tmp_path) in (r / f).read_text() for f in tracked)
    assert ok(git(r, "config", "core.hooksPath")).strip() == (r / ".git" / "gameops" / "hooks").as_posix()

    # gameops' rules hold, and Husky's own hooks still run (from .husky/, helper found)
    cp = commit_file(r, "a.txt", "feat: a")
    assert cp.returncode == 1 and "Commits on 'main' are not allowed" in cp.stderr
    ok(git(r, "switch", "-q", "-c", "feat/VS_003-grid"))
    assert git(r, "commit", "-q", "-m", "bad message").returncode == 1
    cp = git(r, "commit", "-q", "-m", "feat(VS_003): add a")
    assert cp.returncode == 0, cp.stderr
    assert "husky pre-commit ran: loaded" in cp.stdout + cp.stderr
    ok(git(r, "switch", "-q", "main"))
    cp = git(r, "merge", "-q", "--no-verify", "--ff-only", "feat/VS_003-grid")
    assert "husky post-merge ran" in cp.stdout + cp.stderr  # a hook gameops does not handle is passed on

    cp = gameops(r, "hooks", "install")  # twice: nothing changes
    assert cp.returncode == 0 and _snapshot(r)[".git/config"] == after_install[".git/config"]

    cp = gameops(r, "hooks", "uninstall")
    assert cp.returncode == 0, cp.stderr
    final = _snapshot(r)
    assert final[".git/config"] == before[".git/config"]            # byte for byte
    assert {k: v for k, v in final.items() if k not in (".git/config", "a.txt")} == \
        {k: v for k, v in before.items() if k != ".git/config"}
    assert ok(git(r, "config", "core.hooksPath")).strip() == ".husky"
    assert not (r / ".git" / "gameops").exists()


def test_husky_install_that_reset_hooks_path_is_reported_and_uninstall_still_restores(tmp_path):
    r = _husky_repo(tmp_path)
    ok(gameops(r, "hooks", "install"))
    ok(git(r, "config", "core.hooksPath", ".husky"))  # what `dotnet husky install` does
    ok(git(r, "config", "user.name", "Someone"))       # and another change to the config meanwhile
    cp = gameops(r, "--json", "hooks", "status")
    assert "run `gameops hooks install` again" in cp.stdout
    ok(gameops(r, "hooks", "uninstall"))
    assert ok(git(r, "config", "core.hooksPath")).strip() == ".husky"
    assert ok(git(r, "config", "user.name")).strip() == "Someone"
    assert not (r / ".git" / "gameops").exists()


def test_prepare_commit_msg_prefills_from_branch(repo, tmp_path):
    ok(git(repo, "switch", "-q", "-c", "tech/TD_042-cleanup"))
    (repo / "c.txt").write_text("c\n")
    ok(git(repo, "add", "c.txt"))
    seen = tmp_path / "seen.txt"
    # The "editor" records what git opened, then completes the description.
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1]); text = p.read_text()\n"
        f"pathlib.Path({str(seen)!r}).write_text(text)\n"
        "lines = text.split('\\n'); lines[0] += 'split the grid service'\n"
        "p.write_text('\\n'.join(lines))\n"
    )
    ok(git(repo, "commit", "-q", env={"GIT_EDITOR": f"{sys.executable} {editor}"}))
    assert seen.read_text().startswith("tech(TD_042): \n")
    assert ok(git(repo, "log", "-1", "--format=%s")).strip() == "tech(TD_042): split the grid service"
    # -m keeps the message as given
    ok(commit_file(repo, "d.txt", "docs: d"))
    assert ok(git(repo, "log", "-1", "--format=%s")).strip() == "docs: d"


def test_prefill_left_unedited_is_refused_as_empty_description(repo):
    ok(git(repo, "switch", "-q", "-c", "feat/VS_007-menu"))
    (repo / "e.txt").write_text("e\n")
    ok(git(repo, "add", "e.txt"))
    cp = git(repo, "commit", "-q", env={"GIT_EDITOR": "true"})
    assert cp.returncode == 1 and "description after the colon is empty" in cp.stderr


def test_post_checkout_reports_how_far_behind(repo):
    ok(git(repo, "switch", "-q", "-c", "feat/VS_001-old"))
    ok(git(repo, "switch", "-q", "main"))
    for i in range(6):
        ok(git(repo, "commit", "-q", "--allow-empty", "--no-verify", "-m", f"chore: main {i}"))
    cp = git(repo, "switch", "feat/VS_001-old")
    assert cp.returncode == 0
    assert "'feat/VS_001-old' is 6 commits behind main" in cp.stderr and "WARNING" not in cp.stderr
    (repo / "gameops.yaml").write_text("git:\n  behind_alert: 6\n")
    ok(git(repo, "switch", "-q", "main"))
    cp = git(repo, "switch", "feat/VS_001-old")
    assert "WARNING" in cp.stderr and "high risk of merge conflicts" in cp.stderr
    (repo / "gameops.yaml").write_text("git:\n  behind_warn: 7\n")
    ok(git(repo, "switch", "-q", "main"))
    assert "behind" not in git(repo, "switch", "feat/VS_001-old").stderr


def test_config_changes_the_rules_without_reinstall(repo):
    (repo / "gameops.yaml").write_text("git:\n  protected_branches: [main, trunk]\n  commit_types: [feat, chore]\n"
                                       "  hooks: [pre-commit, commit-msg]\n")
    ok(git(repo, "switch", "-q", "-c", "trunk"))
    assert commit_file(repo, "f.txt", "feat: f").returncode == 1
    ok(git(repo, "switch", "-q", "-c", "feat/VS_002-x"))
    cp = git(repo, "commit", "-q", "-m", "docs: f")
    assert cp.returncode == 1 and "'docs' is not a commit type" in cp.stderr


def test_bad_config_is_one_line_exit_2(repo):
    (repo / "gameops.yaml").write_text("git:\n  max_subject_length: short\n")
    ok(git(repo, "switch", "-q", "-c", "feat/VS_002-x"))
    cp = commit_file(repo, "g.txt", "feat: g")
    assert cp.returncode == 1  # git reports a failed hook as a refused commit
    lines = [ln for ln in cp.stderr.splitlines() if ln.strip()]
    assert lines == ["gameops pre-commit: gameops.yaml:2: git.max_subject_length: expected a whole number, got \"short\""]


def test_skip_env_and_no_verify(repo):
    assert commit_file(repo, "h.txt", "whatever").returncode == 1
    ok(git(repo, "commit", "-q", "-m", "whatever", env={"GAMEOPS_SKIP_HOOKS": "pre-commit,commit-msg"}))
    ok(git(repo, "commit", "-q", "--allow-empty", "--no-verify", "-m", "whatever"))


def test_hooks_run_from_the_command_line(repo, tmp_path):
    msg = tmp_path / "MSG"
    msg.write_text("feat(grid): x\n")
    cp = gameops(repo, "hooks", "run", "commit-msg", str(msg))
    assert cp.returncode == 1 and "is not a work item like VS_003" in cp.stderr
    msg.write_text("feat(VS_003): x\n")
    assert gameops(repo, "hooks", "run", "commit-msg", str(msg)).returncode == 0
    zero = "0" * 40
    head = ok(git(repo, "rev-parse", "HEAD")).strip()
    cp = sh(repo, sys.executable, "-m", "gameops.cli", "--project", str(repo), "hooks", "run", "pre-push", "origin", "url",
            input=f"refs/heads/x {head} refs/heads/master {zero}\n")
    assert cp.returncode == 1 and "pushing to 'master'" in cp.stderr
    assert gameops(repo, "hooks", "run", "pre-commit").returncode == 1  # on main
    cp = gameops(repo, "hooks", "run", "nope")
    assert cp.returncode == 2 and "invalid choice" in cp.stderr


def test_root_commit_on_main_is_allowed(tmp_path):
    r = tmp_path / "fresh"
    r.mkdir()
    ok(git(r, "init", "-q", "-b", "main"))
    ok(gameops(r, "hooks", "install"))
    ok(commit_file(r, "a.txt", "chore: first commit"))
    assert commit_file(r, "b.txt", "chore: second").returncode == 1


def test_hook_survives_a_non_utf8_console(repo):
    cp = subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "feat: ünïcödé ✓"], cwd=repo, capture_output=True,
                        env={**os.environ, **GIT_ENV, "PYTHONIOENCODING": "cp1252", "LC_ALL": "C"})
    assert cp.returncode == 1  # refused on main, and said so without a traceback
    assert b"Traceback" not in cp.stderr and b"Commits on 'main'" in cp.stderr


def test_hook_scripts_point_at_this_python_by_absolute_path(repo):
    text = (repo / ".git" / "hooks" / "pre-commit").read_text()
    assert f"python='{Path(sys.executable).absolute().as_posix()}'" in text
    assert "-m gameops.hooks pre-commit" in text
    # GUI clients start hooks without the user's PATH: the hook still works
    cp = subprocess.run(["/bin/sh", str(repo / ".git" / "hooks" / "pre-commit")], cwd=repo, capture_output=True, text=True,
                        env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")})
    assert cp.returncode == 1 and "Commits on 'main'" in cp.stderr


def test_no_prefect_pydantic_or_rich_on_the_fast_path(repo):
    code = ("import sys, runpy; sys.argv = ['x', 'pre-commit']\n"
            "try:\n    runpy.run_module('gameops.hooks', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('prefect', 'pydantic', 'rich', 'yaml') if m in sys.modules))")
    cp = sh(repo, sys.executable, "-c", code)
    assert cp.stdout.strip() == "[]", cp.stderr
    (repo / "gameops.yaml").write_text("git:\n  behind_warn: 3\n")
    cp = sh(repo, sys.executable, "-c", code)
    assert cp.stdout.strip() == "['yaml']", cp.stderr
    assert ROOT.is_dir()


@pytest.mark.prefect
def test_pre_push_runs_the_quick_tests_when_csharp_changed(prefect, tmp_path):
    from gameops.commands import COMMANDS

    if "test" not in COMMANDS:
        pytest.skip("this gameops has no `test` command")
    from tests.conftest import make_repo

    repo = make_repo(ROOT / "tests" / "fixtures" / "csharp-game", tmp_path / "lumen")
    env = {"PATH": f"{ROOT / 'tests' / 'standin'}{os.pathsep}{os.environ['PATH']}"}
    ok(gameops(repo, "hooks", "install", "--hook", "pre-push"))
    remote = tmp_path / "remote.git"
    ok(git(tmp_path, "init", "-q", "--bare", str(remote)))
    ok(git(repo, "remote", "add", "origin", str(remote)))
    ok(git(repo, "switch", "-q", "-c", "feat/VS_004-docs"))
    # the remote has nothing yet: the whole history, C# included, is in this push
    cp = git(repo, "push", "-q", "origin", "feat/VS_004-docs", env=env)
    assert cp.returncode == 0, cp.stderr
    assert "C# files changed, running the quick tests (Architecture, Unit)" in cp.stderr
    (repo / "NOTES.md").write_text("no C# here\n")
    ok(git(repo, "add", "NOTES.md"))
    ok(git(repo, "commit", "-q", "-m", "docs: notes"))
    cp = git(repo, "push", "-q", "origin", "feat/VS_004-docs", env=env)
    assert cp.returncode == 0 and cp.stderr == ""  # no C# in this push: no tests
    grid_tests = repo / "tests" / "Lumen.Core.Tests" / "GridTests.cs"
    grid_tests.write_text(grid_tests.read_text().replace(
        "[Fact]", "[Fact]\n    public void Broken() { Assert.Fail(\"boom\"); }\n\n    [Fact]", 1))
    ok(git(repo, "commit", "-q", "-am", "test(VS_004): a broken test"))
    cp = git(repo, "push", "origin", "feat/VS_004-docs", env=env)
    assert cp.returncode != 0
    assert "C# files changed, running the quick tests (Architecture, Unit)" in cp.stderr
    assert "push refused, the quick tests failed" in cp.stderr
    ok(git(repo, "revert", "--no-edit", "HEAD"))
    cp = git(repo, "push", "-q", "origin", "feat/VS_004-docs", env=env)
    assert cp.returncode == 0, cp.stderr


def test_pre_push_skips_tests_quietly_without_a_solution(repo, tmp_path):
    remote = tmp_path / "remote.git"
    ok(git(tmp_path, "init", "-q", "--bare", str(remote)))
    ok(git(repo, "remote", "add", "origin", str(remote)))
    ok(git(repo, "switch", "-q", "-c", "feat/VS_005-script"))
    ok(commit_file(repo, "Player.cs", "feat(VS_005): player script"))
    cp = git(repo, "push", "-q", "origin", "feat/VS_005-script")
    assert cp.returncode == 0 and cp.stderr == ""


def test_pre_push_files_are_those_the_remote_lacks(repo, tmp_path):
    from gameops.hooks.pre_push import changed_files, csharp_changed, parse_refs

    remote = tmp_path / "remote.git"
    ok(git(tmp_path, "init", "-q", "--bare", str(remote)))
    ok(git(repo, "remote", "add", "origin", str(remote)))
    ok(git(repo, "switch", "-q", "-c", "feat/VS_006-x"))
    ok(commit_file(repo, "Old.cs", "feat: old"))
    ok(git(repo, "push", "-q", "origin", "feat/VS_006-x"))
    ok(commit_file(repo, "notes.txt", "docs: notes"))
    head = ok(git(repo, "rev-parse", "HEAD")).strip()
    old = ok(git(repo, "rev-parse", "origin/feat/VS_006-x")).strip()
    refs = parse_refs(f"refs/heads/feat/VS_006-x {head} refs/heads/feat/VS_006-x {old}\n")
    assert changed_files(repo, refs) == ["notes.txt"]
    assert csharp_changed(["a/B.cs", "x.csproj", "G.sln", "readme.md"]) == ["a/B.cs", "x.csproj", "G.sln"]
    # the pre-commit framework passes the refs in the environment instead of stdin
    env_refs = parse_refs("", {"PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main", "PRE_COMMIT_TO_REF": head,
                               "PRE_COMMIT_FROM_REF": old, "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/feat/VS_006-x"})
    assert env_refs[0].remote_branch == "main" and env_refs[0].local_sha == head


def test_pre_commit_hooks_manifest_matches_the_hooks():
    import yaml

    from gameops.hooks.settings import HOOKS as KNOWN

    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in manifest} == {"gameops-protected-branch", "gameops-commit-msg", "gameops-prepare-commit-msg",
                                           "gameops-pre-push", "gameops-post-checkout"}
    for hook in manifest:
        assert {"id", "name", "entry", "language"} <= set(hook)
        name = hook["entry"].split()[-1]
        assert hook["entry"] == f"gameops hooks run {name}" and name in KNOWN
        assert hook["stages"] == [name]
        assert hook["language"] == "python"


def test_husky_hook_that_is_not_executable_is_skipped_as_git_would(tmp_path):
    """BlockLife's .husky hooks are tracked as 100644: git on Linux ignores them, so the chain does too."""
    r = _husky_repo(tmp_path)
    (r / ".husky" / "pre-commit").chmod(0o644)
    ok(gameops(r, "hooks", "install"))
    ok(git(r, "switch", "-q", "-c", "feat/VS_003-grid"))
    cp = commit_file(r, "b.txt", "feat(VS_003): add b")
    assert cp.returncode == 0, cp.stderr
    assert "husky pre-commit ran" not in cp.stdout + cp.stderr
    assert ".husky/pre-commit is not executable, so git would not run it either" in cp.stderr
