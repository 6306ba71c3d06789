"""The backlog layout is one object, chosen once: from the config or from where the backlog is."""

from __future__ import annotations

import typing

from backlog_helpers import copy_fixture

from gameops.backlog import layout
from gameops.config import BacklogConfig, load


def test_every_layout_the_config_accepts_is_an_object():
    accepted = set(typing.get_args(BacklogConfig.model_fields["layout"].annotation))
    assert accepted == set(layout.LAYOUTS) == {"inline", "table"}
    for name in accepted:
        assert layout.of(name).name == name


def test_detected_layout_is_the_configured_one_and_names_the_same_files(tmp_path):
    for name, want_files in (("inline", {"Docs/01-Active/Backlog.md", "Docs/07-Archive/Completed_Backlog.md"}),
                             ("table", {"Docs/Backlog/Backlog.md"})):
        root = copy_fixture(name, tmp_path / name)
        file, found = layout.detect(root)
        cfg = load(root).config.backlog
        assert found is layout.of(cfg.layout) and found.name == name and file == cfg.file
        assert set(found.files(cfg)) == set(found.detected_files(root, file)) >= want_files
        assert cfg.file in found.archive_paths(cfg)
    assert layout.detect(tmp_path / "nothing-here") is None

