"""Godot export of one preset: command lines per engine version, success detection, templates.

Facts this module treats as facts (see docs/release.md):
- Godot 3 exports with ``--export`` / ``--export-debug`` / ``--export-pack``; Godot 4 with
  ``--headless --export-release`` / ``--export-debug`` / ``--export-pack``.
- Godot 4 imports first: ``--import`` from 4.3; before 4.3 ``--editor --quit``, whose exit code
  means nothing (it often fails although the import worked), so it is ignored.
- Godot often exits 0 when the export failed. Success = the output file exists, is not empty,
  and the log has no ``ERROR:`` line other than known harmless ones (Godot 3.2 prints
  ``ERROR: get_language_code: Invalid locale 'C'`` on every start).
- A hung Godot is killed with its whole process tree after the timeout (gameops.process).
- Missing export templates give a message naming the folder Godot looks in.
- Only crashes (signals, Godot's crash handler) are worth one retry; an export error is not.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gameops import godot as godot_files
from gameops import process
from gameops.errors import BadInput, JobFailed
from gameops.fileops import atomic_write_bytes
from gameops.tools import parse_version

# Default output names for presets whose export_path is empty, per platform key.
_DEFAULT_EXT = {"linux": ".x86_64", "windows": ".exe", "macos": ".zip", "web": ".html", "android": ".apk", "ios": ".ipa"}

_TEMPLATE_MISSING = re.compile(
    r"(No export template found|export template not found|Export templates? (?:for this platform )?(?:is|are) missing"
    r"|template file not found|Cannot find export template)",
    re.I,
)
_CRASH = re.compile(r"(Program crashed with signal|handle_crash|Segmentation fault|Dumping the backtrace|core dumped|Aborted \(core)", re.I)
_ERROR = re.compile(r"^\s*(?:SCRIPT )?ERROR:")


class ExportFailed(JobFailed):
    """The export ran and did not produce a good output."""


class ExportCrashed(ExportFailed):
    """Godot crashed (signal or crash handler): the one failure worth a retry."""


@dataclass(frozen=True)
class Engine:
    """The Godot editor binary and its version."""

    binary: str
    version: str  # as printed by --version, e.g. 3.2.3.stable.custom_build or 4.3.stable.mono.official.77dcf97d8

    @property
    def numbers(self) -> tuple[int, ...]:
        return parse_version(self.version) or (0,)

    @property
    def major(self) -> int:
        return self.numbers[0]

    @property
    def minor(self) -> int:
        return self.numbers[1] if len(self.numbers) > 1 else 0

    @property
    def template_version(self) -> str:
        """The export-templates folder name: ``4.3.stable``, ``4.4.1.stable.mono``, ``3.2.3.stable``."""
        m = re.search(r"(\d+(?:\.\d+)+\.[A-Za-z]\w*(?:\.mono)?)", self.version)
        return m.group(1) if m else self.version.strip()


def data_dir() -> Path:
    """Godot's user data folder for the editor (where export templates live)."""
    if sys.platform.startswith("win"):
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "Godot"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Godot"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "godot"


def templates_dir(engine: Engine) -> Path:
    """Where Godot looks for export templates: ``templates/`` in Godot 3, ``export_templates/`` in 4."""
    folder = "export_templates" if engine.major >= 4 else "templates"
    return data_dir() / folder / engine.template_version


# ---------------------------------------------------------------------------
# Command lines


def import_command(engine: Engine, project_dir: Path) -> list[str] | None:
    """The import step before a Godot 4 export; None for Godot 3 (it imports while exporting)."""
    if engine.major < 4:
        return None
    if (engine.major, engine.minor) >= (4, 3):
        return [engine.binary, "--headless", "--path", str(project_dir), "--import"]
    return [engine.binary, "--headless", "--path", str(project_dir), "--editor", "--quit"]


def export_command(engine: Engine, project_dir: Path, preset: str, output: Path, *, debug: bool = False,
                   pack: bool = False) -> list[str]:
    """The export command line for the engine's major version."""
    if engine.major >= 4:
        flag = "--export-pack" if pack else ("--export-debug" if debug else "--export-release")
        return [engine.binary, "--headless", "--path", str(project_dir), flag, preset, str(output)]
    flag = "--export-pack" if pack else ("--export-debug" if debug else "--export")
    return [engine.binary, "--no-window", "--path", str(project_dir), flag, preset, str(output)]


# ---------------------------------------------------------------------------
# Success detection


def error_lines(lines: Sequence[str], ignore: Sequence[str] = ()) -> list[str]:
    """``ERROR:`` lines of an export log, without the harmless ones matched by ``ignore``."""
    patterns = [re.compile(p) for p in ignore]
    return [ln.strip() for ln in lines if _ERROR.match(ln) and not any(p.search(ln) for p in patterns)]


def is_crash(result: process.ProcessResult) -> bool:
    if result.timed_out:
        return False
    if result.returncode < 0 or result.returncode in (134, 136, 139, -6, -11):
        return True
    return any(_CRASH.search(ln) for ln in result.lines)


def templates_missing(lines: Sequence[str]) -> bool:
    return any(_TEMPLATE_MISSING.search(ln) for ln in lines)


@dataclass
class Outcome:
    ok: bool
    reason: str = ""
    errors: list[str] = field(default_factory=list)
    crashed: bool = False


def judge(result: process.ProcessResult, output: Path, engine: Engine, ignore: Sequence[str] = ()) -> Outcome:
    """Did the export work? Exit code, output file (exists, not empty) and ``ERROR:`` lines."""
    errors = error_lines(result.lines, ignore)
    if result.timed_out:
        return Outcome(False, f"Godot did not finish in {result.duration_s:.0f} s and was killed with its process tree", errors)
    if templates_missing(result.lines):
        return Outcome(False, f"export templates for Godot {engine.template_version} are missing: Godot looks in {templates_dir(engine)}"
                              " (install them there, or set custom_template/release in the preset)", errors)
    if is_crash(result):
        return Outcome(False, f"Godot crashed (exit {result.returncode})", errors, crashed=True)
    if result.returncode != 0:
        return Outcome(False, f"Godot exited {result.returncode}", errors)
    if not output.is_file():
        return Outcome(False, f"Godot exited 0 but wrote no {output.name}", errors)
    if output.stat().st_size == 0:
        return Outcome(False, f"Godot exited 0 but {output.name} is empty", errors)
    if errors:
        return Outcome(False, f"the export log has {len(errors)} ERROR line(s), first: {errors[0]}", errors)
    return Outcome(True)


# ---------------------------------------------------------------------------
# Presets and the export job


@dataclass
class Job:
    """One platform's export: everything the export needs, and what its cache key is made of."""

    platform: str
    preset: godot_files.ExportPreset
    engine: Engine
    project_dir: Path
    output_name: str
    debug: bool = False
    timeout_s: float = 600
    import_timeout_s: float = 600
    ignore_errors: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    # Files Godot rewrites while exporting (Godot 3 adds _global_script_classes to project.godot):
    # their bytes before the export, restored afterwards so the repository stays as committed.
    protect: dict[str, bytes] = field(default_factory=dict)


def output_name(preset: godot_files.ExportPreset, platform: str, project: str) -> str:
    """The file the export writes: the preset's export_path basename, else ``<project><ext>``."""
    if preset.export_path:
        name = re.split(r"[\\/]", preset.export_path)[-1]
        if name:
            return name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", project).strip("-") + _DEFAULT_EXT.get(platform, ".bin")


def presets_by_platform(project_dir: Path, mapping: dict[str, str]) -> dict[str, godot_files.ExportPreset]:
    """platform key -> preset, from ``godot.presets`` (platform -> preset name) and export_presets.cfg."""
    path = project_dir / "export_presets.cfg"
    if not path.is_file():
        raise BadInput(f"{path}: no export_presets.cfg (create the presets in the Godot editor and commit the file)")
    presets = godot_files.read_export_presets(path)
    by_name = {p.name: p for p in presets}
    out: dict[str, godot_files.ExportPreset] = {}
    if mapping:
        for platform, name in mapping.items():
            if name not in by_name:
                raise BadInput(f"godot.presets.{platform}: no preset named {name!r} in {path.name} (it has: {', '.join(by_name) or 'none'})")
            out[platform] = by_name[name]
    else:
        out = godot_files.default_presets(presets)
    return out


def needs_templates(preset: godot_files.ExportPreset, debug: bool) -> bool:
    """True when the preset uses the installed templates (no custom template for this build)."""
    key = "custom_template/debug" if debug else "custom_template/release"
    return not str(preset.options.get(key) or "").strip()


def check_templates(job: Job) -> None:
    """BadInput (before anything runs) when the templates Godot will look for are not installed."""
    if needs_templates(job.preset, job.debug) and not templates_dir(job.engine).is_dir():
        raise BadInput(
            f"export templates for Godot {job.engine.template_version} are not installed: Godot looks in "
            f"{templates_dir(job.engine)} (preset {job.preset.name!r} has no custom template)"
        )


def exclude_patterns(preset: godot_files.ExportPreset) -> list[str]:
    """The preset's exclude_filter globs (``Docs/*, *.md``), as Godot matches them against res:// paths."""
    raw = str(preset.raw.get("exclude_filter") or "")
    return [p.strip().removeprefix("res://") for p in raw.split(",") if p.strip()]


def inputs_digest(job: Job, tracked: Sequence[tuple[str, str]]) -> str:
    """Cache key of an export: project files (path, blob id), the preset, the engine version, the build type."""
    h = hashlib.sha256()
    excluded = exclude_patterns(job.preset)
    for path, blob in sorted(tracked):
        if any(fnmatch.fnmatch(path, pat) for pat in excluded):
            continue  # the preset keeps it out of the export (exclude_filter)
        h.update(f"{path}\0{blob}\n".encode())
    preset = {"name": job.preset.name, "platform": job.preset.platform, "raw": job.preset.raw, "options": job.preset.options}
    h.update(json.dumps(preset, sort_keys=True, default=str).encode())
    h.update(f"\n{job.engine.version}\n{job.debug}\n{job.output_name}\n".encode())
    return h.hexdigest()


PROTECTED = ("project.godot", "export_presets.cfg")


def snapshot_protected(project_dir: Path) -> dict[str, bytes]:
    """The bytes of the project files Godot rewrites on export, to restore afterwards."""
    out = {}
    for name in PROTECTED:
        p = project_dir / name
        if p.is_file():
            out[name] = p.read_bytes()
    return out


def restore(job: Job) -> list[str]:
    """Put back the protected files Godot changed (atomic writes); returns their names."""
    changed = []
    for name, data in job.protect.items():
        if atomic_write_bytes(job.project_dir / name, data):
            changed.append(name)
    return changed


def run_export(job: Job, out_dir: Path, log_dir: Path | None = None) -> list[Path]:
    """Export ``job`` into ``out_dir`` (emptied first); returns the files written, sorted.

    Raises :class:`ExportCrashed` when Godot crashed, :class:`ExportFailed` for any other failure.
    """
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    log_dir = log_dir or out_dir.parent
    log_dir.mkdir(parents=True, exist_ok=True)
    imp = import_command(job.engine, job.project_dir)
    if imp:
        # Before 4.3, `--editor --quit` often exits non-zero although it imported: its exit code is not a verdict.
        try:
            process.run(imp, cwd=job.project_dir, timeout_s=job.import_timeout_s, secrets=job.secrets,
                        log_path=log_dir / f"{job.platform}-import.log")
        finally:
            restore(job)
    output = out_dir / job.output_name
    cmd = export_command(job.engine, job.project_dir, job.preset.name, output, debug=job.debug)
    try:
        result = process.run(cmd, cwd=job.project_dir, timeout_s=job.timeout_s, secrets=job.secrets,
                             log_path=log_dir / f"{job.platform}-export.log")
    finally:
        restore(job)
    outcome = judge(result, output, job.engine, job.ignore_errors)
    if not outcome.ok:
        cls = ExportCrashed if outcome.crashed else ExportFailed
        raise cls(f"export of {job.platform} (preset {job.preset.name!r}) failed: {outcome.reason}",
                  report={"platform": job.platform, "preset": job.preset.name, "reason": outcome.reason,
                          "errors": outcome.errors, "log": str(log_dir / f"{job.platform}-export.log")})
    return sorted(p for p in out_dir.rglob("*") if p.is_file())


def folder_for(job: Job, tracked: Sequence[tuple[str, str]], exports_dir: Path) -> Path:
    """The content-addressed folder of an export: ``<exports_dir>/<platform>-<inputs digest>``."""
    return Path(exports_dir) / f"{job.platform}-{inputs_digest(job, tracked)[:16]}"


def ready(job: Job, folder: Path) -> bool:
    """The export in ``folder`` (see :func:`folder_for`) is on disk (output present, not empty):
    a cached result is usable."""
    out = Path(folder) / job.output_name
    return out.is_file() and out.stat().st_size > 0


def export_into(job: Job, folder: Path) -> list[Path]:
    """Export ``job`` into its content-addressed ``folder``; logs go beside it. Returns the files."""
    return run_export(job, Path(folder), log_dir=Path(folder).parent / "logs")
