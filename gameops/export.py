"""Godot export of one preset: command lines per engine version, success detection, templates.

Facts this module treats as facts (see docs/release.md):
- Godot 3 exports with ``--export`` / ``--export-debug`` / ``--export-pack``; Godot 4 with
  ``--headless --export-release`` / ``--export-debug`` / ``--export-pack``.
- A fresh clone has no import cache. The import pass (``--import`` from Godot 4.3; ``--editor
  --quit`` before and in Godot 3) runs whenever the cache is missing or stale, and the cache is the
  verdict, not the exit code (``--editor --quit`` often fails although the import worked).
- Godot often exits 0 when the export failed. Success = every file the preset produces exists
  and is not empty (the ``.pck`` beside the binary too), and the log has no ``ERROR:`` line other
  than known harmless ones (Godot 3.2 prints ``ERROR: get_language_code: Invalid locale 'C'`` on
  every start). A Linux export must also start headless without a ``SCRIPT ERROR``.
- Godot rewrites project.godot while importing and exporting: the committed bytes are put back,
  and a killed run's are put back by the next one.
- A hung Godot is killed with its whole process tree after the timeout (gameops.process).
- Missing export templates give a message naming the folder Godot looks in.
- Only crashes (signals, Godot's crash handler) are worth one retry; an export error is not.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gameops import godot as godot_files
from gameops import journal, process
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


def import_command(engine: Engine, project_dir: Path) -> list[str]:
    """The import pass: ``--headless --import`` from Godot 4.3; ``--editor --quit`` before (Godot 3
    with ``--no-window``), whose exit code means nothing: the import cache is the verdict."""
    if engine.major < 4:
        return [engine.binary, "--no-window", "--path", str(project_dir), "--editor", "--quit"]
    if (engine.major, engine.minor) >= (4, 3):
        return [engine.binary, "--headless", "--path", str(project_dir), "--import"]
    return [engine.binary, "--headless", "--path", str(project_dir), "--editor", "--quit"]


# ---------------------------------------------------------------------------
# The import cache (.import/ in Godot 3, .godot/imported/ in Godot 4)

# Files Godot imports (a ``<file>.import`` sidecar beside them once imported); fonts only from Godot 4.
_IMPORTED = {".png", ".jpg", ".jpeg", ".webp", ".svg", ".bmp", ".tga", ".exr", ".hdr", ".wav", ".ogg", ".mp3",
             ".glb", ".gltf", ".obj", ".dae", ".fbx", ".blend"}
_IMPORTED_GODOT4 = {".ttf", ".otf", ".woff", ".woff2", ".fnt", ".font"}
_NOT_SCANNED = {".git", ".godot", ".import", ".gameops", ".mono", "node_modules"}
_BASE_PATH = re.compile(r"^(.*-[0-9a-f]{32})(?:\.[^/]*)?$")


def import_cache_dir(engine: Engine, project_dir: Path) -> Path:
    """Where Godot keeps imported assets: ``.import/`` (Godot 3) or ``.godot/imported/`` (Godot 4)."""
    return project_dir / (".godot/imported" if engine.major >= 4 else ".import")


def _project_files(project_dir: Path):
    """Files of the project as Godot scans them: no hidden or cache folders, no symlink out of it."""
    root = project_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(project_dir):
        dirnames[:] = sorted(d for d in dirnames if d not in _NOT_SCANNED and not d.startswith(".")
                             and not (Path(dirpath) / d).is_symlink())
        if (Path(dirpath) / ".gdignore").exists():
            dirnames[:] = []
            continue
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            yield path


def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stale_imports(engine: Engine, project_dir: Path) -> list[str]:
    """The project's assets whose import is missing or stale (``res://`` paths, sorted).

    Judged by the cache itself, as Godot does: an asset needs its ``.import`` sidecar, every file
    the sidecar's ``dest_files`` names, and the ``.md5`` beside them whose ``source_md5`` is the
    asset's current md5. Godot's exit code says nothing about this.
    """
    importable = _IMPORTED | (_IMPORTED_GODOT4 if engine.major >= 4 else set())
    root = project_dir.resolve()
    stale: list[str] = []
    files = {p for p in _project_files(project_dir)}
    for path in sorted(files):
        if path.suffix.lower() not in importable:
            continue
        res = "res://" + path.relative_to(project_dir).as_posix()
        sidecar = path.with_name(path.name + ".import")
        if sidecar not in files:
            stale.append(res)
            continue
        try:
            sections = godot_files.parse_config(sidecar.read_text(encoding="utf-8", errors="replace"), str(sidecar))
        except BadInput:
            stale.append(res)
            continue
        remap = sections.get("remap", {})
        if str(remap.get("importer", "")) in ("keep", "skip"):
            continue  # kept as is (Godot 4's "Keep File"): nothing to import
        raw_dests = sections.get("deps", {}).get("dest_files", "")
        dests = [str(d) for d in raw_dests] if isinstance(raw_dests, list) else godot_files.strings_in(str(raw_dests))
        if not dests and remap.get("path"):
            dests = [str(remap["path"])]
        targets = [(project_dir / d.removeprefix("res://")) for d in dests]
        if not targets or any(not t.resolve().is_relative_to(root) or not t.is_file() for t in targets):
            stale.append(res)
            continue
        base = _BASE_PATH.match(dests[0].removeprefix("res://"))
        md5_file = project_dir / (base.group(1) + ".md5") if base else None
        if md5_file is None or not md5_file.is_file():
            stale.append(res)
            continue
        recorded = godot_files.parse_config(md5_file.read_text(encoding="utf-8", errors="replace"), str(md5_file))[""]
        if str(recorded.get("source_md5", "")) != _md5(path):
            stale.append(res)
    return stale


def import_if_needed(job: Job, log_dir: Path) -> list[str]:
    """Run the import pass when the import cache is missing or stale; returns the assets it imported.

    ExportFailed when assets are still not imported afterwards (naming the first and the log).
    """
    stale = stale_imports(job.engine, job.project_dir)
    if not stale:
        return []
    log = log_dir / f"{job.platform}-import.log"
    try:
        # The cache is the verdict: an editor that imported everything and hangs instead of quitting
        # (Godot 3 and 4.0-4.2 `--editor --quit`) is stopped once the cache is complete.
        result = process.run(import_command(job.engine, job.project_dir), cwd=job.project_dir, timeout_s=job.import_timeout_s,
                             secrets=job.secrets, log_path=log,
                             done=lambda: not stale_imports(job.engine, job.project_dir))
    finally:
        restore(job)
    if result.timed_out:
        raise ExportFailed(f"import pass for {job.platform} did not finish in {result.duration_s:.0f} s and was killed (log: {log})",
                           report={"platform": job.platform, "reason": "import timed out", "log": str(log)})
    still = stale_imports(job.engine, job.project_dir)
    if still:
        errors = error_lines(result.lines, job.ignore_errors)
        first = f"; first ERROR: {errors[0]}" if errors else ""
        raise ExportFailed(f"import pass for {job.platform} left {len(still)} asset(s) not imported, first {still[0]}{first} (log: {log})",
                           report={"platform": job.platform, "reason": "import incomplete", "assets": still, "errors": errors,
                                   "log": str(log)})
    return stale


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
    first = f", first ERROR: {errors[0]}" if errors else ""
    if is_crash(result):
        return Outcome(False, f"Godot crashed (exit {result.returncode}){first}", errors, crashed=True)
    if result.returncode != 0:
        return Outcome(False, f"Godot exited {result.returncode}{first}", errors)
    if not output.is_file():
        return Outcome(False, f"Godot exited 0 but wrote no {output.name}{first}", errors)
    if output.stat().st_size == 0:
        return Outcome(False, f"Godot exited 0 but {output.name} is empty{first}", errors)
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
    # Files Godot rewrites while importing and exporting (Godot 3 adds _global_script_classes to
    # project.godot): their bytes before, restored afterwards so the repository stays as committed.
    protect: dict[str, bytes] = field(default_factory=dict)
    smoke_test: bool = True  # start a Linux export headless before it is packaged
    smoke_timeout_s: float = 60


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
    h.update(f"\n{job.engine.version}\n{job.debug}\n{job.output_name}\nsmoke={job.smoke_test}\n".encode())
    return h.hexdigest()


PROTECTED = ("project.godot", "export_presets.cfg")


def _saved_dir(project_dir: Path) -> Path:
    """Where the committed bytes wait while Godot runs: ``.gameops/godot-protected/`` (never committed)."""
    return journal.state_dir(project_dir) / "godot-protected"


def finish_interrupted(project_dir: Path) -> list[str]:
    """Put back the bytes a killed import or export left saved (see :func:`restore`); returns their names.

    A run killed while Godot had rewritten ``project.godot`` leaves the committed bytes in
    ``.gameops/godot-protected/``; the next run restores them before anything else, so the tree is
    clean again and the rerun is not refused.
    """
    saved = _saved_dir(project_dir)
    put_back = []
    for name in PROTECTED:
        copy = saved / name
        if copy.is_file():
            if atomic_write_bytes(project_dir / name, copy.read_bytes()):
                put_back.append(name)
            copy.unlink()
    return put_back


def snapshot_protected(project_dir: Path) -> dict[str, bytes]:
    """The bytes of the project files Godot rewrites on import and export, to restore afterwards
    (an interrupted run's saved bytes are put back first)."""
    finish_interrupted(project_dir)
    out = {}
    for name in PROTECTED:
        p = project_dir / name
        if p.is_file():
            out[name] = p.read_bytes()
    return out


def _save_protected(job: Job) -> None:
    """Keep the committed bytes on disk while Godot runs, for :func:`finish_interrupted` after a kill."""
    if not job.protect:
        return
    journal.ensure_state_dir(job.project_dir)
    saved = _saved_dir(job.project_dir)
    saved.mkdir(exist_ok=True)
    for name, data in job.protect.items():
        atomic_write_bytes(saved / name, data)


def restore(job: Job) -> list[str]:
    """Put back the protected files Godot changed (atomic writes); returns their names."""
    changed = []
    for name, data in job.protect.items():
        if atomic_write_bytes(job.project_dir / name, data):
            changed.append(name)
    return changed


GODOT_QUEUE = 4  # how many other Godot runs' import and export time an export waits for at most


@contextlib.contextmanager
def one_godot_at_a_time(project_dir: Path, timeout_s: float):
    """Held while Godot works on this project folder: a kernel lock on the folder itself.

    Two Godot processes on one folder (parallel platform exports, or two workers sharing a
    checkout) both rewrite ``project.godot`` and the import cache through temporary files and
    renames, and one of them fails ("close: Condition rename_error != 0"); they also would share
    the one saved copy of the committed ``project.godot``. So Godot runs on a folder one at a time:
    a second export waits (up to ``GODOT_QUEUE`` runs' import and export timeouts), it never fails
    for the first. The kernel frees the lock when a holder dies. On POSIX the lock is ``flock`` on
    the project folder (nothing is written: a dry run leaves no trace); on Windows it is a lock
    file, ``.gameops/godot.lock``, left in place (``.gameops/`` ignores itself; deleting a lock
    file others may wait on would let two in).
    """
    busy = f"{project_dir}: another Godot run kept this project busy for {timeout_s:g} s"
    if os.name != "posix":  # pragma: no cover - Windows
        from filelock import FileLock, Timeout

        journal.ensure_state_dir(project_dir)
        lock = FileLock(str(journal.state_dir(project_dir) / "godot.lock"), timeout=timeout_s,
                        is_singleton=False, thread_local=False)
        try:
            lock.acquire(poll_interval=0.2)
        except Timeout:
            raise ExportFailed(busy) from None
        try:
            yield
        finally:
            lock.release()
        return
    import fcntl

    fd = os.open(project_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ExportFailed(busy) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing the only descriptor frees the lock


@contextlib.contextmanager
def godot_may_rewrite(job: Job):
    """Around a Godot run: one Godot at a time on the project folder (:func:`one_godot_at_a_time`);
    the committed bytes are saved first and put back afterwards, even when Godot fails; a kill in
    between is finished by the next run (:func:`finish_interrupted`)."""
    # Each holder is bounded by its own import and export timeouts; the bound leaves room for a
    # queue of sibling platforms of one release (they all wait on the first), not for a hang.
    with one_godot_at_a_time(job.project_dir, GODOT_QUEUE * (job.import_timeout_s + job.timeout_s)):
        state = journal.state_dir(job.project_dir)
        created = not state.exists()
        finish_interrupted(job.project_dir)
        _save_protected(job)
        try:
            yield
        finally:
            restore(job)
            finish_interrupted(job.project_dir)
            saved = _saved_dir(job.project_dir)
            if saved.is_dir() and not any(saved.iterdir()):
                saved.rmdir()
            if created and state.is_dir() and [p.name for p in state.iterdir()] == [".gitignore"]:
                shutil.rmtree(state, ignore_errors=True)  # leave no trace where there was none


# ---------------------------------------------------------------------------
# Completeness: what a preset produces


def expected_files(job: Job) -> list[str]:
    """Every file the preset writes into the export folder: the output, plus the ``.pck`` beside a
    desktop binary when the pack is not embedded, plus the web export's ``.js``/``.wasm``/``.pck``."""
    name = job.output_name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    files = [name]
    embedded = bool(job.preset.options.get("binary_format/embed_pck", False))
    if job.platform in ("linux", "windows") and not embedded and not name.lower().endswith((".pck", ".zip")):
        files.append(stem + ".pck")
    elif job.platform == "web" and name.lower().endswith(".html"):
        files += [stem + ".js", stem + ".wasm", stem + ".pck"]
    return files


def missing_files(job: Job, folder: Path) -> list[str]:
    """The files of :func:`expected_files` that are absent or empty in ``folder``, as ``name (why)``."""
    problems = []
    for name in expected_files(job):
        path = Path(folder) / name
        if not path.is_file():
            problems.append(f"{name} (missing)")
        elif path.stat().st_size == 0:
            problems.append(f"{name} (empty)")
    return problems


def ready(job: Job, folder: Path) -> bool:
    """The export in ``folder`` (see :func:`folder_for`) is complete: every file the preset produces
    exists and is not empty. A cached export that is not ready is exported again."""
    return not missing_files(job, folder)


# ---------------------------------------------------------------------------
# Smoke test: the export starts


def smoke_command(job: Job, folder: Path) -> list[str] | None:
    """How to start a Linux export headless and quit after the first frame; None when it cannot run here."""
    if job.platform != "linux" or not sys.platform.startswith("linux"):
        return None
    binary = Path(folder) / job.output_name
    pck = Path(folder) / (job.output_name.rsplit(".", 1)[0] + ".pck")
    if job.engine.major < 4:
        pack = pck if pck.is_file() else binary
        return [job.engine.binary, "--no-window", "--main-pack", str(pack), "--quit"]
    return [str(binary), "--headless", "--quit"]


def smoke_test(job: Job, folder: Path, log_dir: Path) -> None:
    """Start the export headless; ExportFailed unless it exits 0 with no ``SCRIPT ERROR`` line."""
    cmd = smoke_command(job, folder) if job.smoke_test else None
    if cmd is None:
        return
    log = log_dir / f"{job.platform}-smoke.log"
    result = process.run(cmd, cwd=folder, timeout_s=job.smoke_timeout_s, secrets=job.secrets, log_path=log)
    script_errors = [ln.strip() for ln in result.lines if "SCRIPT ERROR" in ln]
    if result.timed_out:
        reason = f"did not quit in {result.duration_s:.0f} s (killed)"
    elif is_crash(result):
        reason = f"crashed (exit {result.returncode})"
    elif result.returncode != 0:
        reason = f"exited {result.returncode}"
    elif script_errors:
        reason = f"printed {len(script_errors)} SCRIPT ERROR line(s), first: {script_errors[0]}"
    else:
        return
    raise ExportFailed(f"smoke test of the {job.platform} export (preset {job.preset.name!r}) failed: it {reason} (log: {log}; "
                       "godot.smoke_test: false turns this test off)",
                       report={"platform": job.platform, "preset": job.preset.name, "reason": reason, "errors": script_errors,
                               "log": str(log)})


# ---------------------------------------------------------------------------
# The export


def run_export(job: Job, out_dir: Path, log_dir: Path | None = None) -> list[Path]:
    """Import when needed, export ``job`` into ``out_dir`` (emptied first), check that every file the
    preset produces is there, smoke-test a Linux export; returns the files written, sorted.

    Raises :class:`ExportCrashed` when Godot crashed, :class:`ExportFailed` for any other failure;
    the message names the first ERROR line and the log.
    """
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    log_dir = log_dir or out_dir.parent
    log_dir.mkdir(parents=True, exist_ok=True)
    with godot_may_rewrite(job):
        import_if_needed(job, log_dir)
        output = out_dir / job.output_name
        cmd = export_command(job.engine, job.project_dir, job.preset.name, output, debug=job.debug)
        log = log_dir / f"{job.platform}-export.log"
        result = process.run(cmd, cwd=job.project_dir, timeout_s=job.timeout_s, secrets=job.secrets, log_path=log)
    outcome = judge(result, output, job.engine, job.ignore_errors)
    if outcome.ok:
        missing = missing_files(job, out_dir)
        if missing:
            outcome = Outcome(False, f"Godot exited 0 but the preset's {', '.join(missing)}", outcome.errors)
    if not outcome.ok:
        cls = ExportCrashed if outcome.crashed else ExportFailed
        raise cls(f"export of {job.platform} (preset {job.preset.name!r}) failed: {outcome.reason} (log: {log})",
                  report={"platform": job.platform, "preset": job.preset.name, "reason": outcome.reason,
                          "errors": outcome.errors, "log": str(log)})
    smoke_test(job, out_dir, log_dir)
    return sorted(p for p in out_dir.rglob("*") if p.is_file())


def folder_for(job: Job, tracked: Sequence[tuple[str, str]], exports_dir: Path) -> Path:
    """The content-addressed folder of an export: ``<exports_dir>/<platform>-<inputs digest>``."""
    return Path(exports_dir) / f"{job.platform}-{inputs_digest(job, tracked)[:16]}"


def export_into(job: Job, folder: Path) -> list[Path]:
    """Export ``job`` into its content-addressed ``folder``; logs go beside it. Returns the files."""
    return run_export(job, Path(folder), log_dir=Path(folder).parent / "logs")
