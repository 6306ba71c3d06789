"""``gameops setup``: everything a new developer needs, in order, each step idempotent.

Steps: prerequisites (git, Python, the .NET SDK when the project has C#, Godot and its export
templates when it is a Godot project, with versions and install hints for Linux, macOS and
Windows), Python dependencies, the git hooks, the Godot import of the project, the first build
and the quick tests (C# projects), then the next steps.

Running it again changes nothing: hooks that are installed stay as they are, and the Godot
import, the build and the quick tests are skipped while their inputs are unchanged since the
last successful run. Those fingerprints live in ``$GAMEOPS_HOME/setup/`` (never in the game
repository); a step that is skipped says so, and the summary says "nothing to do".

Statuses: ``ok`` already fine, nothing done; ``done`` changed something; ``warn`` works but
needs attention; ``skipped`` not applicable; ``failed`` blocks (exit 1).
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gameops import checks, tools
from gameops.config import Loaded
from gameops.errors import BadInput
from gameops.fileops import OUTPUT_DIRS, atomic_write_bytes, atomic_write_text, read_input_bytes, source_files

STATUSES = ("ok", "done", "warn", "skipped", "failed")
CSHARP_SUFFIXES = (".cs", ".csproj", ".sln", ".slnx", ".props", ".targets")


@dataclass
class Step:
    name: str
    status: str
    detail: str
    hint: str = ""
    hints: dict[str, str] = field(default_factory=dict)  # install hint per OS (linux, macos, windows)
    version: str | None = None
    remember: dict[str, str] = field(default_factory=dict)  # fingerprints to store after a successful run

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("remember")
        return d

    @property
    def changed(self) -> bool:
        return self.status == "done"


def all_hints(tool: str) -> dict[str, str]:
    return dict(tools.INSTALL_HINTS.get(tool, {}))


# ---------------------------------------------------------------------------
# Remembered state ($GAMEOPS_HOME/setup/<project>.json)


def state_path(root: Path) -> Path:
    from gameops.server import home

    digest = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return home() / "setup" / f"{Path(root).name}-{digest}.json"


def read_state(root: Path) -> dict:
    try:
        data = json.loads(state_path(root).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_state(root: Path, state: dict) -> bool:
    """Write the state when it changed; a run that changes nothing writes nothing."""
    doc = {"project": str(Path(root).resolve()), **{k: v for k, v in sorted(state.items()) if k != "project"}}
    return atomic_write_text(state_path(root), json.dumps(doc, indent=2, sort_keys=True) + "\n")


def fingerprint(folder: Path, suffixes: tuple[str, ...] | None = None, extra: str = "", skip: set[str] | None = None) -> str:
    """A digest of the files under ``folder`` (path, size, mtime), hidden and output folders left out."""
    h = hashlib.sha256(extra.encode())
    for p in source_files(folder, suffixes or (), OUTPUT_DIRS | (skip or set())):
        try:
            st = p.stat()
        except OSError:
            continue
        h.update(f"{p.relative_to(folder).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------
# Prerequisites




def _tool_step(name: str, tool: tools.Tool, minimum: str | None, hint_key: str) -> Step:
    hints = all_hints(hint_key)
    if not tool.found:
        return Step(name, "failed", f"not found ({tool.error or 'not on PATH'})", tools.install_hint(hint_key), hints)
    if tool.version is None:
        return Step(name, "failed", f"{tool.path}: could not read its version ({tool.error})", tools.install_hint(hint_key), hints)
    if minimum and not tools.at_least(tool.version, minimum):
        return Step(name, "failed", f"{tool.version} at {tool.path}; {minimum} or newer is needed", tools.install_hint(hint_key),
                    hints, tool.version)
    return Step(name, "ok", f"{tool.version} ({tool.path})", version=tool.version)


def godot_engine(loaded: Loaded):
    """(Engine, Tool) of the configured Godot, or (None, Tool) when there is none."""
    from gameops.export import Engine

    tool = tools.find_godot(loaded.config.godot.binary, loaded.root)
    if tool.found and tool.path and tool.version:
        return Engine(tool.path, tool.version), tool
    return None, tool


def prerequisites(loaded: Loaded) -> list[Step]:
    cfg = loaded.config
    steps = [_tool_step("git", tools.find_git(), cfg.tools.git_min, "git")]
    py = platform.python_version()
    if tools.at_least(py, cfg.tools.python_min):
        steps.append(Step("python", "ok", f"{py} ({sys.executable})", version=py))
    else:
        steps.append(Step("python", "failed", f"{py} ({sys.executable}); {cfg.tools.python_min} or newer is needed",
                          tools.install_hint("python"), all_hints("python"), py))
    if loaded.uses_csharp:
        steps.append(_tool_step(".NET SDK", tools.find_dotnet(), cfg.dotnet.min_version, "dotnet"))
    else:
        steps.append(Step(".NET SDK", "skipped", "the project has no .sln: no C# to build"))
    if not loaded.uses_godot:
        steps.append(Step("godot", "skipped", "no project.godot: not a Godot project"))
        return steps
    engine, tool = godot_engine(loaded)
    step = _tool_step("godot", tool, None, "godot")
    if step.status == "ok":
        step.detail += f", from {tool.source}"
        misfit = checks.godot_misfit(loaded, tool)
        if misfit:
            step = Step("godot", "failed", misfit, "set godot.binary in gameops.yaml or GODOT_BIN to the Godot the project needs",
                        all_hints("godot"), tool.version)
    steps.append(step)
    if engine is not None and step.status == "ok":
        steps.append(export_templates(loaded, engine))
    return steps


def engine_mismatch(loaded: Loaded, engine) -> str | None:
    """Why this Godot cannot open the project (a Godot 3 editor for a Godot 4.4 project, no .NET
    build for a C# project, ...), or None (gameops.checks.godot_misfit: one rule for check, setup, release)."""
    return checks.godot_misfit(loaded, tools.Tool("godot", engine.binary, engine.version))


def export_templates(loaded: Loaded, engine) -> Step:
    """The templates the configured presets need: custom template files, or the installed templates."""
    from gameops.export import needs_templates, presets_by_platform, templates_dir

    debug = loaded.config.godot.export_debug
    try:
        presets = presets_by_platform(loaded.godot_dir, loaded.config.godot.presets)
    except BadInput as exc:
        return Step("export templates", "warn", f"cannot read the export presets: {exc}",
                    "add export presets in the Godot editor (Project > Export) and commit export_presets.cfg")
    if not presets:
        return Step("export templates", "skipped", "no export presets")
    missing: list[str] = []
    found: list[str] = []
    key = "custom_template/debug" if debug else "custom_template/release"
    for platform_name, preset in sorted(presets.items()):
        if needs_templates(preset, debug):
            folder = templates_dir(engine)
            (found if folder.is_dir() else missing).append(f"{platform_name}: {folder}")
        else:
            custom = Path(str(preset.options.get(key))).expanduser()
            (found if custom.is_file() else missing).append(f"{platform_name}: custom template {custom}")
    if missing:
        where = templates_dir(engine)
        return Step("export templates", "warn", "missing for " + "; ".join(missing),
                    f"Godot editor > Editor > Manage Export Templates > Download and Install (Godot {engine.template_version}), "
                    f"or unzip the export templates .tpz into {where}",
                    {os_name: "Godot editor > Editor > Manage Export Templates, or unzip the .tpz into the folder named above"
                     for os_name in ("linux", "macos", "windows")})
    return Step("export templates", "ok", "; ".join(found))


# ---------------------------------------------------------------------------
# Python dependencies


def _unmet(requirements: list[str]) -> list[str]:
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement

    unmet = []
    for text in requirements:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            unmet.append(f"{req} (not installed)")
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            unmet.append(f"{req} (have {have})")
    return unmet


def read_requirements(path: Path) -> tuple[list[str], list[str]]:
    """(requirement lines, lines we cannot check such as -r/-e/URLs) of a requirements.txt."""
    reqs, other = [], []
    for raw in read_input_bytes(path).decode("utf-8-sig", errors="replace").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        (other if line.startswith("-") or "://" in line else reqs).append(line)
    return reqs, other


def python_dependencies(loaded: Loaded, dry_run: bool = False) -> Step:
    from importlib import metadata

    try:
        own = metadata.requires("gameops") or []
    except metadata.PackageNotFoundError:
        own = []
    unmet_own = _unmet(own)
    if unmet_own:
        return Step("python dependencies", "failed", "gameops needs: " + "; ".join(unmet_own),
                    f'"{sys.executable}" -m pip install --upgrade gameops (or pip install -e . in a gameops checkout)')
    req_file = loaded.root / "requirements.txt"
    if not req_file.is_file():
        return Step("python dependencies", "ok", f"gameops' {len(own)} requirements are installed")
    reqs, other = read_requirements(req_file)
    unmet = _unmet(reqs)
    if not unmet and not other:
        return Step("python dependencies", "ok", f"gameops' requirements and requirements.txt ({len(reqs)}) are installed")
    if not unmet:
        return Step("python dependencies", "warn", f"requirements.txt: {len(reqs)} installed; cannot check: {', '.join(other)}",
                    f'"{sys.executable}" -m pip install -r requirements.txt')
    if dry_run:
        return Step("python dependencies", "warn", "would install from requirements.txt: " + "; ".join(unmet))
    from gameops import process

    result = process.run([sys.executable, "-m", "pip", "install", "-r", str(req_file)], cwd=loaded.root, timeout_s=1800)
    if not result.ok:
        tail = " | ".join(result.lines[-3:])
        return Step("python dependencies", "failed", f"pip install -r requirements.txt failed (exit {result.returncode}): {tail}",
                    "check the network and the package names in requirements.txt")
    return Step("python dependencies", "done", "installed from requirements.txt: " + "; ".join(unmet))


# ---------------------------------------------------------------------------
# Hooks


def hooks(loaded: Loaded, dry_run: bool = False) -> Step:
    from gameops import git as gitmod
    from gameops.hooks.install import install

    if not gitmod.is_repo(loaded.root):
        return Step("git hooks", "warn", f"{loaded.root} is not a git repository: no hooks installed", "git init (or clone the repository)")
    report = install(loaded.root, loaded.config.git.hooks, project=loaded.root, dry_run=dry_run)
    names = ", ".join(h.name for h in report.hooks if h.action in ("installed", "updated"))
    saved = [h.name for h in report.hooks if h.backup]
    if not report.changed:
        return Step("git hooks", "ok", f"already installed in {report.hooks_dir}")
    detail = f"{'would install' if dry_run else 'installed'} {names} in {report.hooks_dir} ({report.manager})"
    if saved:
        detail += f"; previous {', '.join(saved)} saved (gameops hooks uninstall restores them)"
    return Step("git hooks", "warn" if dry_run else "done", detail)


# ---------------------------------------------------------------------------
# Godot import


def import_command(engine, project_dir: Path) -> list[str]:
    """Godot 4.3+: ``--import``; 4.0-4.2 and Godot 3: ``--editor --quit`` (gameops.export owns the rule)."""
    from gameops.export import import_command as godot_import_command

    return godot_import_command(engine, project_dir)


def import_folder(engine, project_dir: Path) -> Path:
    return project_dir / (".godot" if engine.major >= 4 else ".import")


def godot_import(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    if not loaded.uses_godot:
        return Step("godot import", "skipped", "not a Godot project")
    engine, tool = godot_engine(loaded)
    if engine is None:
        return Step("godot import", "skipped", "no Godot (see prerequisites)")
    if engine_mismatch(loaded, engine):
        return Step("godot import", "skipped", engine_mismatch(loaded, engine) or "")
    project_dir = loaded.godot_dir
    folder = import_folder(engine, project_dir)
    before = fingerprint(project_dir, extra=f"{engine.version}\n{tool.path}")
    if folder.is_dir() and state.get("godot_import") == before:
        return Step("godot import", "ok", f"up to date ({folder.name}/ from an earlier import; no project file changed since)")
    if dry_run:
        return Step("godot import", "warn", "would run: " + " ".join(import_command(engine, project_dir)))
    from gameops import process
    from gameops.export import snapshot_protected, stale_imports

    protect = snapshot_protected(project_dir)  # the editor may rewrite project.godot; keep the committed bytes
    # Judged by the import cache (gameops.export.stale_imports), as the release judges it; an editor
    # that imported everything but does not quit is stopped.
    result = process.run(import_command(engine, project_dir), cwd=project_dir, timeout_s=loaded.config.godot.import_timeout_s,
                         secrets=loaded.secrets(), done=lambda: folder.is_dir() and not stale_imports(engine, project_dir))
    for name, data in protect.items():
        atomic_write_bytes(project_dir / name, data)
    stale = stale_imports(engine, project_dir)
    if result.timed_out and (stale or not folder.is_dir()):
        return Step("godot import", "failed", f"Godot did not finish in {result.duration_s:.0f} s and was killed",
                    "open the project once in the Godot editor, then run gameops setup again")
    if not folder.is_dir() or stale:
        tail = " | ".join(result.lines[-3:])
        what = f"left {len(stale)} asset(s) not imported, first {stale[0]}" if stale else f"wrote no {folder.name}/"
        return Step("godot import", "failed", f"Godot exited {result.returncode} and {what}: {tail}",
                    "open the project once in the Godot editor, then run gameops setup again")
    note = "" if engine.major >= 4 else " (Godot 3 has no --import: the editor opened headless and quit)"
    return Step("godot import", "done", f"imported in {result.duration_s:.1f} s into {folder.name}/{note}",
                remember={"godot_import": fingerprint(project_dir, extra=f"{engine.version}\n{tool.path}")})


# ---------------------------------------------------------------------------
# First build and quick tests (C# projects)


def _csharp_fingerprint(loaded: Loaded, dotnet_version: str) -> str:
    results = Path(loaded.config.dotnet.results_dir).parts[:1]
    return fingerprint(loaded.root, CSHARP_SUFFIXES, extra=f"{dotnet_version}\n{loaded.config.dotnet.configuration}",
                       skip=set(results))


def _dotnet_ready(loaded: Loaded) -> tuple[Step | None, str]:
    if not loaded.uses_csharp:
        return Step("", "skipped", "no C# in this project"), ""
    tool = tools.find_dotnet()
    if not tool.found or not tool.version:
        return Step("", "skipped", "no .NET SDK (see prerequisites)"), ""
    return None, tool.version


def first_build(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    skip, version = _dotnet_ready(loaded)
    if skip:
        skip.name = "first build"
        return skip
    key = _csharp_fingerprint(loaded, version)
    if state.get("build") == key:
        return Step("first build", "ok", "up to date: built before and no C# file changed since")
    if dry_run:
        return Step("first build", "warn", f"would build {loaded.config.dotnet.solution}")
    from gameops import dotnet

    result = dotnet.build(loaded)
    if not result.ok:
        first = "; ".join(str(e) for e in result.errors[:3]) or " | ".join(result.tail[-3:])
        return Step("first build", "failed", f"{result.summary_line()}: {first}", "fix the build, then run gameops setup again")
    return Step("first build", "done", result.summary_line(), remember={"build": key})  # build output is not hashed


def quick_tests(loaded: Loaded, state: dict, dry_run: bool = False) -> Step:
    skip, version = _dotnet_ready(loaded)
    if skip:
        skip.name = "quick tests"
        return skip
    key = _csharp_fingerprint(loaded, version)
    if state.get("build") != key:
        return Step("quick tests", "skipped", "the build did not succeed")
    if state.get("tests") == key:
        return Step("quick tests", "ok", "up to date: passed before and no C# file changed since")
    from gameops import dotnet

    categories = dotnet.categories_to_run(loaded, quick_only=True)
    names = ", ".join(c.name for c in categories)
    if dry_run:
        return Step("quick tests", "warn", f"would run {names}")
    passed = total = 0
    for category in categories:
        run = dotnet.run_tests(loaded, category, no_build=True)
        s = run.summary
        passed, total = passed + s.passed, total + s.total
        if not run.ok:
            why = "; ".join(s.run_errors[:2]) if s.run_errors else f"{s.failed} failed of {s.total}"
            return Step("quick tests", "failed", f"{category.name}: {why}", "gameops test --category " + category.name)
    return Step("quick tests", "done", f"{names}: {passed} of {total} passed", remember={"tests": key})


# ---------------------------------------------------------------------------
# Summary


def next_steps(loaded: Loaded, steps: list[Step]) -> list[str]:
    out: list[str] = []
    failed = [s.name for s in steps if s.status == "failed"]
    if failed:
        out.append(f"fix {', '.join(failed)} (hints above), then run `gameops setup` again")
    prefixes = loaded.config.git.branch_prefixes or ["feat"]
    out.append(f"start your work on a branch: git switch -c {prefixes[0]}/VS_001-short-description")
    out.append("commit messages: type(WORK_ITEM): description, e.g. feat(VS_001): snap blocks to the grid")
    out.append("gameops check          tools, files and the Godot project, any time")
    if loaded.uses_csharp:
        out.append("gameops test           tests by category (--watch re-runs the quick ones on save)")
    out.append("gameops server start   the Prefect UI, where every gameops run is recorded")
    return out


def summary(steps: list[Step], loaded: Loaded, dry_run: bool = False) -> dict:
    changed = any(s.changed for s in steps)
    ok = not any(s.status == "failed" for s in steps)
    if not ok:
        message = f"{sum(s.status == 'failed' for s in steps)} step(s) failed"
    elif dry_run:
        message = "dry run: nothing was changed"
    elif changed:
        message = f"set up: {sum(s.changed for s in steps)} step(s) made changes"
    else:
        message = "nothing to do: everything was already set up"
    return {"ok": ok, "changed": changed, "message": message, "project": str(loaded.root),
            "steps": [s.as_dict() for s in steps], "next_steps": next_steps(loaded, steps)}
