"""Godot export: command lines per engine version, presets, success detection, crashes, hangs, templates."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gameops import export, process
from gameops.errors import BadInput
from gameops.godot import read_export_presets

G3 = export.Engine("godot3", "3.2.3.stable.custom_build")
G42 = export.Engine("godot", "4.2.2.stable.official.15073afe3")
G43 = export.Engine("godot", "4.3.stable.mono.official.77dcf97d8")
G44 = export.Engine("godot", "4.4.1.stable.official.49a5bc7b6")


def test_godot4_imports_first_with_the_right_flag():
    proj = Path("game")
    assert export.import_command(G42, proj) == ["godot", "--headless", "--path", "game", "--editor", "--quit"]
    assert export.import_command(G43, proj) == ["godot", "--headless", "--path", "game", "--import"]
    assert export.import_command(G44, proj) == ["godot", "--headless", "--path", "game", "--import"]
    assert export.import_command(G3, proj) is None


def test_export_flags_per_major_version():
    out = Path("build") / "game.exe"
    assert export.export_command(G44, Path("g"), "Windows Desktop", out) == [
        "godot", "--headless", "--path", "g", "--export-release", "Windows Desktop", str(out)]
    assert export.export_command(G44, Path("g"), "Web", out, debug=True)[4] == "--export-debug"
    assert export.export_command(G44, Path("g"), "Web", out, pack=True)[4] == "--export-pack"
    assert export.export_command(G3, Path("g"), "Linux/X11", out) == [
        "godot3", "--no-window", "--path", "g", "--export", "Linux/X11", str(out)]
    assert export.export_command(G3, Path("g"), "Linux/X11", out, debug=True)[4] == "--export-debug"


def test_template_folder_names(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert export.templates_dir(G43) == tmp_path / "godot" / "export_templates" / "4.3.stable.mono"
    assert export.templates_dir(G44) == tmp_path / "godot" / "export_templates" / "4.4.1.stable"
    assert export.templates_dir(G3) == tmp_path / "godot" / "templates" / "3.2.3.stable"


def fixture_presets(shared_fixtures, name):
    return read_export_presets(shared_fixtures / "godot" / name)


def test_godot4_presets_from_real_projects(shared_fixtures, tmp_path):
    demos = fixture_presets(shared_fixtures, "godot-demos__export_presets.cfg")
    names = [p.name for p in demos]
    assert "Windows (.pck demo)" in names and len(demos) == 7
    ci = fixture_presets(shared_fixtures, "godot-ci__test-project__export_presets.cfg")
    linux = next(p for p in ci if p.platform == "Linux")
    assert linux.export_path == ""
    assert export.output_name(linux, "linux", "My Game") == "My-Game.x86_64"
    thrive = fixture_presets(shared_fixtures, "thrive__export_presets.cfg")
    mac = next(p for p in thrive if p.platform == "macOS")
    assert mac.export_path and export.output_name(mac, "macos", "Thrive") == mac.export_path.split("/")[-1]
    # Mapping by platform key, and a preset name the file does not have.
    proj = tmp_path / "p"
    proj.mkdir()
    shutil.copy(shared_fixtures / "godot" / "godot-demos__export_presets.cfg", proj / "export_presets.cfg")
    by_platform = export.presets_by_platform(proj, {})
    assert {"windows", "linux", "macos", "web", "android", "ios"} <= set(by_platform)
    with pytest.raises(BadInput, match="godot.presets.linux"):
        export.presets_by_platform(proj, {"linux": "No Such Preset"})


def test_godot3_presets(shared_fixtures):
    presets = fixture_presets(shared_fixtures, "godot3__godot-export__project__export_presets.cfg")
    assert presets and all(p.platform for p in presets)


def test_godot4_export_windows_path_gives_the_basename(shared_fixtures):
    demos = fixture_presets(shared_fixtures, "godot-demos__export_presets.cfg")
    win = next(p for p in demos if p.export_path.startswith("D:/"))
    assert "/" not in export.output_name(win, "windows", "demos") and export.output_name(win, "windows", "demos").endswith((".exe", ".apk", ".pck", ".zip"))


# ---------------------------------------------------------------------------
# Success detection against a fake Godot (shell scripts standing in for what Godot does)


def fake_godot(tmp_path: Path, body: str, version: str = "3.2.3.stable.custom_build") -> export.Engine:
    script = tmp_path / "bin" / "godot"
    script.parent.mkdir(exist_ok=True)
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return export.Engine(str(script), version)


def job_for(tmp_path: Path, engine: export.Engine, timeout_s: float = 30) -> export.Job:
    proj = tmp_path / "proj"
    proj.mkdir(exist_ok=True)
    (proj / "project.godot").write_text("config_version=4\n")
    (proj / "export_presets.cfg").write_text('[preset.0]\nname="Linux/X11"\nplatform="Linux/X11"\nexport_path="out/game.x86_64"\n')
    preset = read_export_presets(proj / "export_presets.cfg")[0]
    return export.Job("linux", preset, engine, proj, "game.x86_64", timeout_s=timeout_s,
                      ignore_errors=[r"Invalid locale", r"Unsupported locale"], protect=export.snapshot_protected(proj))


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake Godot is a shell script")


def test_exit_0_without_writing_the_file_is_a_failure(tmp_path):
    engine = fake_godot(tmp_path, 'echo "savepack: end"; exit 0')
    with pytest.raises(export.ExportFailed, match="exited 0 but wrote no game.x86_64") as err:
        export.run_export(job_for(tmp_path, engine), tmp_path / "out")
    assert not isinstance(err.value, export.ExportCrashed)


def test_empty_output_is_a_failure(tmp_path):
    engine = fake_godot(tmp_path, ': > "$6"; exit 0')
    with pytest.raises(export.ExportFailed, match="is empty"):
        export.run_export(job_for(tmp_path, engine), tmp_path / "out")


def test_harmless_locale_errors_pass_and_export_errors_fail(tmp_path):
    locale = "echo \"ERROR: get_language_code: Invalid locale 'C'.\"; echo \"ERROR: set_locale: Unsupported locale 'C', falling back to 'en'.\";"
    ok = fake_godot(tmp_path, locale + ' echo game > "$6"; exit 0')
    files = export.run_export(job_for(tmp_path, ok), tmp_path / "out")
    assert [f.name for f in files] == ["game.x86_64"]
    bad = fake_godot(tmp_path, locale + ' echo game > "$6"; echo "ERROR: Project export for preset \\"Linux/X11\\" failed."; exit 0')
    with pytest.raises(export.ExportFailed, match="Project export"):
        export.run_export(job_for(tmp_path, bad), tmp_path / "out")


def test_crash_is_marked_for_retry(tmp_path):
    engine = fake_godot(tmp_path, 'echo "handle_crash: Program crashed with signal 11"; kill -SEGV $$')
    with pytest.raises(export.ExportCrashed, match="crashed"):
        export.run_export(job_for(tmp_path, engine), tmp_path / "out")


def test_hung_godot_is_killed_with_its_tree(tmp_path):
    pidfile = tmp_path / "child.pid"
    engine = fake_godot(tmp_path, f'sleep 300 & echo $! > {pidfile}; wait')
    with pytest.raises(export.ExportFailed, match="killed with its process tree"):
        export.run_export(job_for(tmp_path, engine, timeout_s=1), tmp_path / "out")
    import psutil

    child = int(pidfile.read_text())
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE


def test_missing_templates_name_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "platform", "linux")
    engine = fake_godot(tmp_path, 'echo "ERROR: No export template found at the expected path: /x/linux_x11_64_release"; exit 0')
    job = job_for(tmp_path, engine)
    expected = tmp_path / "data" / "godot" / "templates" / "3.2.3.stable"
    with pytest.raises(BadInput, match=str(expected).replace("\\", "\\\\")):
        export.check_templates(job)
    with pytest.raises(export.ExportFailed, match="Godot looks in " + str(expected)):
        export.run_export(job, tmp_path / "out")


def test_godot_rewriting_project_godot_is_undone(tmp_path):
    engine = fake_godot(tmp_path, 'echo "_global_script_classes=[  ]" >> project.godot; echo game > "$6"')
    job = job_for(tmp_path, engine)
    before = (job.project_dir / "project.godot").read_bytes()
    export.run_export(job, tmp_path / "out")
    assert (job.project_dir / "project.godot").read_bytes() == before


def test_judge_uses_exit_code_file_and_log(tmp_path):
    out = tmp_path / "game.x86_64"
    out.write_bytes(b"x")
    assert export.judge(process.ProcessResult(["g"], 0, []), out, G3).ok
    assert "exited 1" in export.judge(process.ProcessResult(["g"], 1, []), out, G3).reason


# ---------------------------------------------------------------------------
# The real headless Godot 3 on the sample game


@pytest.mark.godot
@pytest.mark.skipif(not shutil.which("godot3-server"), reason="godot3-server is not installed")
def test_real_godot3_export_runs(tmp_path):
    from conftest import SAMPLE_GAME

    proj = tmp_path / "game"
    shutil.copytree(SAMPLE_GAME, proj)
    preset = read_export_presets(proj / "export_presets.cfg")[0]
    tool_version = subprocess.run(["godot3-server", "--version"], capture_output=True, text=True).stdout.strip().splitlines()[-1]
    engine = export.Engine(shutil.which("godot3-server"), tool_version)
    job = export.Job("linux", preset, engine, proj, "sample-game.x86_64", timeout_s=120,
                     ignore_errors=[r"Invalid locale", r"Unsupported locale"], protect=export.snapshot_protected(proj))
    before = (proj / "project.godot").read_bytes()
    files = export.run_export(job, tmp_path / "out")
    assert sorted(f.name for f in files) == ["sample-game.pck", "sample-game.x86_64"]
    assert (proj / "project.godot").read_bytes() == before
    ran = process.run(["godot3-server", "--main-pack", str(tmp_path / "out" / "sample-game.pck"), "--quit-after-hello"], timeout_s=60)
    assert "sample-game: hello from Godot 3." in ran.output
