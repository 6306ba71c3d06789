"""Hostile repositories and configs for `gameops release`: nothing from outside the project goes
into a release, writes stay inside it, names are validated before use (issue 11, points 1-3).

Each hostile case ends with exit 2 and one line in under 5 seconds, before Prefect starts, and
changes nothing inside or outside the project."""

from __future__ import annotations

import os
import stat
import time
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE_GAME, git, make_repo, snapshot

from gameops import git as gitops
from gameops import packaging
from gameops.config import load
from gameops.errors import BadInput, ConfigError
from gameops.version import parse

SECRET = b"root:x:0:0:the secret outside the project\n"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder outside the project with a file nobody may package or overwrite."""
    d = tmp_path / "outside"
    d.mkdir()
    (d / "passwd").write_bytes(SECRET)
    return d


def zip_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(i) for i in zf.infolist())


# ---------------------------------------------------------------------------
# 1. nothing from outside the project goes into a release


def test_link_to_a_system_file_is_refused_naming_it(tmp_path, outside):
    root = tmp_path / "game"
    root.mkdir()
    (root / "README.md").write_text("r")
    (root / "LICENSE").symlink_to(outside / "passwd")
    with pytest.raises(BadInput, match=r"LICENSE: symbolic link to .*outside"):
        packaging.glob_items(root, ["README*", "LICENSE*"])
    # refused even when links are stored: it points outward
    with pytest.raises(BadInput, match="LICENSE"):
        packaging.glob_items(root, ["LICENSE*"], symlinks="store")


def test_linked_folder_and_dotdot_or_absolute_globs_are_refused(tmp_path, outside):
    root = tmp_path / "game"
    root.mkdir()
    (root / "docs").symlink_to(outside, target_is_directory=True)
    with pytest.raises(BadInput, match=r"docs.*symbolic link"):
        packaging.glob_items(root, ["docs/*"])
    for pattern in ("../outside/*", "sub/../../outside/passwd", str(outside / "passwd"), "/etc/passwd"):
        with pytest.raises(BadInput, match="release.include"):
            packaging.glob_items(root, [pattern])


def test_links_inside_the_project_are_refused_by_default_or_stored_as_links(tmp_path):
    root = tmp_path / "game"
    root.mkdir()
    (root / "LICENSE.txt").write_bytes(b"license text\n")
    (root / "LICENSE").symlink_to("LICENSE.txt")
    with pytest.raises(BadInput, match=r"LICENSE: symbolic link to 'LICENSE.txt'.*release.symlinks"):
        packaging.glob_items(root, ["LICENSE*"])
    items = packaging.glob_items(root, ["LICENSE*"], symlinks="store")
    dest = tmp_path / "out.zip"
    packaging.write_zip(dest, items, 1_700_000_000, wrap="g")
    with zipfile.ZipFile(dest) as zf:
        link = zf.getinfo("g/LICENSE")
        assert stat.S_ISLNK(link.external_attr >> 16) and zf.read(link) == b"LICENSE.txt"
        assert zf.read("g/LICENSE.txt") == b"license text\n"


def test_link_planted_in_the_export_folder_is_refused(tmp_path, outside):
    export = tmp_path / "dist" / ".exports" / "linux-0123"
    export.mkdir(parents=True)
    (export / "game.pck").write_bytes(b"pck")
    (export / "extra.txt").symlink_to(outside / "passwd")
    with pytest.raises(BadInput, match=r"extra.txt: symbolic link"):
        packaging.tree_items(export)
    (export / "extra.txt").unlink()
    (export / "data").symlink_to(outside, target_is_directory=True)
    with pytest.raises(BadInput, match=r"data: symbolic link"):
        packaging.tree_items(export, symlinks="store")
    (export / "data").unlink()
    os.mkfifo(export / "pipe")
    with pytest.raises(BadInput, match="pipe: not a regular file"):
        packaging.tree_items(export)


@pytest.mark.parametrize("name", ["../evil", "/etc/cron.d/evil", "a/../../b", "./a", "a//b", "C:/x", "a\\..\\b"])
def test_unsafe_zip_entry_names_are_refused_and_nothing_is_written(tmp_path, name):
    dest = tmp_path / "x.zip"
    with pytest.raises(BadInput, match="zip entry"):
        packaging.write_zip(dest, [packaging.Item(name, data=b"x")], 1_700_000_000)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(BadInput, match="zip entry"):
        packaging.write_zip(dest, [packaging.Item("ok.txt", data=b"x")], 1_700_000_000, wrap="..")


# ---------------------------------------------------------------------------
# 3. names are validated before use


@pytest.mark.parametrize("template", ["{project.__class__}.zip", "{project[0]}.zip", "{version!r}.zip",
                                      "{platform:>300}.zip", "{project.__init__.__globals__}"])
def test_archive_name_fields_are_plain_names(template):
    with pytest.raises(BadInput, match="not a plain field"):
        packaging.archive_name(template, project="g", version="1.0.0", platform="linux")


def test_archive_name_is_a_plain_file_name_whatever_the_project_or_template():
    for project in ("../../x", "-rf", "..", "a/b\\c"):
        name = packaging.archive_name("{project}-{platform}", project=project, version="1.0.0", platform="linux")
        assert "/" not in name and "\\" not in name and not name.startswith(("-", ".")), name
    for template in ("../{project}.zip", "-{project}.zip", "..", "{project}/{platform}.zip"):
        with pytest.raises(BadInput, match="not a file name"):
            packaging.archive_name(template, project="g", version="1.0.0", platform="linux")


def test_ref_names_follow_git():
    assert gitops.ref_name_problem("v1.2.0") is None and gitops.ref_name_problem("release/1.2.0") is None
    for bad, why in (("-v1.0.0", "starts with '-'"), ("v..1", ".."), ("a b", "' '"), ("x.lock/1", ".lock"),
                     ("v@{1}", "@{"), (".v1", "starting with '.'"), ("v1.", "ends with"), ("v~1^2:3", "'~'")):
        assert why in (gitops.ref_name_problem(bad) or ""), bad


def test_overlong_version_is_refused_at_once():
    start = time.perf_counter()
    with pytest.raises(BadInput, match="longer than"):
        parse("1.0.0-" + "a" * 1_000_000)
    assert time.perf_counter() - start < 1


# ---------------------------------------------------------------------------
# 2. writes stay where they belong (config level)


@pytest.mark.parametrize("yaml_text, key", [
    ("release:\n  out_dir: ../elsewhere\n", "release.out_dir"),
    ("release:\n  out_dir: /var/tmp/x\n", "release.out_dir"),
    ("release:\n  changelog: ../../etc/passwd\n", "release.changelog"),
    ("release:\n  store: /srv/releases\n", "release.store"),
    ("dotnet:\n  results_dir: ../results\n", "dotnet.results_dir"),
    ("docs:\n  summary_files: [README.md, ../../x.md]\n", "docs.summary_files"),
    ("godot:\n  project_dir: ../other-game\n", "godot.project_dir"),
    ("dotnet:\n  publish_projects: [/etc/Game.csproj]\n", "dotnet.publish_projects"),
    ("release:\n  tag_prefix: '-'\n", "release.tag_prefix"),
    ("release:\n  tag_prefix: 'v..'\n", "release.tag_prefix"),
    ("release:\n  archive_name: '{project.__class__}.zip'\n", "release.archive_name"),
    ("release:\n  include: ['../secret']\n", "release.include"),
    ("release:\n  include: ['/etc/passwd']\n", "release.include"),
])
def test_hostile_config_values_are_refused_when_loading(tmp_path, yaml_text, key):
    (tmp_path / "gameops.yaml").write_text(yaml_text)
    with pytest.raises(ConfigError, match=rf"gameops.yaml:\d+: {key.replace('.', '[.]')}"):
        load(tmp_path, environ={})


def test_output_paths_from_the_environment_are_the_operators_choice(tmp_path):
    store = tmp_path.parent / "store-elsewhere"
    loaded = load(tmp_path, environ={"GAMEOPS_RELEASE__STORE": str(store)})
    assert loaded.config.release.store == str(store)


def test_output_folder_linked_out_of_the_project_is_refused(tmp_path, outside):
    root = tmp_path / "game"
    root.mkdir()
    (root / "dist").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError, match="release.out_dir: 'dist' leads outside the project"):
        load(root, environ={})


# ---------------------------------------------------------------------------
# The whole command: exit 2, one line, under 5 seconds, nothing changed anywhere


def _hostile(kind: str, repo: Path, outside: Path) -> list[str]:
    """Make ``repo`` hostile in one way; returns the extra release arguments."""
    cfg = repo / "gameops.yaml"
    if kind == "license-link":
        (repo / "LICENSE").unlink()
        (repo / "LICENSE").symlink_to(outside / "passwd")
    elif kind == "linked-folder":
        (repo / "extras").symlink_to(outside, target_is_directory=True)
        cfg.write_text("release:\n  include: ['README*', 'extras/*']\n")
    elif kind == "dotdot-glob":
        cfg.write_text("release:\n  include: ['README*', '../outside/*']\n")
    elif kind == "absolute-glob":
        cfg.write_text(f"release:\n  include: ['{outside / 'passwd'}']\n")
    elif kind == "out-dir-outside":
        cfg.write_text(f"release:\n  out_dir: {outside}\n")
    elif kind == "dist-link":
        (repo / "dist").symlink_to(outside, target_is_directory=True)
    elif kind == "changelog-outside":
        cfg.write_text("release:\n  changelog: ../outside/passwd\n")
    elif kind == "store-outside":
        cfg.write_text(f"release:\n  store: {outside}\n")
    elif kind == "dash-tag-prefix":
        cfg.write_text("release:\n  tag_prefix: '--upload-pack=touch x;'\n")
    elif kind == "format-attribute":
        cfg.write_text("release:\n  archive_name: '{project.__class__.__mro__}.zip'\n")
    elif kind == "out-is-a-file":
        return ["--out", str(outside / "passwd")]
    elif kind == "long-version":
        return ["--version-placeholder"]
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"chore: hostile {kind}")
    return []


HOSTILE = ["license-link", "linked-folder", "dotdot-glob", "absolute-glob", "out-dir-outside", "dist-link",
           "changelog-outside", "store-outside", "dash-tag-prefix", "format-attribute", "out-is-a-file", "long-version"]


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_repository_ends_with_exit_2_and_one_line_fast(kind, tmp_path, outside, gameops_cli):
    repo = make_repo(SAMPLE_GAME, tmp_path / "game")
    extra = _hostile(kind, repo, outside)
    version = "1.0.0"
    if extra == ["--version-placeholder"]:
        version, extra = "1.0.0-" + "x" * 5000, []
    before_repo, before_outside = snapshot(repo), snapshot(outside)
    tags = git(repo, "tag", "-l")
    start = time.perf_counter()
    r = gameops_cli("--project", str(repo), "release", version, *extra, env={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    elapsed = time.perf_counter() - start
    assert r.code == 2, (kind, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, (kind, r.stderr)
    assert elapsed < 5, f"{kind}: {elapsed:.1f} s"
    assert snapshot(repo) == before_repo and snapshot(outside) == before_outside
    assert git(repo, "tag", "-l") == tags
    assert not (repo / "dist").exists() or (repo / "dist").is_symlink()


# ---------------------------------------------------------------------------
# 6. what a killed release leaves behind (the whole kill test: tests/test_release_kill.py)


def test_slot_record_of_a_killed_holder_is_found_and_a_live_one_is_not(tmp_path):
    import subprocess
    import sys

    from gameops import release_slot

    mine = release_slot.record("gameops-release-g", "11111111-1111-1111-1111-111111111111", None)
    child = subprocess.Popen([sys.executable, "-c",
                              "from gameops import release_slot; release_slot.record('gameops-release-g', "
                              "'22222222-2222-2222-2222-222222222222', None); import os, signal; os.kill(os.getpid(), signal.SIGKILL)"])
    assert child.wait() == -9
    assert {h.lease_id[:1] for h in release_slot.holders("gameops-release-g")} == {"1", "2"}
    assert [h.lease_id[:1] for h in release_slot.dead_holders("gameops-release-g")] == ["2"]
    release_slot.forget(mine)
    assert [h.lease_id[:1] for h in release_slot.holders("gameops-release-g")] == ["2"]


def test_sweep_removes_only_this_releases_half_written_files(sample_repo, tmp_path):
    from gameops import release

    store = tmp_path / "store"
    rel = sample_repo / "dist" / "1.0.0"
    rel.mkdir(parents=True)
    left = [rel / ".g-1.0.0-linux.zip.abc123.tmp", sample_repo / ".CHANGELOG.md.x1y2.tmp",
            sample_repo / ".project.godot.q9.tmp", sample_repo / ".gameops" / "godot-protected" / ".project.godot.z.tmp",
            sample_repo / ".gameops" / "..gitignore.w.tmp", store / ".1.0.0.k3j4" / "SHA256SUMS"]
    kept = [rel / "g-1.0.0-linux.zip", sample_repo / "notes.tmp", sample_repo / ".other.md.x.tmp", store / "0.9.0" / "SHA256SUMS",
            sample_repo / ".gameops" / ".journal.json.j.tmp"]  # a maintenance run's: not the release's to remove
    for p in left + kept:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    loaded = load(sample_repo, environ={"GAMEOPS_RELEASE__STORE": str(store)})
    removed = release.sweep_temporary(loaded, release.Request(version="1.0.0"))
    assert sorted(removed) == sorted(left[:-1] + [store / ".1.0.0.k3j4"])
    assert all(p.exists() for p in kept) and not any(p.exists() for p in left)


def test_user_data_never_reaches_git_as_an_option(sample_repo, outside):
    from gameops import changelog, release_tags
    from gameops.git import GitError

    planted = outside / "written-by-git"
    for call in (lambda: changelog.read_log(sample_repo, [f"--output={planted}"]),
                 lambda: gitops.commit_time(sample_repo, f"--output={planted}")):
        with pytest.raises(GitError):
            call()
    git(sample_repo, "tag", "v0.1.0")
    assert release_tags.read(sample_repo, None, f"--output={planted}").previous() is None
    assert gitops.file_at_head(sample_repo, f"--output={planted}") is None
    assert not planted.exists()
