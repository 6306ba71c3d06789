"""The fast reader of project.name (gameops/project_name.py) agrees with the full config loader,
and leaves every doubtful file to it."""

from __future__ import annotations

import pytest

from gameops import config, project_name
from gameops.errors import BadInput


@pytest.mark.parametrize(("text", "fast"), [
    ("project:\n  name: Lumen\n", "Lumen"),
    ("# comment\nproject: {name: 'Block Life'}\ndotnet:\n  solution: Game.sln\n", "Block Life"),
    ("project:\n  name: ''\n", None),  # empty: detected by the loader
    ("project:\n  name: 42\n", None),
    ("project:\n  name: Lumen\n  extra: 1\n", None),
    ("project:\n  name: Lumen\nredact: [API_TOKEN]\n", None),  # secrets are registered by the loader
    ("project:\n  name: Lumen\nalerts:\n  webhook_url: https://hooks.example/x\n", None),
    ("project:\n  name: Lumen\nserver:\n  database: postgresql+asyncpg://u:pw@db/prefect\n", None),
    ("dotnet:\n  solution: Game.sln\n", None),
    ("project:\n  name: [Lumen\n", None),  # YAML error: the loader says where
    ("- a list\n", None),
    ("a: &a [x]\nproject:\n  name: *a\n", None),
])
def test_fast_name_is_the_loaders_or_none(tmp_path, text, fast):
    (tmp_path / "gameops.yaml").write_text(text)
    got = project_name.configured(tmp_path, environ={})
    assert got == fast
    if got is not None:
        assert config.load(tmp_path, environ={}).config.project.name == got


def test_other_sections_are_not_validated_on_this_path(tmp_path):
    """As with the hooks' reader: a mistake elsewhere in the file is the loader's to report (any
    command that uses that section does); the history still finds its project."""
    from gameops.errors import ConfigError

    (tmp_path / "gameops.yaml").write_text("project:\n  name: Lumen\ndotnet:\n  nonsense_key: 1\n")
    assert project_name.configured(tmp_path, environ={}) == "Lumen"
    with pytest.raises(ConfigError, match="nonsense_key"):
        config.load(tmp_path, environ={})


def test_overrides_other_files_and_missing_folders_go_to_the_loader(tmp_path):
    (tmp_path / "gameops.yaml").write_text("project:\n  name: Lumen\n")
    assert project_name.configured(tmp_path, environ={"GAMEOPS_PROJECT__NAME": "Other"}) is None
    assert project_name.configured(tmp_path, "gameops.yaml", environ={}) is None
    assert project_name.configured(tmp_path / "nope", environ={}) is None
    (tmp_path / "gameops.yaml").unlink()
    assert project_name.configured(tmp_path, environ={}) is None
    with pytest.raises(BadInput):
        config.load(tmp_path / "nope", environ={})


def test_config_leading_out_of_the_project_is_refused_as_by_the_loader(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("project:\n  name: Stolen\n")
    root = tmp_path / "game"
    root.mkdir()
    (root / "gameops.yaml").symlink_to(outside)
    assert project_name.configured(root, environ={}) is None
    with pytest.raises(BadInput):
        config.load(root, environ={})
