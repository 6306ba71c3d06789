"""Reproducible zips, SHA256SUMS that sha256sum accepts, verification, names."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from gameops import packaging
from gameops.errors import BadInput
from gameops.fileops import sha256_file


def make_tree(root: Path, order: list[str], mtime: int, modes: dict[str, int]) -> Path:
    for name in order:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(f"content of {name}\n".encode() * 50)
        os.chmod(p, modes.get(name, 0o644))
        os.utime(p, (mtime, mtime))
    return root


NAMES = ["game.x86_64", "game.pck", "data/a.bin", "data/sub/b.bin", "Z.txt"]


def test_two_builds_are_byte_identical_whatever_the_disk_says(tmp_path):
    a = make_tree(tmp_path / "a", NAMES, 1_600_000_000, {"game.x86_64": 0o755, "Z.txt": 0o600})
    b = make_tree(tmp_path / "b", list(reversed(NAMES)), 1_700_000_000, {"game.x86_64": 0o775, "Z.txt": 0o664})
    za, zb = tmp_path / "a.zip", tmp_path / "b.zip"
    packaging.write_zip(za, packaging.tree_items(a), 1_650_000_000, wrap="game-1.0.0-linux")
    packaging.write_zip(zb, packaging.tree_items(b), 1_650_000_000, wrap="game-1.0.0-linux")
    assert za.read_bytes() == zb.read_bytes()


def test_entries_sorted_wrapped_dated_and_moded(tmp_path):
    tree = make_tree(tmp_path / "t", NAMES, 1_600_000_000, {"game.x86_64": 0o700})
    dest = tmp_path / "g.zip"
    packaging.write_zip(dest, packaging.tree_items(tree) + [packaging.Item("CHANGELOG.md", data=b"# c\n")], 1_700_000_000, wrap="g")
    with zipfile.ZipFile(dest) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names, key=str.encode)
        assert all(n.startswith("g/") for n in names)
        assert "g/data/" in names and "g/data/sub/" in names
        for i in infos:
            assert i.date_time == (2023, 11, 14, 22, 13, 20)
            assert i.create_system == 3
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in infos}
        assert modes["g/game.x86_64"] == 0o755 and modes["g/Z.txt"] == 0o644 and modes["g/data/"] == 0o755
        assert zf.read("g/CHANGELOG.md") == b"# c\n"
        assert zf.testzip() is None


def test_source_date_epoch_wins_and_is_clamped(tmp_path):
    assert packaging.source_date_epoch(1_700_000_000, {"SOURCE_DATE_EPOCH": "1234567890"}) == 1234567890
    assert packaging.source_date_epoch(1_700_000_000, {}) == 1_700_000_000
    with pytest.raises(BadInput, match="SOURCE_DATE_EPOCH"):
        packaging.source_date_epoch(1, {"SOURCE_DATE_EPOCH": "yesterday"})
    dest = tmp_path / "old.zip"
    packaging.write_zip(dest, [packaging.Item("a", data=b"a")], 0)
    with zipfile.ZipFile(dest) as zf:
        assert zf.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_rewriting_the_same_zip_changes_nothing(tmp_path):
    dest = tmp_path / "same.zip"
    items = [packaging.Item("a.txt", data=b"hello")]
    assert packaging.write_zip(dest, items, 1_700_000_000) is True
    first = dest.stat().st_mtime_ns
    assert packaging.write_zip(dest, items, 1_700_000_000) is False
    assert dest.stat().st_mtime_ns == first
    assert [p.name for p in tmp_path.iterdir()] == ["same.zip"]  # no temporary file left behind


def test_checksums_are_sha256sum_compatible_and_verified(tmp_path):
    for name in ("b-linux.zip", "a-windows.zip"):
        (tmp_path / name).write_bytes(name.encode() * 1000)
    packaging.write_checksums(tmp_path, {n: sha256_file(tmp_path / n) for n in ("b-linux.zip", "a-windows.zip")})
    lines = (tmp_path / "SHA256SUMS").read_text().splitlines()
    assert [ln.split("  ")[1] for ln in lines] == ["a-windows.zip", "b-linux.zip"]
    if shutil.which("sha256sum"):
        ok = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
        assert ok.returncode == 0, ok.stdout + ok.stderr
    assert packaging.verify(tmp_path) == []
    (tmp_path / "b-linux.zip").write_bytes(b"tampered")
    assert packaging.verify(tmp_path) == ["b-linux.zip: sha256 differs from SHA256SUMS"]
    (tmp_path / "a-windows.zip").unlink()
    assert "a-windows.zip: missing" in packaging.verify(tmp_path)


def test_manifest_has_no_clock_reading():
    doc = packaging.manifest(project="g", version="1.0.0", tag="v1.0.0", commit="abc", epoch=1_700_000_000,
                             artifacts=[{"name": "z.zip"}, {"name": "a.zip"}])
    assert doc["date"] == "2023-11-14T22:13:20Z"
    assert [a["name"] for a in doc["artifacts"]] == ["a.zip", "z.zip"]


def test_archive_name_template():
    assert packaging.archive_name("{project}-{version}-{platform}.zip", project="g", version="1.0.0", platform="linux") == "g-1.0.0-linux.zip"
    assert packaging.archive_name("{project}_{platform}", project="g", version="1", platform="web") == "g_web.zip"
    with pytest.raises(BadInput, match="release.archive_name"):
        packaging.archive_name("{name}.zip", project="g", version="1", platform="x")
    with pytest.raises(BadInput, match="not a file name"):
        packaging.archive_name("{platform}/{project}.zip", project="g", version="1", platform="x")


def test_include_globs_and_overrides(tmp_path):
    (tmp_path / "README.md").write_text("r")
    (tmp_path / "LICENSE").write_text("l")
    (tmp_path / "CHANGELOG.md").write_text("old")
    (tmp_path / "notes.txt").write_text("n")
    items = packaging.glob_items(tmp_path, ["README*", "LICENSE*", "CHANGELOG*"], {"CHANGELOG.md": b"new"})
    got = {i.arcname: (i.data if i.data is not None else i.source.read_bytes()) for i in items}
    assert got == {"README.md": b"r", "LICENSE": b"l", "CHANGELOG.md": b"new"}


def test_archive_names_are_slugs_whatever_the_project_is_called():
    name = packaging.archive_name("{project}-{version}-{platform}.zip", project="Sample Game", version="1.0.0", platform="linux")
    assert name == "Sample-Game-1.0.0-linux.zip"
    odd = packaging.archive_name("{project}-{version}-{platform}.zip", project=" Jeu d'été / 2 ", version="1.0.0-rc.1",
                                 platform="windows")
    assert odd == "Jeu-d-ete-2-1.0.0-rc.1-windows.zip" and " " not in odd and "/" not in odd
