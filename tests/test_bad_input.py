"""Bad input: exit 2, one clear line naming the file or value, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import snapshot


def _write_config(repo: Path, text: str) -> None:
    (repo / "gameops.yaml").write_text(text, encoding="utf-8")


def _assert_one_line_exit_2(result, *needles: str) -> None:
    assert result.code == 2, (result.code, result.stderr)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert result.stdout == ""


CASES = {
    "unknown key": (
        "project:\n  name: x\ngodot:\n  timout_s: 5\n",
        [], ["gameops.yaml:4", "godot.timout_s", "unknown key", 'did you mean "timeout_s"'],
    ),
    "wrong type": (
        "project:\n  name: x\n\n\ngodot:\n  timeout_s: fast\n",
        [], ["gameops.yaml:6", "godot.timeout_s", "expected a number", '"fast"'],
    ),
    "yaml syntax": (
        "project:\n  name: [unclosed\ngodot:\n  timeout_s: 5\n",
        [], ["gameops.yaml:", "YAML syntax error"],
    ),
    "not a mapping": ("- just\n- a list\n", [], ["gameops.yaml:1", "expected a mapping"]),
    "bad literal": ("backlog:\n  layout: spreadsheet\n", [], ["gameops.yaml:2", "backlog.layout", "spreadsheet"]),
    "unknown section": ("godott:\n  binary: x\n", [], ["gameops.yaml:1", "godott", 'did you mean "godot"']),
    "list expected": ("release:\n  include: README.md\n", [], ["gameops.yaml:2", "release.include", "expected a list"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_config_file(name, sample_repo, gameops_cli):
    text, extra, needles = CASES[name]
    _write_config(sample_repo, text)
    before = snapshot(sample_repo)
    result = gameops_cli("--project", str(sample_repo), *extra, "check")
    _assert_one_line_exit_2(result, *needles)
    assert snapshot(sample_repo) == before


def test_bad_environment_override(sample_repo, gameops_cli):
    result = gameops_cli("--project", str(sample_repo), "check", env={"GAMEOPS_GODOT__TIMEOUT_S": "fast"})
    _assert_one_line_exit_2(result, "GAMEOPS_GODOT__TIMEOUT_S", "expected a number", '"fast"')


def test_missing_project_folder(tmp_path, gameops_cli):
    result = gameops_cli("--project", str(tmp_path / "nope"), "check")
    _assert_one_line_exit_2(result, "nope", "does not exist")


def test_project_is_a_file(tmp_path, gameops_cli):
    f = tmp_path / "file.txt"
    f.write_text("x")
    result = gameops_cli("--project", str(f), "check")
    _assert_one_line_exit_2(result, "file.txt", "must be a folder")


def test_missing_config_file(sample_repo, gameops_cli):
    result = gameops_cli("--project", str(sample_repo), "--config", "other.yaml", "check")
    _assert_one_line_exit_2(result, "other.yaml", "not found")


def test_unreadable_config_not_utf8(sample_repo, gameops_cli):
    (sample_repo / "gameops.yaml").write_bytes(b"project:\n  name: \xff\xfe\x00bad\n")
    before = snapshot(sample_repo)
    result = gameops_cli("--project", str(sample_repo), "check")
    _assert_one_line_exit_2(result, "gameops.yaml", "not UTF-8")
    assert snapshot(sample_repo) == before


def test_config_is_a_folder(sample_repo, gameops_cli):
    (sample_repo / "gameops.yaml").unlink()
    (sample_repo / "gameops.yaml").mkdir()
    result = gameops_cli("--project", str(sample_repo), "check")
    _assert_one_line_exit_2(result, "gameops.yaml", "folder")


def test_unknown_command(gameops_cli):
    result = gameops_cli("frobnicate")
    _assert_one_line_exit_2(result, "frobnicate")


def test_unknown_option(gameops_cli):
    result = gameops_cli("check", "--no-such-flag")
    _assert_one_line_exit_2(result, "--no-such-flag")


def test_bad_database_url(gameops_cli):
    result = gameops_cli("server", "start", "--database", "mysql://x@y/z")
    _assert_one_line_exit_2(result, "mysql://x@y/z", "postgresql://")
