"""Release notes from a real git history: sections, breaking first, noise, work items, CHANGELOG."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git

from gameops import changelog


def commit(repo: Path, message: str, author: str = "Test Author") -> str:
    git(repo, "-c", f"user.name={author}", "commit", "-q", "--allow-empty", "--author", f"{author} <{author.split()[0].lower()}@example.invalid>", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path) -> Path:
    r = tmp_path / "game"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    (r / "Docs").mkdir()
    (r / "Docs" / "Backlog.md").write_text("# Backlog\n\n### VS_010: Save slots 💾 and more\nbody\n\n### BR_016: Crash on load\n", encoding="utf-8")
    git(r, "add", "-A")
    commit(r, "chore: start")
    commit(r, "feat: first feature")
    git(r, "tag", "-a", "v0.1.0", "-m", "0.1.0")
    commit(r, "feat(ui): save slots VS_010", "Alice Example")
    commit(r, "fix: crash on load (BR_016)", "bob Builder")
    commit(r, "chore(deps): bump everything")
    commit(r, "chore(release): 0.1.0")
    commit(r, "fixup! fix: crash on load")
    commit(r, "WIP not conventional")
    commit(r, "ci: cache")
    commit(r, "refactor(core)!: new save format\n\nBREAKING CHANGE: old saves cannot be loaded", "Alice Example")
    commit(r, "perf: faster startup TD_089")
    # A real merge commit: noise.
    git(r, "checkout", "-q", "-b", "feature")
    commit(r, "docs: explain saves")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature")
    return r


SECTIONS = {"feat": "Features", "fix": "Bug Fixes", "perf": "Performance", "refactor": "Refactoring", "docs": "Documentation"}


def src(repo: Path) -> changelog.NotesSource:
    return changelog.NotesSource(repo, "v", SECTIONS, changelog.WorkItemLinks(repo, ["Docs/Backlog.md"]))


def test_unreleased_sections_breaking_first_noise_skipped(repo):
    notes = changelog.unreleased(src(repo))
    assert notes.previous_tag == "v0.1.0"
    titles = [s.title for s in notes.sections]
    assert titles == ["Breaking Changes", "Features", "Bug Fixes", "Performance", "Documentation"]
    subjects = [e.subject for s in notes.sections for e in s.entries]
    assert not any(s.startswith(("chore", "fixup!", "WIP", "ci:", "Merge")) for s in subjects)
    assert notes.sections[0].entries[0].breaking_note == "old saves cannot be loaded"
    assert notes.contributors == ["Alice Example", "bob Builder", "Test Author"]


def test_markdown_links_work_items_to_backlog_headings(repo):
    s = src(repo)
    md = changelog.render_markdown(changelog.unreleased(s), s.links)
    assert md.startswith("## [Unreleased]\n")
    assert "- **ui:** save slots [VS_010](Docs/Backlog.md#vs_010-save-slots--and-more)" in md
    assert "[BR_016](Docs/Backlog.md#br_016-crash-on-load)" in md
    assert "[TD_089](Docs/Backlog.md)" in md  # not in the backlog: the backlog file itself
    assert md.index("### Breaking Changes") < md.index("### Features")
    assert "### Contributors" in md


def test_url_template_for_work_items(repo):
    links = changelog.WorkItemLinks(repo, ["Docs/Backlog.md"], "https://tracker.example/{id_lower}")
    assert links.markdown("VS_010") == "[VS_010](https://tracker.example/vs_010)"


def test_history_splits_releases_with_one_git_log(repo, monkeypatch):
    calls = []
    real = changelog.git

    def counting(root, *args, **kw):
        calls.append(args)
        return real(root, *args, **kw)

    monkeypatch.setattr(changelog, "git", counting)
    releases = changelog.history(src(repo))
    assert len(calls) == 1
    assert [n.version for n in releases] == [None, "0.1.0"]
    assert releases[0].previous_tag == "v0.1.0"
    assert [e.description for e in releases[1].sections[0].entries] == ["first feature"]


def test_range_and_bump(repo):
    s = src(repo)
    tag_commit = git(repo, "rev-parse", "v0.1.0")
    notes = changelog.for_range(s, f"{tag_commit}..HEAD")
    assert notes.previous_tag == tag_commit
    assert notes.sections[0].title == "Breaking Changes"
    assert str(changelog.bumped(s, changelog.unreleased(s))) == "0.2.0"  # 0.x: breaking bumps minor


def test_bump_without_any_tag_starts_at_0_1_0(tmp_path):
    r = tmp_path / "fresh"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    commit(r, "feat: hello")
    s = changelog.NotesSource(r, "v", SECTIONS)
    assert str(changelog.bumped(s, changelog.unreleased(s))) == "0.1.0"


def test_prepend_is_idempotent_and_keeps_the_header():
    existing = "# Changelog\n\nIntro.\n\n## [0.1.0] - 2026-01-01\n\n- old\n"
    section = "## [0.2.0] - 2026-02-01\n\n### Features\n\n- new\n"
    once = changelog.prepend(existing, section, "0.2.0")
    assert once.startswith("# Changelog\n\nIntro.\n\n## [0.2.0]")
    assert once.index("## [0.2.0]") < once.index("## [0.1.0]")
    assert changelog.prepend(once, section, "0.2.0") is None
    assert changelog.prepend(None, section, "0.2.0").startswith("# Changelog")
    crlf = changelog.prepend(existing.replace("\n", "\r\n"), section, "0.2.0")
    assert "\r\n## [0.2.0]" in crlf and "\n\n" not in crlf.replace("\r\n", "")


def test_prepend_does_not_confuse_similar_versions():
    assert changelog.prepend("## [0.2.0-rc.1]\n", "## [0.2.0]\n", "0.2.0") is not None
    assert changelog.prepend("## v0.2.0 (2026)\n", "## [0.2.0]\n", "0.2.0") is None
