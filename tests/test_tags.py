"""Release tags as real repositories write them: v1.2.3, bare 1.2.3, game-1.2.3, pre-releases with
build text, tags that are not versions, and styles that changed over time.

Scratch git repositories (a copy of the sample game); the previous release is the highest
version reachable from HEAD, new tags follow the repository's scheme, and no release goes
backwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GIT_ENV, git, snapshot
from test_changelog import commit

from gameops import release_tags
from gameops.config import load
from gameops.errors import BadInput
from gameops.git import list_tags
from gameops.release import Request, make_plan

needs_godot = pytest.mark.skipif(not shutil.which("godot3-server"), reason="godot3-server is not installed")


def tag(repo: Path, name: str, *, when: str | None = None, annotated: bool = True, rev: str = "HEAD") -> None:
    """A tag; ``when`` is the tagger date of an annotated tag (git's date format)."""
    env = {**os.environ, **GIT_ENV, **({"GIT_COMMITTER_DATE": when} if when else {})}
    args = ["tag", "-a", "-m", f"release {name}", name, rev] if annotated else ["tag", name, rev]
    subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)


@pytest.fixture
def mixed(sample_repo) -> Path:
    """The issue's repository: early v-prefixed pre-releases with build text, later bare tags,
    tags that are not versions, and a lower version tagged last, nearest to HEAD."""
    r = sample_repo
    commit(r, "feat: first playable")
    tag(r, "v1.0.0-alpha+build.5", when="2021-01-01T10:00:00")
    tag(r, "1.2", annotated=False)
    commit(r, "feat: inventory")
    tag(r, "v2.0.0-beta.1+build.12", annotated=False)
    tag(r, "demo", annotated=False)
    commit(r, "feat: new engine")
    tag(r, "3.0.0", when="2022-01-01T10:00:00")
    tag(r, "godot-4.4", annotated=False)
    commit(r, "fix: saves survive a crash")
    tag(r, "3.6.0", when="2023-01-01T10:00:00")
    tag(r, "latest", annotated=False)
    commit(r, "fix: hotfix from the old line")
    tag(r, "v2.5.0", when="2025-01-01T10:00:00")  # the newest and nearest tag, not the highest
    commit(r, "feat: crafting VS_003")
    return r


def configure_prefix(repo: Path, prefix: str) -> None:
    cfg = repo / "gameops.yaml"
    cfg.write_text(cfg.read_text().replace("release:\n", f"release:\n  tag_prefix: {prefix!r}\n", 1))


def cli(gameops_cli, repo: Path, *args: str):
    return gameops_cli("--project", str(repo), *args)


# ---------------------------------------------------------------------------
# Which tags are releases


@pytest.mark.parametrize("name,prefix,version", [
    ("v1.2.3", "v", "1.2.3"), ("V1.2.3", "V", "1.2.3"), ("1.2.3", "", "1.2.3"), ("game-1.2.3", "game-", "1.2.3"),
    ("release/v2.0.0", "release/v", "2.0.0"), ("my-game-2-1.0.0", "my-game-2-", "1.0.0"),
    ("v1.0.0-alpha+build.5", "v", "1.0.0-alpha+build.5"), ("2.0.0-rc.1", "", "2.0.0-rc.1"),
])
def test_version_tags_split_into_prefix_and_version(name, prefix, version):
    found = release_tags.split(name)
    assert found is not None and (found[0], str(found[1])) == (prefix, version)


@pytest.mark.parametrize("name", ["latest", "demo", "1.2", "godot-4.4", "vnext", "v1.2.3.4", "1.2.3-", "01.2.3", "x1.2.3", "-1.2.3"])
def test_tags_that_name_no_version_are_not_releases(name):
    assert release_tags.split(name) is None


def test_list_tags_peels_annotated_tags_and_skips_tags_of_trees(mixed):
    tag(mixed, "tree-tag", rev="HEAD^{tree}")
    refs = {r.name: r for r in list_tags(mixed)}
    assert "tree-tag" not in refs
    assert refs["3.6.0"].commit == git(mixed, "rev-parse", "3.6.0^{commit}")
    assert refs["latest"].commit == refs["3.6.0"].commit
    git(mixed, "checkout", "-q", "-b", "old", "3.0.0")
    assert "3.6.0" not in {r.name for r in list_tags(mixed, merged="HEAD")}


# ---------------------------------------------------------------------------
# The scheme, detected and shown


def test_config_show_says_the_scheme_was_detected_from_the_tags(gameops_cli, mixed):
    loaded = load(mixed)
    assert loaded.config.release.tag_prefix == ""
    assert loaded.sources["release.tag_prefix"].startswith("detected: highest release tag 3.6.0")
    r = cli(gameops_cli, mixed, "--json", "config", "show")
    assert r.code == 0, r.stderr
    assert r.json["config"]["release"]["tag_prefix"] == ""
    source = r.json["sources"]["release.tag_prefix"]
    assert "3.6.0" in source and "like 1.2.3" in source and "like v1.2.3" in source


def test_configured_prefix_is_not_detected(gameops_cli, mixed):
    configure_prefix(mixed, "rel-")
    loaded = load(mixed)
    assert loaded.config.release.tag_prefix == "rel-"
    assert loaded.sources["release.tag_prefix"].startswith("gameops.yaml:")
    env = load(mixed, environ={"GAMEOPS_RELEASE__TAG_PREFIX": "v"})
    assert env.config.release.tag_prefix == "v" and env.sources["release.tag_prefix"].startswith("environment")


def test_no_release_tags_keeps_the_default_v(sample_repo):
    tag(sample_repo, "latest", annotated=False)
    loaded = load(sample_repo)
    assert loaded.config.release.tag_prefix == "v" and "release.tag_prefix" not in loaded.sources


def test_a_project_prefix_of_an_earlier_era_still_counts(sample_repo):
    commit(sample_repo, "feat: one")
    tag(sample_repo, "game-0.9.0")
    commit(sample_repo, "feat: two")
    tag(sample_repo, "game-1.0.0")
    commit(sample_repo, "feat: three")
    tag(sample_repo, "v1.1.0")
    releases = release_tags.read(sample_repo)
    assert releases.scheme.prefix == "v"
    assert releases.previous().name == "v1.1.0"
    assert {t.name for t in releases.tags} == {"game-0.9.0", "game-1.0.0", "v1.1.0"}
    assert [t.name for t in releases.not_above(release_tags.split("1.0.0")[1], "0" * 40)][-1] == "game-1.0.0"


def test_several_project_prefixes_say_to_configure_one(sample_repo):
    tag(sample_repo, "client-1.0.0")
    tag(sample_repo, "server-5.0.0")
    scheme = release_tags.read(sample_repo).scheme
    assert scheme.prefix == "server-" and "client-" not in scheme.accepted
    assert "other prefixes ignored: client-" in scheme.why and "release.tag_prefix" in scheme.why


# ---------------------------------------------------------------------------
# The previous release: the highest version reachable from HEAD


def test_notes_compare_with_the_highest_release_not_the_nearest(gameops_cli, mixed):
    r = cli(gameops_cli, mixed, "--json", "notes", "--unreleased")
    assert r.code == 0, r.stderr
    assert r.json["previous_tag"] == "3.6.0"
    subjects = [e["subject"] for s in r.json["sections"] for e in s["entries"]]
    assert subjects == ["feat: crafting VS_003", "fix: hotfix from the old line"]
    r = cli(gameops_cli, mixed, "notes", "--next-version")
    assert (r.code, r.stdout) == (0, "3.7.0\n")


def test_history_has_a_section_per_release_tag_of_any_scheme(gameops_cli, mixed):
    r = cli(gameops_cli, mixed, "notes")
    assert r.code == 0, r.stderr
    headings = [line for line in r.stdout.splitlines() if line.startswith("## ")]
    assert headings[0] == "## [Unreleased]"
    versions = [h.split("]")[0][4:] for h in headings[1:]]
    assert versions == ["2.5.0", "3.6.0", "3.0.0", "2.0.0-beta.1+build.12", "1.0.0-alpha+build.5"]
    r = cli(gameops_cli, mixed, "--json", "notes", "3.0.0..3.6.0")
    assert r.json["version"] == "3.6.0" and r.json["previous_tag"] == "3.0.0"


def test_nothing_to_release_since_the_highest_release(gameops_cli, sample_repo):
    commit(sample_repo, "feat: one")
    tag(sample_repo, "2.0.0")
    commit(sample_repo, "docs: readme")
    tag(sample_repo, "v1.9.0")  # lower, nearer
    r = cli(gameops_cli, sample_repo, "notes", "--next-version")
    assert r.code == 0 and r.stdout == "" and "nothing to release since 2.0.0" in r.stderr


def test_higher_tags_on_other_branches_are_not_the_previous_release(sample_repo):
    commit(sample_repo, "feat: one")
    tag(sample_repo, "v1.0.0")
    git(sample_repo, "checkout", "-q", "-b", "experiments")
    for minor in range(12):  # more than gameops asks git about one by one
        commit(sample_repo, f"feat: experiment {minor}")
        tag(sample_repo, f"v2.{minor}.0", annotated=minor % 2 == 0)
    git(sample_repo, "checkout", "-q", "main")
    commit(sample_repo, "fix: two")
    releases = release_tags.read(sample_repo)
    assert releases.previous().name == "v1.0.0" and str(releases.bump_base()) == "1.0.0"
    git(sample_repo, "merge", "-q", "--no-ff", "-m", "merge experiments", "experiments")
    assert release_tags.read(sample_repo).previous().name == "v2.11.0"


def prerelease_repo(repo: Path) -> Path:
    commit(repo, "feat: one")
    tag(repo, "v1.3.0")
    commit(repo, "feat: crafting")
    tag(repo, "v1.4.0-rc.1+build.3")
    commit(repo, "fix: crafting crash")
    return repo


def test_a_pre_release_is_the_previous_release_only_of_a_pre_release(gameops_cli, sample_repo):
    repo = prerelease_repo(sample_repo)
    r = cli(gameops_cli, repo, "--json", "notes", "--next-version")
    assert r.json["previous_tag"] == "v1.3.0" and r.json["version"] == "1.4.0"  # not 1.3.1, not an rc
    assert [e["subject"] for s in r.json["sections"] for e in s["entries"]] == ["feat: crafting", "fix: crafting crash"]
    releases = release_tags.read(repo)
    assert releases.previous(prerelease=True).name == "v1.4.0-rc.1+build.3"


# ---------------------------------------------------------------------------
# Never backwards


@pytest.mark.parametrize("version,named", [
    ("2.0.0", "3.6.0"), ("v3.6.0", "3.6.0"), ("3.0.0-rc.1", "3.6.0"), ("3.6.0+build.9", "3.6.0"), ("1.0.0", "3.6.0"),
])
def test_release_version_behind_or_equal_to_a_tag_is_bad_input(gameops_cli, mixed, version, named):
    before = snapshot(mixed), git(mixed, "for-each-ref", "refs/tags")
    r = cli(gameops_cli, mixed, "release", version)
    assert r.code == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"release tag {named} " in lines[0] and "Traceback" not in r.stderr
    assert (snapshot(mixed), git(mixed, "for-each-ref", "refs/tags")) == before


def test_a_tag_on_another_branch_blocks_its_version_too(gameops_cli, sample_repo):
    commit(sample_repo, "feat: one")
    tag(sample_repo, "v1.0.0")
    git(sample_repo, "checkout", "-q", "-b", "release/2.x")
    commit(sample_repo, "feat: two")
    tag(sample_repo, "v2.0.0")
    git(sample_repo, "checkout", "-q", "main")
    commit(sample_repo, "feat: three")
    r = cli(gameops_cli, sample_repo, "release", "1.5.0")
    assert r.code == 2 and "release tag v2.0.0 " in r.stderr and "goes backwards" in r.stderr
    # --bump counts from v1.0.0 (what HEAD reaches) and lands on 1.1.0: below v2.0.0, refused too.
    with pytest.raises(BadInput, match=r"version 1\.1\.0: goes backwards, release tag v2\.0\.0 "):
        make_plan(load(sample_repo), Request(bump=True))


def test_pre_release_build_text_does_not_make_a_new_version(sample_repo):
    repo = prerelease_repo(sample_repo)
    for version in ("1.4.0-rc.1+build.4", "1.3.9"):
        with pytest.raises(BadInput, match=r"release tag v1\.4\.0-rc\.1\+build\.3 "):
            make_plan(load(repo), Request(version=version))


@needs_godot
def test_bump_follows_the_repository_scheme_and_the_highest_release(mixed, tmp_path):
    plan = make_plan(load(mixed), Request(bump=True, dry_run=True, out=str(tmp_path / "out")))
    assert (plan.version, plan.tag, plan.notes.previous_tag) == ("3.7.0", "3.7.0", "3.6.0")  # a bare tag
    assert "## [3.7.0]" in plan.changelog_text and "crafting" in plan.changelog_text and "saves survive" not in plan.changelog_text


@needs_godot
def test_configured_prefix_names_new_tags_and_bare_tags_still_count(mixed, tmp_path):
    configure_prefix(mixed, "v")
    git(mixed, "commit", "-qam", "chore: configure the tag prefix")
    plan = make_plan(load(mixed), Request(bump=True, dry_run=True, out=str(tmp_path / "out")))
    assert (plan.version, plan.tag, plan.notes.previous_tag) == ("3.7.0", "v3.7.0", "3.6.0")
    # A rerun at a commit released with a bare tag keeps that tag, whatever is configured.
    tag(mixed, "3.7.0")
    plan = make_plan(load(mixed), Request(bump=True, dry_run=True, out=str(tmp_path / "out")))
    assert (plan.version, plan.tag, plan.tag_exists) == ("3.7.0", "3.7.0", True)


@needs_godot
def test_pre_release_notes_start_at_the_previous_pre_release(sample_repo, tmp_path):
    repo = prerelease_repo(sample_repo)
    plan = make_plan(load(repo), Request(version="1.4.0-rc.2", dry_run=True, out=str(tmp_path / "out")))
    assert (plan.tag, plan.notes.previous_tag) == ("v1.4.0-rc.2", "v1.4.0-rc.1+build.3")
    assert [e.subject for s in plan.notes.sections for e in s.entries] == ["fix: crafting crash"]
    plan = make_plan(load(repo), Request(version="1.4.0", dry_run=True, out=str(tmp_path / "out")))
    assert plan.notes.previous_tag == "v1.3.0"


@needs_godot
def test_force_moves_only_an_unpublished_tag_of_the_same_version(sample_repo, tmp_path):
    commit(sample_repo, "feat: one")
    tag(sample_repo, "v1.0.0")
    commit(sample_repo, "fix: two")
    plan = make_plan(load(sample_repo), Request(version="1.0.0", force=True, dry_run=True, out=str(tmp_path / "out")))
    assert plan.tag == "v1.0.0" and any("moving tag v1.0.0" in w for w in plan.warnings)
    store = tmp_path / "store"
    (store / "1.0.0").mkdir(parents=True)
    loaded = load(sample_repo, environ={"GAMEOPS_RELEASE__STORE": str(store)})
    with pytest.raises(BadInput, match="release tag v1.0.0 .*published"):
        make_plan(loaded, Request(version="1.0.0", force=True, dry_run=True, out=str(tmp_path / "out")))
    with pytest.raises(BadInput, match="goes backwards, release tag v1.0.0 "):  # --force never goes lower
        make_plan(load(sample_repo), Request(version="0.9.0", force=True, dry_run=True, out=str(tmp_path / "out")))


def test_github_workflow_of_a_bare_tag_repository_triggers_on_version_tags_only(gameops_cli, mixed):
    import yaml

    r = cli(gameops_cli, mixed, "ci-config", "github")
    assert r.code == 0, r.stderr
    wf = yaml.safe_load((mixed / ".github" / "workflows" / "gameops.yml").read_text(encoding="utf-8"))
    assert wf[True]["push"]["tags"] == ["[0-9]*"]  # not "*": `latest` or `demo` must not release
