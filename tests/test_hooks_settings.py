"""The hooks' fast reading of gameops.yaml's git: section agrees with the full config model."""

from __future__ import annotations

import pytest

from gameops.config import GitConfig, load
from gameops.errors import BadInput, ConfigError
from gameops.hooks.settings import HOOKS, SPEC, load_settings


def test_keys_and_defaults_match_gitconfig(tmp_path):
    assert set(SPEC) == set(GitConfig.model_fields)
    fast = load_settings(tmp_path)
    full = GitConfig()
    for key in SPEC:
        assert getattr(fast, key) == getattr(full, key), key
    assert tuple(full.hooks) == HOOKS


def test_types_minimums_and_validators_match_gitconfig():
    # the fast reader restates GitConfig by hand: any new constraint there must be mirrored here
    props = GitConfig.model_json_schema()["properties"]
    for key, (kind, _, minimum) in SPEC.items():
        assert props[key].get("minimum") == minimum, key
        if kind == "int":
            assert props[key]["type"] == "integer", key
    validators = {d.info.fields for d in GitConfig.__pydantic_decorators__.field_validators.values()}
    assert validators == {("work_item_pattern",), ("hooks",)}  # both mirrored in load_settings


def test_bare_git_key_goes_to_the_full_loader(tmp_path):
    (tmp_path / "gameops.yaml").write_text("git:\n")
    with pytest.raises(BadInput, match="git: expected a mapping"):
        load_settings(tmp_path)


def test_fast_path_reads_the_git_section_only(tmp_path):
    (tmp_path / "gameops.yaml").write_text(
        "project:\n  name: x\ngit:\n  protected_branches: [main, 'release/*']\n  max_subject_length: 50\n"
        "  any_scope: true\n"
    )
    s = load_settings(tmp_path)
    assert s.source == "fast"
    assert s.protected_branches == ["main", "release/*"]
    assert s.rules().max_subject_length == 50 and s.rules().any_scope
    assert s.behind_warn == 5  # default
    assert s.protected_branches == load(tmp_path).config.git.protected_branches


def test_no_git_section_needs_no_yaml(tmp_path):
    (tmp_path / "gameops.yaml").write_text("project:\n  name: x\n")
    assert load_settings(tmp_path).source == "defaults"


@pytest.mark.parametrize("body,message", [
    ("git:\n  max_subject_length: short\n", 'gameops.yaml:2: git.max_subject_length: expected a whole number, got "short"'),
    ("git:\n  protected_branch: [main]\n", 'gameops.yaml:2: git.protected_branch: unknown key (did you mean "protected_branches"?)'),
    ("git:\n  max_subject_length: 5\n", "gameops.yaml:2: git.max_subject_length:"),
    ("git:\n  work_item_pattern: '[A-Z'\n", "gameops.yaml:2: git.work_item_pattern: not a valid regular expression"),
    ("git:\n  hooks: [pre-commit, post-merge]\n", "gameops.yaml:2: git.hooks: unknown hook 'post-merge'"),
    ("git: [\n", "gameops.yaml:2: YAML syntax error"),
])
def test_anything_doubtful_goes_through_the_full_loader(tmp_path, body, message):
    (tmp_path / "gameops.yaml").write_text(body)
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert str(err.value).startswith(message)


def test_environment_override_wins(tmp_path, monkeypatch):
    (tmp_path / "gameops.yaml").write_text("git:\n  behind_warn: 3\n")
    monkeypatch.setenv("GAMEOPS_GIT__BEHIND_WARN", "9")
    s = load_settings(tmp_path)
    assert s.source == "full" and s.behind_warn == 9


def test_explicit_config_file(tmp_path):
    (tmp_path / "ci.yaml").write_text("git:\n  protected_branches: [trunk]\n")
    assert load_settings(tmp_path, "ci.yaml").protected_branches == ["trunk"]
    with pytest.raises(BadInput, match="missing.yaml: config file not found"):
        load_settings(tmp_path, "missing.yaml")
