"""Commit-message and branch-name rules (the logic behind the commit-msg and pre-commit hooks)."""

from __future__ import annotations

import pytest

from gameops import branch_rules, conventional
from gameops.commit_rules import Rules, analyze, clean, rejection_text, validate


@pytest.mark.parametrize("message", [
    "feat(VS_003): snap blocks to the grid",
    "fix(BR_012): keep the score when a merge fails",
    "tech(TD_042): split the grid service",
    "docs: explain the release flow",
    "feat!: drop the old save format",
    "fix(VS_000.3)!: handle the sub-item",
    "feat(VS_003): body follows\n\nMore words here.\n\nRefs: VS_003",
])
def test_conventional_messages_pass(message):
    verdict = validate(message)
    assert verdict.ok and verdict.kind == "conventional", verdict.problems


@pytest.mark.parametrize("message,kind", [
    ("Merge branch 'main' into feat/VS_003-grid", "merge"),
    ('Revert "feat(VS_003): snap blocks"\n\nThis reverts commit abc.', "revert"),
    ("fixup! feat(VS_003): snap blocks", "fixup"),
    ("squash! fix: x", "fixup"),
    ("", "empty"),
    ("# Please enter the commit message\n#\n", "empty"),
])
def test_special_messages_pass(message, kind):
    verdict = validate(message)
    assert verdict.ok and verdict.kind == kind


@pytest.mark.parametrize("subject,codes,suggestion", [
    ("Feat: add grid", ["uppercase-type"], "feat: add grid"),
    ("feat add grid", ["missing-colon"], "feat: add grid"),
    ("feature: add grid", ["unknown-type"], "feat: add grid"),
    ("feat(grid): add grid", ["bad-scope"], None),
    ("feat(vs_003): add grid", ["bad-scope"], "feat(VS_003): add grid"),
    ("feat(): add grid", ["bad-scope"], "feat: add grid"),
    ("feat(VS_003: add grid", ["bad-scope"], None),
    ("feat:add grid", ["no-space-after-colon"], "feat: add grid"),
    ("feat(VS_003):", ["empty-description"], None),
    ("feat :add grid", ["space-before-colon", "no-space-after-colon"], "feat: add grid"),
    ("updated the readme", ["no-type"], None),
    ("FEAT(vs_003) add grid", ["uppercase-type", "bad-scope", "missing-colon"], "feat(VS_003): add grid"),
])
def test_rejections_are_analysed(subject, codes, suggestion):
    verdict = validate(subject)
    assert not verdict.ok
    assert verdict.codes == codes
    assert verdict.suggestion == suggestion


def test_too_long_names_the_length_and_limit():
    subject = "feat(VS_003): " + "x" * 70
    verdict = validate(subject)
    assert verdict.codes == ["too-long"]
    assert f"{len(subject)} characters, at most 72" in verdict.problems[0].text
    assert validate("feat: " + "x" * 66).ok  # exactly 72


def test_second_line_must_be_blank():
    assert validate("feat: add grid\nno blank line").codes == ["body-not-separated"]


def test_configured_types_scope_and_length():
    rules = Rules(types=("feat", "chore"), work_item_pattern=r"JIRA-\d+", max_subject_length=30, any_scope=False)
    assert validate("feat(JIRA-12): add grid", rules).ok
    assert validate("fix: crash", rules).codes == ["unknown-type"]
    assert validate("feat(VS_003): add grid", rules).codes == ["bad-scope"]
    assert validate("chore: " + "y" * 30, rules).codes == ["too-long"]
    assert validate("feat(ui): menu", Rules(any_scope=True)).ok
    assert validate("feat(two words): menu", Rules(any_scope=True)).codes == ["bad-scope"]


def test_comments_and_scissors_are_ignored():
    text = "feat(VS_003): add grid\n# a comment\n\nbody\n# ------------------------ >8 ------------------------\ndiff --git a b\n"
    assert clean(text) == "feat(VS_003): add grid\n\nbody"
    assert validate(text).ok
    assert validate("; custom comment\nfeat: x", comment_char=";").ok


def test_accepted_message_parses_like_release_notes():
    verdict = validate("feat(VS_003)!: snap blocks\n\nAlso touches BR_012.")
    assert verdict.commit.type == "feat" and verdict.commit.breaking
    assert verdict.commit.work_items == ["VS_003", "BR_012"]
    # the shared parser still reads what the hook rejects (release notes keep working)
    assert conventional.parse("Feat: add grid").type == "feat"


def test_rejection_text_explains():
    verdict = validate("Feat add grid")
    text = rejection_text(verdict, message_file=".git/COMMIT_EDITMSG")
    assert "'Feat' must be lowercase" in text
    assert "a colon must follow the type" in text
    assert "Did you mean:\n    feat: add grid" in text
    assert "git commit -e -F .git/COMMIT_EDITMSG" in text
    assert text.isascii()  # survives any console code page


def test_analyze_of_a_good_line_is_empty():
    assert analyze("feat(VS_003): add grid") == ([], None)


# --- branch rules -------------------------------------------------------------------------

def test_protected_branches_are_names_or_globs():
    assert branch_rules.is_protected("main", ["main", "master"])
    assert branch_rules.is_protected("release/1.2", ["main", "release/*"])
    assert not branch_rules.is_protected("feat/main-menu", ["main"])
    assert not branch_rules.is_protected(None, ["main"])


@pytest.mark.parametrize("branch,ok", [
    ("feat/VS_003-grid", True),
    ("fix/BR_012-score", True),
    ("tech/TD_042-cleanup", True),
    ("develop", True),  # an exception by default
    ("feature/VS_003-grid", False),
    ("Feat/VS_003-grid", False),
    ("my-branch", False),
    ("feat/ab", False),
])
def test_branch_names(branch, ok):
    problems = branch_rules.name_problems(branch, list(branch_rules.DEFAULT_PREFIXES), list(branch_rules.DEFAULT_EXCEPTIONS))
    assert (not problems) == ok, problems


def test_branch_name_problems_say_what_to_do():
    (problem,) = branch_rules.name_problems("Feat/VS_003-grid", ["feat", "fix"])
    assert "use 'feat/'" in problem
    assert branch_rules.name_problems("anything", []) == []  # no prefixes configured: no rule
    need = branch_rules.name_problems("feat/grid", ["feat"], (), r"[A-Z]{2,3}_\d{3}", require_work_item=True)
    assert need and "work item" in need[0]


def test_work_item_and_type_from_branch():
    assert branch_rules.work_item("feat/VS_003-grid", r"[A-Z]{2,3}_\d{3}(?:\.\d+)?") == "VS_003"
    assert branch_rules.work_item("fix/crash-on-load", r"[A-Z]{2,3}_\d{3}") is None
    types = ["feat", "fix", "tech", "chore"]
    assert branch_rules.commit_type_for("tech/TD_042-x", types) == "tech"
    assert branch_rules.commit_type_for("hotfix/BR_001-x", types) == "fix"
    assert branch_rules.commit_type_for("feature/VS_001-x", types) == "feat"
    assert branch_rules.commit_type_for("wip/x", types) is None


def test_hook_and_release_notes_agree_on_work_item_ids():
    from gameops import conventional
    from gameops.commit_rules import validate

    for subject in ("feat(VS_003A): split the grid", "fix(VS_000.3): keep the sub-slice", "tech(ART_001): new atlas"):
        assert validate(subject).ok, subject
        scope = subject[subject.index("(") + 1:subject.index(")")]
        assert conventional.parse(subject).work_items == [scope]
