"""Hostile input (issue 11, point 4): every file gameops reads is refused fast, exit 2, one line.

Configs with alias bombs, deep nesting, unsafe tags, duplicate keys; FIFOs, devices, dangling,
looping and escaping symlinks; oversized files; the same for the backlog, project.godot,
export_presets.cfg and result files. Each case: exit 2, exactly one stderr line naming the
file and the problem, no traceback, nothing written, in under 5 seconds of CPU time.

"Fast" is measured as the CPU time of the gameops process (user + system, from the operating
system's accounting of the child), not wall time: the test machine is shared by many jobs, so
its wall clock says more about the neighbours than about gameops. A run that blocks (a FIFO
read) is caught by the subprocess timeout instead.
"""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest

from conftest import LOCAL_FIXTURES, git, snapshot

FAST_S = 5.0

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join(["*" + chr(96 + i)] * 9) + "]\n" for i in range(1, 10)
)

CONFIGS = {
    "alias bomb": (BOMB, ["gameops.yaml:", "alias bomb"]),
    "recursive alias": ("project: &a\n  name: [*a]\n", ["gameops.yaml:", "recursive alias"]),
    "deep nesting": ("x: " + "[" * 100_000 + "]" * 100_000 + "\n", ["gameops.yaml:1", "nested more than"]),
    "deep mapping": ("".join("  " * i + f"k{i}:\n" for i in range(400)), ["gameops.yaml:", "nested more than"]),
    "python tag": ('project: !!python/object/apply:os.system ["echo pwned"]\n', ["gameops.yaml:1", "unsupported YAML tag !!python/object/apply"]),
    "custom tag": ("project:\n  name: !vault secret\n", ["gameops.yaml:2", "unsupported YAML tag !vault"]),
    "duplicate key": ("godot:\n  timeout_s: 5\n  timeout_s: 6\n", ["gameops.yaml:3", "duplicate key godot.timeout_s", "line 2"]),
    "duplicate section": ("godot:\n  timeout_s: 5\nproject:\n  name: x\ngodot:\n  binary: g\n", ["gameops.yaml:5", "duplicate key godot"]),
    "too large": ("# padding\n" * 200_000, ["gameops.yaml", "too large", "GAMEOPS_MAX_INPUT_MB"]),
}


def _one_line_exit_2(result, elapsed: float, *needles: str) -> str:
    assert result.code == 2, (result.code, result.stderr[-2000:])
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert elapsed < FAST_S, f"took {elapsed:.1f}s of CPU"
    return lines[0]


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(gameops_cli, *args: str, **kw):
    """Run gameops; the result and the CPU seconds it used (a hang fails on the 60 s timeout)."""
    started = _cpu_children()
    result = gameops_cli(*args, timeout=60, **kw)
    return result, _cpu_children() - started


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_hostile_config_is_refused(name, sample_repo, gameops_cli):
    text, needles = CONFIGS[name]
    (sample_repo / "gameops.yaml").write_text(text, encoding="utf-8")
    before = snapshot(sample_repo)
    result, elapsed = _timed(gameops_cli, "--project", str(sample_repo), "config", "show")
    _one_line_exit_2(result, elapsed, *needles)
    assert result.stdout == ""
    assert snapshot(sample_repo) == before


def test_config_size_limit_is_configurable(sample_repo, gameops_cli):
    (sample_repo / "gameops.yaml").write_text("project:\n  name: roomy\n" + "# padding\n" * 200_000, encoding="utf-8")
    result, _ = _timed(gameops_cli, "--project", str(sample_repo), "--json", "config", "show",
                       env={"GAMEOPS_MAX_INPUT_MB": "100"})
    assert result.code == 0, result.stderr
    bad, elapsed = _timed(gameops_cli, "--project", str(sample_repo), "config", "show", env={"GAMEOPS_MAX_INPUT_MB": "lots"})
    _one_line_exit_2(bad, elapsed, "GAMEOPS_MAX_INPUT_MB", "'lots'")


def test_yaml_aliases_and_merge_keys_still_work(sample_repo, gameops_cli):
    (sample_repo / "gameops.yaml").write_text(
        "release:\n  include: &docs [README*, LICENSE*]\n  allowed_branches: [main]\n"
        "docs:\n  summary_files: *docs\n"
        "dotnet:\n  categories:\n    - &cat {name: Unit, filter: Category=Unit, quick: true}\n    - {<<: *cat, name: Slow, quick: false}\n",
        encoding="utf-8")
    result, _ = _timed(gameops_cli, "--project", str(sample_repo), "--json", "config", "show")
    assert result.code == 0, result.stderr
    doc = result.json
    values = {row["key"]: row["value"] for row in doc["settings"]} if "settings" in doc else None
    text = json.dumps(doc)
    assert "LICENSE*" in text and "Slow" in text and "Category=Unit" in text, (values, text[:500])


@pytest.mark.parametrize("kind", ["dangling", "loop", "outside", "fifo", "folder"])
def test_gameops_yaml_that_is_not_a_file_is_refused(kind, sample_repo, tmp_path, gameops_cli):
    cfg = sample_repo / "gameops.yaml"
    cfg.unlink()
    if kind == "dangling":
        cfg.symlink_to("nowhere.yaml")
        needles = ["gameops.yaml", "symlink to a missing file"]
    elif kind == "loop":
        cfg.symlink_to("gameops.yaml")
        needles = ["gameops.yaml", "symlink loop"]
    elif kind == "outside":
        secret = tmp_path / "outside.yaml"
        secret.write_text("project:\n  name: stolen\n", encoding="utf-8")
        cfg.symlink_to(secret)
        needles = ["gameops.yaml", "leads outside the project"]
    elif kind == "fifo":
        os.mkfifo(cfg)
        needles = ["gameops.yaml", "FIFO"]
    else:
        cfg.mkdir()
        needles = ["gameops.yaml", "folder"]
    result, elapsed = _timed(gameops_cli, "--project", str(sample_repo), "config", "show")
    _one_line_exit_2(result, elapsed, *needles)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_config_dev_zero_is_refused_at_once(sample_repo, gameops_cli):
    result, elapsed = _timed(gameops_cli, "--project", str(sample_repo), "--config", "/dev/zero", "config", "show")
    _one_line_exit_2(result, elapsed, "/dev/zero", "character device")


def test_hooks_fast_path_refuses_hostile_config(sample_repo):
    from gameops.errors import ConfigError
    from gameops.hooks.settings import load_settings

    (sample_repo / "gameops.yaml").write_text("git:\n  push: true\n  push: false\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate key git.push"):
        load_settings(sample_repo, environ={})
    (sample_repo / "gameops.yaml").write_text("git:\n  branch_prefixes: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    started = time.process_time()
    with pytest.raises(ConfigError, match="nested more than"):
        load_settings(sample_repo, environ={})
    assert time.process_time() - started < FAST_S


# -- the other files gameops reads ---------------------------------------------------------

def _inline_backlog_repo(tmp_path: Path) -> Path:
    import shutil

    repo = tmp_path / "game"
    shutil.copytree(LOCAL_FIXTURES / "backlog" / "inline", repo)
    git(repo, "init", "-q", "-b", "main")
    return repo


@pytest.mark.parametrize("kind", ["fifo", "outside", "dangling", "too large"])
def test_hostile_backlog_file_is_refused(kind, tmp_path, gameops_cli):
    repo = _inline_backlog_repo(tmp_path)
    backlog = repo / "Docs" / "01-Active" / "Backlog.md"
    if kind == "too large":
        backlog.write_text("x\n" * 600_000, encoding="utf-8")  # 1.2 MB over a 1 MiB limit
        env, needles = {"GAMEOPS_MAX_INPUT_MB": "1"}, ["Backlog.md", "too large"]
    else:
        backlog.unlink()
        env = {}
        if kind == "fifo":
            os.mkfifo(backlog)
            needles = ["Backlog.md", "FIFO"]
        elif kind == "outside":
            other = tmp_path / "elsewhere.md"
            other.write_text("# not yours\n", encoding="utf-8")
            backlog.symlink_to(other)
            needles = ["Backlog.md", "leads outside the project"]
        else:
            backlog.symlink_to(repo / "gone.md")
            needles = ["Backlog.md", "symlink to a missing file"]
    before = snapshot(repo)
    result, elapsed = _timed(gameops_cli, "--project", str(repo), "backlog", "verify", env=env)
    _one_line_exit_2(result, elapsed, *needles)
    assert snapshot(repo) == before


def test_duplicate_table_backlog_ids_are_reported(tmp_path, gameops_cli):
    import shutil

    repo = tmp_path / "game"
    shutil.copytree(LOCAL_FIXTURES / "backlog" / "table", repo)
    tracker = repo / "Docs" / "Backlog" / "Backlog.md"
    lines = tracker.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, ln in enumerate(lines) if ln.startswith("|") and "[HF_002]" in ln)
    lines.insert(row, lines[row])
    tracker.write_text("".join(lines), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    result, _ = _timed(gameops_cli, "--project", str(repo), "--dry-run", "--json", "backlog", "archive")
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    doc = result.json
    skipped = {s["id"]: s["reason"] for s in doc["skipped"]}
    assert "2 rows" in skipped["HF_002"], skipped
    assert all(a["id"] != "HF_002" for a in doc["archived"])
    verify, _ = _timed(gameops_cli, "--project", str(repo), "--json", "backlog", "verify")
    items = [i for i in verify.json["items"] if i["id"] == "HF_002"]
    assert items and not items[0]["ok"] and "2 rows" in " ".join(items[0]["errors"])


def test_table_backlog_link_out_of_the_project_moves_nothing(tmp_path, gameops_cli):
    import shutil

    repo = tmp_path / "game"
    shutil.copytree(LOCAL_FIXTURES / "backlog" / "table", repo)
    outside = tmp_path / "HF_002_outside.md"
    outside.write_text("**Status**: Done\n", encoding="utf-8")
    tracker = repo / "Docs" / "Backlog" / "Backlog.md"
    text = tracker.read_text(encoding="utf-8")
    tracker.write_text(text.replace("(items/HF_002_ConcurrentQueue_Thread_Safety.md)", "(../../../HF_002_outside.md)"), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    result, _ = _timed(gameops_cli, "--project", str(repo), "--dry-run", "--json", "backlog", "archive")
    doc = result.json
    assert "outside the project" in {s["id"]: s["reason"] for s in doc["skipped"]}["HF_002"]
    assert outside.is_file()


@pytest.mark.parametrize("which", ["project.godot", "export_presets.cfg"])
@pytest.mark.parametrize("kind", ["fifo", "outside", "unclosed", "too large"])
def test_hostile_godot_files_are_refused(which, kind, sample_repo, tmp_path, monkeypatch):
    from gameops import godot
    from gameops.errors import BadInput

    target = sample_repo / which
    if kind == "fifo":
        target.unlink()
        os.mkfifo(target)
        needle = "FIFO"
    elif kind == "outside":
        other = tmp_path / which
        other.write_bytes(target.read_bytes())
        target.unlink()
        target.symlink_to(other)
        needle = "leads outside the project"
    elif kind == "unclosed":  # a value that never closes, over 300,000 lines: one pass, not one per line
        target.write_text("config_version=5\n[application]\nconfig/name=[\n" + "1,\n" * 300_000, encoding="utf-8")
        needle = "not closed"
    else:
        monkeypatch.setenv("GAMEOPS_MAX_INPUT_MB", "0.5")
        target.write_text("; x\n" * 200_000, encoding="utf-8")
        needle = "too large"
    started = time.process_time()
    with pytest.raises(BadInput) as err:
        if which == "project.godot":
            godot.read_project(sample_repo)
        else:
            godot.read_export_presets(target)
    assert time.process_time() - started < FAST_S
    assert which in str(err.value) and needle in str(err.value)
    assert "\n" not in str(err.value)


XML_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<testsuites><testsuite name="&lol3;"/></testsuites>
"""


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "entity bomb", "deep nesting", "too large", "dangling"])
def test_hostile_result_files_are_refused(kind, tmp_path, gameops_cli):
    f = tmp_path / "results.xml"
    env = {}
    if kind == "fifo":
        os.mkfifo(f)
        needles = ["results.xml", "FIFO"]
    elif kind == "dev-zero":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        f = Path("/dev/zero")
        needles = ["/dev/zero", "character device"]
    elif kind == "folder":
        f = tmp_path / "empty"
        f.mkdir()
        needles = ["empty", "no result files"]
    elif kind == "entity bomb":
        f.write_text(XML_BOMB, encoding="utf-8")
        needles = ["results.xml", "unsafe XML"]
    elif kind == "deep nesting":
        f.write_text("<testsuites>" + "<testsuite>" * 100_000 + "</testsuite>" * 100_000 + "</testsuites>", encoding="utf-8")
        needles = None  # read, or refused: either way fast and without a traceback
    elif kind == "too large":
        f.write_text("<testsuites>" + "<!-- padding -->" * 20_000 + "</testsuites>", encoding="utf-8")
        env = {"GAMEOPS_MAX_INPUT_MB": "0.001"}  # results may be 64 times that: 64 KiB
        needles = ["results.xml", "too large"]
    else:
        f.symlink_to(tmp_path / "gone.xml")
        needles = ["results.xml", "symlink to a missing file"]
    result, elapsed = _timed(gameops_cli, "report", str(f), env=env)
    assert "Traceback" not in result.stderr
    if needles is None:
        assert result.code in (0, 1, 2) and elapsed < FAST_S, result.stderr[-500:]
        return
    if kind == "folder":
        assert result.code == 2 and elapsed < FAST_S, result.stderr
        return
    _one_line_exit_2(result, elapsed, *needles)


# -- impossible figures and strict JSON -----------------------------------------------------

def test_impossible_figures_are_clamped_with_a_warning_and_json_stays_strict(tmp_path, gameops_cli):
    junit = tmp_path / "j.xml"
    junit.write_text('<testsuites><testsuite name="s" time="NaN"><testcase name="a" time="-5"/>'
                     '<testcase name="b" time="1e400"/><testcase name="c" time="0.5"/></testsuite></testsuites>', encoding="utf-8")
    cov = tmp_path / "c.xml"
    cov.write_text('<coverage line-rate="nan" lines-valid="10" lines-covered="25" branches-valid="-3" branches-covered="5">'
                   '<packages><package name="p" line-rate="-1"><classes><class name="x" filename="x.cs" line-rate="Infinity">'
                   '<lines><line number="1" hits="-2"/><line number="2" hits="3"/></lines></class></classes></package></packages></coverage>',
                   encoding="utf-8")
    result = gameops_cli("--json", "report", str(junit), str(cov))
    assert result.code == 0, result.stderr

    def refuse(token):
        raise AssertionError(f"{token} in --json output")

    doc = json.loads(result.stdout, parse_constant=refuse)
    assert doc["duration_s"] == 0.5  # NaN suite time ignored, the tests' own times summed, -5 counted as 0
    assert doc["coverage"] == 1.0  # 25 of 10 lines covered: clamped to 10 of 10
    assert 0.0 <= doc["coverage_detail"]["packages"][0]["line_rate"] <= 1.0
    assert doc["coverage_detail"]["branches_valid"] == 0
    warnings = "\n".join(doc["warnings"])
    for needle in ("time of test 'a' is negative", "not a finite number", "lines-covered of coverage is 25, more than 10",
                   "hits of line 1 is negative"):
        assert needle in warnings, warnings
    human = gameops_cli("report", str(junit), str(cov))
    assert "warning:" in human.stderr and "lines-covered of coverage is 25" in human.stderr


def test_strict_json_never_writes_nan_or_infinity():
    from gameops import strict_json

    text = strict_json.dumps({"a": float("nan"), "b": [float("inf"), 1.5], "c": (float("-inf"),)})
    assert json.loads(text, parse_constant=lambda c: pytest.fail(c)) == {"a": None, "b": [None, 1.5], "c": [None]}
