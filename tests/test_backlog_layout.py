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



def test_each_layout_counts_an_item_kept_twice_twice(tmp_path):
    for name in ("inline", "table"):
        root = copy_fixture(name, tmp_path / name)
        cfg = load(root).config.backlog
        lay = layout.of(cfg.layout)
        counts = lay.id_counts(root, cfg)
        assert counts and set(counts.values()) == {1}, name
        if name == "table":  # an item file left behind in the items folder after its archive copy
            item = sorted((root / cfg.items_dir).glob("*.md"))[0]
            (root / cfg.archive_dir).mkdir(parents=True, exist_ok=True)
            (root / cfg.archive_dir / item.name).write_bytes(item.read_bytes())
        else:  # the same block in the backlog and in the archive
            text = (root / cfg.file).read_text(encoding="utf-8")
            block = text[text.index("### BR_016"):]
            block = block[:block.index("\n### ") + 1]
            with open(root / cfg.archive, "a", encoding="utf-8") as f:
                f.write("\n" + block)
        again = lay.id_counts(root, cfg)
        assert [k for k, v in again.items() if v == 2] and set(again) == set(counts), name
