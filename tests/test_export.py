"""Godot export: command lines per engine version, presets, success detection, crashes, hangs, templates."""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gameops import export, process
from gameops.errors import BadInput
from gameops.config import GodotConfig
from gameops.godot import read_export_presets

G3 = export.Engine("godot3", "3.2.3.stable.custom_build")
G42 = export.Engine("godot", "4.2.2.stable.official.15073afe3")
G43 = export.Engine("godot", "4.3.stable.mono.official.77dcf97d8")
G44 = export.Engine("godot", "4.4.1.stable.official.49a5bc7b6")


def test_import_pass_flags_per_version():
    proj = Path("game")
    assert export.import_command(G42, proj) == ["godot", "--headless", "--path", "game", "--editor", "--quit"]
    assert export.import_command(G43, proj) == ["godot", "--headless", "--path", "game", "--import"]
    assert export.import_command(G44, proj) == ["godot", "--headless", "--path", "game", "--import"]
    assert export.import_command(G3, proj) == ["godot3", "--no-window", "--path", "game", "--editor", "--quit"]


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


def job_for(tmp_path: Path, engine: export.Engine, timeout_s: float = 30, smoke_test: bool = False) -> export.Job:
    proj = tmp_path / "proj"
    proj.mkdir(exist_ok=True)
    (proj / "project.godot").write_text("config_version=4\n")
    (proj / "export_presets.cfg").write_text('[preset.0]\nname="Linux/X11"\nplatform="Linux/X11"\nexport_path="out/game.x86_64"\n')
    preset = read_export_presets(proj / "export_presets.cfg")[0]
    return export.Job("linux", preset, engine, proj, "game.x86_64", timeout_s=timeout_s,
                      ignore_errors=[r"Invalid locale", r"Unsupported locale"], protect=export.snapshot_protected(proj),
                      smoke_test=smoke_test)


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
    ok = fake_godot(tmp_path, locale + ' echo game > "$6"; echo pck > "${6%.*}.pck"; exit 0')
    files = export.run_export(job_for(tmp_path, ok), tmp_path / "out")
    assert [f.name for f in files] == ["game.pck", "game.x86_64"]
    bad = fake_godot(tmp_path, locale + ' echo game > "$6"; echo pck > "${6%.*}.pck"; echo "ERROR: Project export for preset \\"Linux/X11\\" failed."; exit 0')
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
    engine = fake_godot(tmp_path, 'echo "_global_script_classes=[  ]" >> project.godot; echo game > "$6"; echo pck > "${6%.*}.pck"')
    job = job_for(tmp_path, engine)
    before = (job.project_dir / "project.godot").read_bytes()
    export.run_export(job, tmp_path / "out")
    assert (job.project_dir / "project.godot").read_bytes() == before


def test_two_exports_of_one_project_folder_take_turns(tmp_path):
    """Two Godot runs on one folder at once break each other (both rename temporary files over
    project.godot and the import cache): parallel exports of one project take turns, both succeed,
    and the committed project.godot is what stays."""
    import threading

    # Stands in for Godot's rename race: a second Godot that starts while one is working fails.
    engine = fake_godot(tmp_path, 'if [ -e busy ]; then echo "ERROR: close: Condition \\"rename_error != 0\\" is true."; exit 1; fi; '
                        ': > busy; echo "_global_script_classes=[  ]" >> project.godot; sleep 1; '
                        'echo game > "$6"; echo pck > "${6%.*}.pck"; rm busy')
    job = job_for(tmp_path, engine)
    before = (job.project_dir / "project.godot").read_bytes()
    failures: list[BaseException] = []

    def export_to(out: Path) -> None:
        try:
            export.run_export(job, out)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    runs = [threading.Thread(target=export_to, args=(tmp_path / name,)) for name in ("out-a", "out-b")]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    assert failures == []
    assert (tmp_path / "out-a" / "game.x86_64").is_file() and (tmp_path / "out-b" / "game.x86_64").is_file()
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
                     ignore_errors=GodotConfig().ignore_errors, protect=export.snapshot_protected(proj))
    before = (proj / "project.godot").read_bytes()
    assert not (proj / ".import").exists() and export.stale_imports(engine, proj)  # as a fresh clone
    files = export.run_export(job, tmp_path / "out")
    assert sorted(f.name for f in files) == ["sample-game.pck", "sample-game.x86_64"]
    assert (proj / "project.godot").read_bytes() == before
    assert export.stale_imports(engine, proj) == []  # the import pass ran and filled the cache
    smoke = (tmp_path / "linux-smoke.log").read_text()  # started headless before it was returned
    assert "sample-game: assets texture 16x16, sound 0.10 s, font height 8" in smoke
    ran = process.run(["godot3-server", "--main-pack", str(tmp_path / "out" / "sample-game.pck"), "--quit-after-hello"], timeout_s=60)
    assert "sample-game: hello from Godot 3." in ran.output


# ---------------------------------------------------------------------------
# Import cache, completeness, smoke test, interrupted runs (fake Godot)

ICON_IMPORT = Path(__file__).resolve().parent.parent / "examples" / "sample-game" / "assets" / "icon.png.import"
STEX = "icon.png-b6a7fb2db36edd3d95dc42f1dc8c1c5d"
# What Godot 3's import pass writes for the icon: the imported texture and the md5 of its source.
FAKE_IMPORT = (f'case "$*" in *--editor*) mkdir -p .import; echo tex > .import/{STEX}.stex; '
               f'echo "source_md5=\\"$(md5sum assets/icon.png | cut -d" " -f1)\\"" > .import/{STEX}.md5; '
               'echo import >> calls.log; exit 0;; esac; ')


def project_with_icon(tmp_path: Path, engine: export.Engine) -> export.Job:
    job = job_for(tmp_path, engine)
    (job.project_dir / "assets").mkdir()
    (job.project_dir / "assets" / "icon.png").write_bytes(b"\x89PNG not really, but bytes to hash")
    shutil.copy(ICON_IMPORT, job.project_dir / "assets" / "icon.png.import")
    return job


def test_stale_imports_are_judged_by_the_import_cache(tmp_path):
    job = project_with_icon(tmp_path, G3)
    proj = job.project_dir
    assert export.stale_imports(G3, proj) == ["res://assets/icon.png"]  # fresh clone: no .import/
    (proj / ".import").mkdir()
    (proj / ".import" / f"{STEX}.stex").write_text("tex")
    assert export.stale_imports(G3, proj) == ["res://assets/icon.png"]  # no .md5: never finished
    md5 = hashlib.md5((proj / "assets" / "icon.png").read_bytes()).hexdigest()
    (proj / ".import" / f"{STEX}.md5").write_text(f'source_md5="{md5}"\ndest_md5="x"\n')
    assert export.stale_imports(G3, proj) == []
    (proj / "assets" / "icon.png").write_bytes(b"changed since the import")
    assert export.stale_imports(G3, proj) == ["res://assets/icon.png"]  # stale: the source changed
    (proj / "assets" / "new.wav").write_bytes(b"RIFF")
    assert export.stale_imports(G3, proj) == ["res://assets/icon.png", "res://assets/new.wav"]  # never imported


def test_export_imports_first_when_the_cache_is_missing_and_not_when_it_is_fresh(tmp_path):
    engine = fake_godot(tmp_path, FAKE_IMPORT + 'echo export >> calls.log; echo game > "$6"; echo pck > "${6%.*}.pck"')
    job = project_with_icon(tmp_path, engine)
    calls = job.project_dir / "calls.log"
    export.run_export(job, tmp_path / "out")
    assert calls.read_text().split() == ["import", "export"]
    assert (tmp_path / "linux-import.log").is_file()
    calls.unlink()
    export.run_export(job, tmp_path / "out")
    assert calls.read_text().split() == ["export"]  # the cache is fresh: no import pass


def test_an_import_that_leaves_the_cache_stale_fails_with_the_asset_and_the_log(tmp_path):
    engine = fake_godot(tmp_path, 'case "$*" in *--editor*) echo "ERROR: Cannot import res://assets/icon.png"; exit 0;; esac; '
                                  'echo game > "$6"; echo pck > "${6%.*}.pck"')
    job = project_with_icon(tmp_path, engine)
    with pytest.raises(export.ExportFailed) as err:
        export.run_export(job, tmp_path / "out")
    msg = str(err.value)
    assert "res://assets/icon.png" in msg and "ERROR: Cannot import" in msg and str(tmp_path / "linux-import.log") in msg


def test_every_file_of_the_preset_must_exist_fresh_or_cached(tmp_path):
    engine = fake_godot(tmp_path, 'echo game > "$6"; exit 0')  # the .pck beside the binary is never written
    job = job_for(tmp_path, engine)
    with pytest.raises(export.ExportFailed, match=r"game\.pck \(missing\)"):
        export.run_export(job, tmp_path / "out")
    folder = tmp_path / "cached"
    folder.mkdir()
    (folder / "game.x86_64").write_text("game")
    (folder / "game.pck").write_text("")
    assert export.missing_files(job, folder) == ["game.pck (empty)"] and not export.ready(job, folder)
    (folder / "game.pck").write_text("pck")
    assert export.ready(job, folder)
    job.preset.options["binary_format/embed_pck"] = True
    assert export.expected_files(job) == ["game.x86_64"]


def test_smoke_test_fails_on_a_script_error_and_can_be_turned_off(tmp_path):
    engine = fake_godot(tmp_path, 'case "$*" in *--main-pack*) echo "SCRIPT ERROR: _ready: Invalid call."; exit 0;; esac; '
                                  'echo game > "$6"; echo pck > "${6%.*}.pck"')
    job = job_for(tmp_path, engine, smoke_test=True)
    with pytest.raises(export.ExportFailed) as err:
        export.run_export(job, tmp_path / "out")
    assert "SCRIPT ERROR: _ready: Invalid call." in str(err.value) and "linux-smoke.log" in str(err.value)
    job.smoke_test = False
    assert [f.name for f in export.run_export(job, tmp_path / "out")] == ["game.pck", "game.x86_64"]


def test_a_killed_export_is_finished_by_the_next_run(tmp_path):
    job = job_for(tmp_path, G3)
    before = (job.project_dir / "project.godot").read_bytes()
    export._save_protected(job)  # what run_export does before Godot starts ...
    (job.project_dir / "project.godot").write_bytes(before + b"_global_script_classes=[  ]\n")  # ... Godot rewrites, then a kill
    again = export.snapshot_protected(job.project_dir)  # the next run
    assert again["project.godot"] == before and (job.project_dir / "project.godot").read_bytes() == before
    assert not (job.project_dir / ".gameops" / "godot-protected" / "project.godot").exists()


def test_an_editor_that_imported_and_hangs_is_stopped_by_the_complete_cache(tmp_path):
    """Godot 3's `--editor --quit` sometimes imports everything and never quits: the cache decides."""
    hang = FAKE_IMPORT.replace("exit 0;;", "sleep 600;;")
    engine = fake_godot(tmp_path, hang + 'echo game > "$6"; echo pck > "${6%.*}.pck"')
    job = project_with_icon(tmp_path, engine)
    job.import_timeout_s = 45  # without the cache check this would be a timeout failure
    files = export.run_export(job, tmp_path / "out")
    assert [f.name for f in files] == ["game.pck", "game.x86_64"]
    assert export.stale_imports(engine, job.project_dir) == []
