"""Release versions: semver parsing, ordering, and the next version from conventional commits."""

from __future__ import annotations

import pytest

from gameops.conventional import parse as commit
from gameops.errors import BadInput
from gameops.version import next_version, parse


@pytest.mark.parametrize("text,expected", [
    ("1.4.0", "1.4.0"), ("v1.4.0", "1.4.0"), ("V2.0.0", "2.0.0"), ("1.4.0-rc.1", "1.4.0-rc.1"),
    ("0.1.0-alpha.beta.1+build.7", "0.1.0-alpha.beta.1+build.7"), (" 3.2.1 ", "3.2.1"),
])
def test_valid_versions(text, expected):
    assert str(parse(text)) == expected


@pytest.mark.parametrize("text", ["1.4", "1.4.0.1", "01.4.0", "1.4.0-", "1.4.0-rc..1", "vv1.0.0", "latest", "", "1.4.0-01"])
def test_invalid_versions_are_bad_input_naming_the_value(text):
    with pytest.raises(BadInput) as err:
        parse(text)
    assert repr(text) in str(err.value)


def test_precedence_follows_semver():
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0"]
    versions = [parse(v) for v in order]
    assert sorted(reversed(versions)) == versions


def commits(*messages):
    return [commit(m) for m in messages]


@pytest.mark.parametrize("messages,expected", [
    (["fix: a"], "1.2.4"),
    (["perf: faster"], "1.2.4"),
    (["fix: a", "feat: b"], "1.3.0"),
    (["feat(ui)!: new layout"], "2.0.0"),
    (["fix: a", "refactor: b\n\nBREAKING CHANGE: saves changed"], "2.0.0"),
])
def test_bump_levels(messages, expected):
    assert str(next_version(parse("1.2.3"), commits(*messages))) == expected


def test_nothing_releasable_gives_none():
    assert next_version(parse("1.2.3"), commits("docs: readme", "chore: tidy", "not conventional")) is None


def test_zero_major_rule_is_configurable():
    breaking = commits("feat!: drop old saves")
    assert str(next_version(parse("0.4.2"), breaking)) == "0.5.0"
    assert str(next_version(parse("0.4.2"), breaking, zero_major_bumps_minor=False)) == "1.0.0"


def test_first_release_and_prereleases():
    assert str(next_version(None, commits("feat: first"))) == "0.1.0"
    assert str(next_version(parse("1.4.0-rc.1"), commits("fix: a"))) == "1.4.0"
    assert str(next_version(parse("1.4.0-rc.1"), commits("feat!: b"))) == "2.0.0"
    assert str(next_version(parse("1.4.0-rc.1"), commits("feat: b"))) == "1.4.0"


def test_invalid_version_on_the_command_line_exits_2_and_writes_nothing(gameops_cli, sample_repo):
    from conftest import snapshot

    before = snapshot(sample_repo)
    r = gameops_cli("--project", str(sample_repo), "release", "1.4", process=True)
    assert r.code == 2
    assert "'1.4'" in r.stderr and "Traceback" not in r.stderr
    assert snapshot(sample_repo) == before
    r = gameops_cli("--project", str(sample_repo), "release")
    assert r.code == 2 and "--bump" in r.stderr
