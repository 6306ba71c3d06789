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


# ---------------------------------------------------------------------------
# Notes from real history (issue 10): co-authors, BREAKING subjects, extra spaces, squash bodies,
# work items across every archive file and to the right sub-item.

SQUASH = ("feat!: bigger grid (#80)\n\n* feat!: bigger grid\n\nBREAKING CHANGE: grids are 10x10 now\n\n"
          "* fix: tweak the grid\n\nBREAKING CHANGE: grids are 10x10 now\n\n"
          "Co-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>\n"
          "Co-authored-by: Debugger Expert <debugger-expert@blocklife>")


@pytest.fixture
def history_repo(tmp_path) -> Path:
    r = tmp_path / "blocklike"
    (r / "Docs" / "01-Active").mkdir(parents=True)
    (r / "Docs" / "07-Archive").mkdir(parents=True)
    (r / "Docs" / "01-Active" / "Backlog.md").write_text("# Backlog\n\n### VS_003B: Tier-up merges\n**Status**: Approved\n")
    (r / "Docs" / "07-Archive" / "Completed_Backlog.md").write_text(
        "# Archive\n\n## ✅ Completed Items\n\n### 2025-08-26\n\n#### VS_003B-1: Merge Pattern Recognition ✅ COMPLETED\n")
    (r / "Docs" / "07-Archive" / "CompletedBacklog.md").write_text(
        "# Completed Backlog Archive\n\n## 2025-08-22\n\n### TD_048: Migrate FsCheck\n**Status**: Done\n")
    git(r, "init", "-q", "-b", "main")
    git(r, "add", "-A")
    commit(r, "chore: start")
    git(r, "tag", "-a", "v0.1.0", "-m", "0.1.0")
    commit(r, "feat(VS_003B-1): merge pattern recognition\n\n"
              "Co-authored-by: Dev Engineer <dev-engineer@blocklife>\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
              "Co-authored-by: Dev Engineer <dev-eng@blocklife>")
    commit(r, "feat(VS_003B): tier-up merges")
    commit(r, "fix:   migrate FsCheck tests (TD_048)")
    commit(r, "BREAKING: drop the old save format")
    commit(r, "BREAKING CHANGE: remove the v1 scoring API")
    commit(r, SQUASH)
    return r


def test_notes_from_real_history(history_repo):
    from gameops.config import load

    s = changelog.NotesSource.from_loaded(load(history_repo, environ={}))
    notes = changelog.unreleased(s)
    md = changelog.render_markdown(notes, s.links)
    breaking = [e.description for e in notes.sections[0].entries]
    assert notes.sections[0].title == "Breaking Changes"
    assert breaking == ["drop the old save format", "remove the v1 scoring API", "bigger grid (#80)"]
    assert md.count("grids are 10x10 now") == 1  # the squash body repeats it: shown once
    assert "- fix migrate" not in md and "- migrate FsCheck tests (" in md  # spaces after the colon tolerated
    # work items link to the right heading, in whichever archive file it is
    assert "[VS_003B-1](Docs/07-Archive/Completed_Backlog.md#vs_003b-1-merge-pattern-recognition--completed)" in md
    assert "[VS_003B](Docs/01-Active/Backlog.md#vs_003b-tier-up-merges)" in md
    assert "[TD_048](Docs/07-Archive/CompletedBacklog.md#td_048-migrate-fscheck)" in md
    assert "[VS_003B](Docs/07-Archive" not in md
    # co-authors are contributors, once by name; bots and AI assistants are not
    assert notes.contributors == ["Debugger Expert", "Dev Engineer", "Test Author"]
    # BREAKING subjects count for --bump too
    from gameops import conventional, version

    breaking_only = [c for c in notes.commits if c.type is None]
    assert [c.description for c in breaking_only] == ["drop the old save format", "remove the v1 scoring API"]
    assert str(version.next_version(version.parse("1.2.3"), breaking_only)) == "2.0.0"
    assert str(version.next_version(version.parse("1.2.3"), [conventional.parse("fix:   a")])) == "1.2.4"


def test_bot_pattern_is_configurable(history_repo):
    from gameops.config import load

    (history_repo / "gameops.yaml").write_text("release:\n  bot_pattern: '(?i)engineer|\\[bot\\]'\n")
    s = changelog.NotesSource.from_loaded(load(history_repo, environ={}))
    assert changelog.unreleased(s).contributors == ["Claude", "Debugger Expert", "Test Author"]
