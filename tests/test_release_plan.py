"""The release plan's steps on their own: each, given a small context, does its one thing; and
the order of the list keeps the contract (bad input, exit 2, before any slow work).

Scratch git repositories (a copy of the sample game), no Prefect; only the last test runs the
whole plan and needs the headless Godot 3.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_GAME, git
from test_changelog import commit
from test_tags import needs_godot, tag

from gameops import changelog, dotnet, packaging, release, tools
from gameops.config import load
from gameops.errors import BadInput, JobFailed
from gameops.release import EXISTING, NEW, REPLACE, PlanContext, Request, run_steps


def context(repo: Path, req: Request, *steps, environ: dict[str, str] | None = None) -> PlanContext:
    """A context of ``repo`` after ``steps`` (the ones the step under test reads from)."""
    return run_steps(PlanContext(load(repo, environ=environ), req), steps)


REPOSITORY = (release.check_request, release.read_repository)
VERSIONED = REPOSITORY + (release.choose_out_dir, release.read_changelog, release.choose_version)


# ---------------------------------------------------------------------------
# The input steps


def test_request_is_a_version_or_bump_and_the_version_is_parsed(sample_repo):
    with pytest.raises(BadInput, match="give a VERSION or --bump, not both"):
        context(sample_repo, Request(version="1.0.0", bump=True), release.check_request)
    with pytest.raises(BadInput, match=r"no version: give a VERSION \(e\.g\. 1\.4\.0\) or --bump"):
        context(sample_repo, Request(), release.check_request)
    assert str(context(sample_repo, Request(version="v1.4.0-rc.1"), release.check_request).given) == "1.4.0-rc.1"
    assert context(sample_repo, Request(bump=True), release.check_request).given is None


def test_a_folder_that_is_not_a_repository_or_has_no_commit_is_refused(tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(SAMPLE_GAME, plain)
    with pytest.raises(BadInput, match="plain: not a git repository"):
        context(plain, Request(version="1.0.0"), *REPOSITORY)
    git(plain, "init", "-q", "-b", "main")
    with pytest.raises(BadInput, match="plain: the repository has no commits"):
        context(plain, Request(version="1.0.0"), *REPOSITORY)


def test_version_is_the_given_one_the_release_at_head_or_the_bumped_one(sample_repo):
    commit(sample_repo, "feat: first playable")
    tag(sample_repo, "v1.0.0")
    commit(sample_repo, "fix: saves survive a crash")
    ctx = context(sample_repo, Request(bump=True), *VERSIONED)
    assert (str(ctx.version), ctx.bumped) == ("1.0.1", True)
    ctx = context(sample_repo, Request(version="2.0.0"), *VERSIONED)
    assert (str(ctx.version), ctx.bumped) == ("2.0.0", False)
    tag(sample_repo, "v1.0.1")  # a rerun: --bump means the release already at HEAD
    ctx = context(sample_repo, Request(bump=True), *VERSIONED)
    assert (str(ctx.version), ctx.bumped) == ("1.0.1", False)
    commit(sample_repo, "docs: a typo")
    with pytest.raises(JobFailed, match="nothing to release since v1.0.1: no feat, fix, perf or breaking commits"):
        context(sample_repo, Request(bump=True), *VERSIONED)


def test_tag_follows_the_scheme_and_a_rerun_keeps_heads_own_tag(sample_repo):
    commit(sample_repo, "feat: one")
    tag(sample_repo, "3.0.0")  # a bare-tag repository gets bare tags
    commit(sample_repo, "feat: two")
    assert context(sample_repo, Request(version="3.1.0"), *VERSIONED, release.name_tag).tag == "3.1.0"
    tag(sample_repo, "v3.1.0")
    assert context(sample_repo, Request(bump=True), *VERSIONED, release.name_tag).tag == "v3.1.0"


def test_tag_name_git_would_refuse_is_bad_input(sample_repo):
    ctx = context(sample_repo, Request(version="1.0.0-x.lock"), *VERSIONED, release.name_tag)
    with pytest.raises(BadInput, match=r"tag 'v1.0.0-x.lock' \(release.tag_prefix \+ version\): not a valid git tag "
                                       r"name, it has a part ending with '.lock'"):
        release.check_tag_name(ctx)


def test_going_backwards_is_refused_and_the_store_is_known(sample_repo, tmp_path):
    commit(sample_repo, "feat: one")
    tag(sample_repo, "v1.0.0")
    commit(sample_repo, "fix: two")
    store = tmp_path / "store"
    env = {"GAMEOPS_RELEASE__STORE": str(store)}
    with pytest.raises(BadInput, match=r"version 0.9.0: goes backwards, release tag v1.0.0 \(\w{12}\) is higher"):
        context(sample_repo, Request(version="0.9.0"), *VERSIONED, release.name_tag, release.refuse_going_backwards,
                environ=env)
    ctx = context(sample_repo, Request(version="1.0.1"), *VERSIONED, release.name_tag, release.refuse_going_backwards,
                  environ=env)
    assert ctx.store == store


def test_output_folder_is_out_or_the_configured_one_and_never_a_file(sample_repo, tmp_path):
    assert context(sample_repo, Request(version="1.0.0"), release.choose_out_dir).out_dir == (sample_repo / "dist").resolve()
    assert context(sample_repo, Request(version="1.0.0", dry_run=True), release.choose_out_dir).out_dir is None
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder\n")
    with pytest.raises(BadInput, match=f"--out {a_file}: is a file, expected a folder"):
        context(sample_repo, Request(version="1.0.0", out=str(a_file)), release.choose_out_dir)
    (sample_repo / "dist").write_text("a file\n")
    with pytest.raises(BadInput, match="release.out_dir dist: is a file, expected a folder"):
        context(sample_repo, Request(version="1.0.0"), release.choose_out_dir)


def test_release_folder_that_is_a_link_or_a_file_is_refused(sample_repo, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    steps = (*VERSIONED, release.check_release_dir)
    assert context(sample_repo, Request(version="1.0.0", out=str(out)), *steps).release_dir == out.resolve() / "1.0.0"
    (out / "1.0.0").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(BadInput, match=r"1.0.0: is a link or a file, expected the release folder \(or nothing\)"):
        context(sample_repo, Request(version="1.0.0", out=str(out)), *steps)
    (out / "1.0.0").unlink()
    (out / "1.0.0").write_text("a file\n")
    with pytest.raises(BadInput, match="1.0.0: is a link or a file"):
        context(sample_repo, Request(version="1.0.0", out=str(out)), *steps)


def test_a_dry_run_without_out_gets_a_scratch_folder_only_when_the_plan_gets_that_far(sample_repo):
    ctx = context(sample_repo, Request(version="1.0.0", dry_run=True), *VERSIONED, release.check_release_dir)
    assert ctx.out_dir is None and not hasattr(ctx, "release_dir")
    release.choose_scratch_dir(ctx)
    try:
        assert ctx.out_dir is not None and ctx.out_dir.is_dir() and not any(ctx.out_dir.iterdir())
        assert ctx.release_dir == ctx.out_dir / "1.0.0" and not ctx.out_dir.is_relative_to(sample_repo)
    finally:
        shutil.rmtree(ctx.out_dir)


def test_changelog_that_is_not_utf8_is_bad_input(sample_repo):
    (sample_repo / "CHANGELOG.md").write_bytes(b"# Changelog\n\xff\xfe broken\n")
    with pytest.raises(BadInput, match="^CHANGELOG.md: not UTF-8 text"):
        context(sample_repo, Request(version="1.0.0"), *REPOSITORY, release.read_changelog)


def test_include_file_linked_out_of_the_project_is_refused(sample_repo, tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0\n")
    (sample_repo / "LICENSE").unlink()
    (sample_repo / "LICENSE").symlink_to(secret)
    with pytest.raises(BadInput, match="LICENSE: symbolic link"):
        context(sample_repo, Request(version="1.0.0"), release.check_include)


# ---------------------------------------------------------------------------
# The repository's state: problems (exit 1), or a dry run's warnings


def checked(repo: Path, req: Request) -> PlanContext:
    """A context up to the repository checks, with the CHANGELOG section computed by hand."""
    ctx = context(repo, req, *VERSIONED, release.name_tag, release.check_release_dir, release.find_released_commit)
    ctx.changelog_expected = None
    return ctx


def test_repository_checks_skip_our_own_output_and_name_what_else_changed(sample_repo):
    ctx = checked(sample_repo, Request(version="1.0.0"))
    (sample_repo / "dist" / "1.0.0").mkdir(parents=True)
    (sample_repo / "dist" / "1.0.0" / "game.zip").write_bytes(b"zip")
    release.check_repository(ctx)
    assert ctx.problems == [] and ctx.tagged is None
    (sample_repo / "stray.txt").write_text("left over\n")
    release.check_repository(ctx)
    assert ctx.problems == ["the working tree is not clean (1 changed: stray.txt); commit or stash first"]


def write_manifest(release_dir: Path, commit_id: str) -> None:
    release_dir.mkdir(parents=True)
    (release_dir / packaging.MANIFEST).write_text(json.dumps({"version": "1.0.0", "commit": commit_id}))


def test_existing_release_of_this_commit_is_kept_of_another_refused_unless_forced(sample_repo):
    ctx = checked(sample_repo, Request(version="1.0.0"))
    write_manifest(ctx.release_dir, ctx.commit)
    release.check_existing_release(ctx)
    assert (ctx.status, ctx.problems, ctx.warnings) == (EXISTING, [], [])

    other = "0123456789ab" + "c" * 28
    shutil.rmtree(ctx.release_dir)
    write_manifest(ctx.release_dir, other)
    ctx = checked(sample_repo, Request(version="1.0.0"))
    release.check_existing_release(ctx)
    assert ctx.status == NEW and ctx.problems == [
        f"release 1.0.0 already exists in {ctx.release_dir} for commit 0123456789ab, HEAD is {ctx.commit[:12]}; "
        "release a new version, or --force to replace it"]
    ctx = checked(sample_repo, Request(version="1.0.0", force=True))
    release.check_existing_release(ctx)
    assert (ctx.status, ctx.problems, ctx.warnings) == (REPLACE, [], ["--force: replacing release 1.0.0 of commit 0123456789ab"])


def test_tag_at_another_commit_is_a_problem_unless_forced(sample_repo):
    first = git(sample_repo, "rev-parse", "HEAD")
    commit(sample_repo, "fix: two")
    ctx = checked(sample_repo, Request(version="1.0.0"))
    ctx.tagged = first
    release.check_existing_tag(ctx)
    assert ctx.problems == [f"tag v1.0.0 already exists at {first[:12]}, not at HEAD ({ctx.head[:12]}); --force to move it"]
    ctx = checked(sample_repo, Request(version="1.0.0", force=True))
    ctx.tagged = first
    release.check_existing_tag(ctx)
    assert (ctx.problems, ctx.warnings) == ([], [f"--force: moving tag v1.0.0 from {first[:12]} to HEAD"])


def test_problems_stop_a_release_and_are_a_dry_runs_warnings(sample_repo):
    ctx = checked(sample_repo, Request(version="1.0.0"))
    ctx.problems = ["branch 'wip' may not release"]
    with pytest.raises(JobFailed, match="^cannot release: branch 'wip' may not release$") as failed:
        release.settle_problems(ctx)
    assert failed.value.report == {"version": "1.0.0", "problems": ["branch 'wip' may not release"]}
    ctx = checked(sample_repo, Request(version="1.0.0", dry_run=True))
    ctx.problems, ctx.status = ["branch 'wip' may not release"], EXISTING
    release.settle_problems(ctx)
    assert ctx.warnings == ["dry run: branch 'wip' may not release"] and ctx.status == NEW  # a dry run builds anew


# ---------------------------------------------------------------------------
# The order of the list: bad input before slow work, each value once


@pytest.fixture
def no_slow_work(monkeypatch):
    """git log over the history, Godot and dotnet fail the test when reached."""
    def slow(what):
        def refuse(*args, **kwargs):
            raise AssertionError(f"{what} ran before the bad input was refused")
        return refuse

    monkeypatch.setattr(changelog, "read_log", slow("git log"))
    monkeypatch.setattr(tools, "find_godot", slow("Godot"))
    monkeypatch.setattr(dotnet, "executable", slow("dotnet"))


def test_bad_input_is_refused_before_git_log_godot_or_dotnet(sample_repo, tmp_path, no_slow_work):
    commit(sample_repo, "feat: one")
    a_file = tmp_path / "a-file"
    a_file.write_text("x\n")
    with pytest.raises(BadInput, match="is a file, expected a folder"):
        release.make_plan(load(sample_repo), Request(bump=True, out=str(a_file)))
    (sample_repo / "CHANGELOG.md").write_bytes(b"\xff\n")
    with pytest.raises(BadInput, match="CHANGELOG.md: not UTF-8 text"):
        release.make_plan(load(sample_repo), Request(bump=True))
    with pytest.raises(BadInput, match="CHANGELOG.md: not UTF-8 text"):
        release.make_plan(load(sample_repo), Request(version="1.0.0", dry_run=True))


def test_the_command_lines_check_leaves_the_bumped_version_to_the_flow(sample_repo, tmp_path, no_slow_work):
    commit(sample_repo, "feat: one")
    ctx = release.check_inputs(load(sample_repo), Request(bump=True, out=str(tmp_path / "out")))
    assert ctx.out_dir == (tmp_path / "out").resolve() and not hasattr(ctx, "version")
    ctx = release.check_inputs(load(sample_repo), Request(version="1.2.0", out=str(tmp_path / "out")))
    assert (str(ctx.version), ctx.tag, ctx.release_dir) == ("1.2.0", "v1.2.0", (tmp_path / "out").resolve() / "1.2.0")


@needs_godot
def test_the_plan_computes_each_value_once(sample_repo, tmp_path, monkeypatch):
    calls: dict[str, int] = {}

    def count(module, name):
        fn = getattr(module, name)

        def counted(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return fn(*args, **kwargs)
        monkeypatch.setattr(module, name, counted)

    for name in ("out_dir_for", "new_tag", "never_backwards", "jobs_for"):
        count(release, name)
    count(packaging, "glob_items")  # the release.include files
    plan = release.make_plan(load(sample_repo), Request(version="1.0.0", out=str(tmp_path / "out")))
    assert calls == {"out_dir_for": 1, "new_tag": 1, "never_backwards": 1, "jobs_for": 1, "glob_items": 1}
    assert (plan.version, plan.tag, plan.release_dir, plan.status) == ("1.0.0", "v1.0.0", (tmp_path / "out").resolve() / "1.0.0", NEW)
