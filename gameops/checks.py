"""Pre-build checks: tools and versions, required files, the Godot project, the git state.

Each ``check_*`` function returns a list of :class:`Check`; ``gameops check`` runs them as
Prefect tasks and fails (exit 1) when any check is not ok.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from gameops import git as gitmod
from gameops import tools
from gameops.config import Loaded
from gameops.errors import BadInput
from gameops.godot import read_export_presets, read_project, resolve_resource


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _tool_check(tool: tools.Tool, minimum: str | None, label: str | None = None) -> Check:
    name = f"tool: {label or tool.name}"
    if not tool.found:
        return Check(name, False, f"not found ({tool.error or 'not on PATH'})", tools.install_hint(tool.name))
    if tool.version is None:
        return Check(name, False, f"{tool.path}: could not read its version ({tool.error})", tools.install_hint(tool.name))
    if minimum and not tools.at_least(tool.version, minimum):
        return Check(name, False, f"{tool.version} at {tool.path}, need {minimum} or newer", tools.install_hint(tool.name))
    return Check(name, True, f"{tool.version} ({tool.path})")




def check_tools(loaded: Loaded) -> list[Check]:
    cfg = loaded.config
    out = [_tool_check(tools.find_git(), cfg.tools.git_min)]
    py = platform.python_version()
    out.append(
        Check("tool: python", tools.at_least(py, cfg.tools.python_min), f"{py} ({sys.executable})",
              "" if tools.at_least(py, cfg.tools.python_min) else tools.install_hint("python"))
    )
    if loaded.uses_csharp:
        out.append(_tool_check(tools.find_dotnet(), cfg.dotnet.min_version, "dotnet"))
    if loaded.uses_godot:
        godot = tools.find_godot(cfg.godot.binary, loaded.root)
        check = _tool_check(godot, None, "godot")
        misfit = godot_misfit(loaded, godot) if check.ok else None
        if misfit:
            check = Check("tool: godot", False, misfit, tools.install_hint("godot"))
        elif check.ok:
            check.detail += f", from {godot.source}"
        out.append(check)
    return out


@dataclass
class GodotRequirement:
    """The Godot a project needs: version ("4.4", "3"), the .NET build or not, and who says so."""

    version: str | None
    csharp: bool
    source: str


def godot_requirement(loaded: Loaded) -> GodotRequirement:
    """godot.version from gameops.yaml when the user set it, else what project.godot says."""
    cfg = loaded.config
    try:
        project = read_project(loaded.godot_dir)
    except BadInput:
        project = None
    csharp = bool(project and project.uses_csharp)
    configured = cfg.godot.version and not loaded.sources.get("godot.version", "detected").startswith("detected")
    if configured or project is None:
        return GodotRequirement(cfg.godot.version, csharp, "godot.version in gameops.yaml" if configured else "the project")
    return GodotRequirement(project.engine_version, csharp, f"project.godot ({project.engine_version_source.removesuffix(' in project.godot')})")


def godot_misfit(loaded: Loaded, godot: tools.Tool) -> str | None:
    """One line naming the binary and the project when this Godot cannot build it, else None."""
    need = godot_requirement(loaded)
    if not need.version or not godot.found:
        return None
    return tools.godot_misfit(godot.path or "godot", godot.version, need.version, need.csharp, need.source)


def check_files(loaded: Loaded) -> list[Check]:
    cfg = loaded.config
    out: list[Check] = []
    wanted: list[tuple[str, str]] = [(p, "required_files") for p in cfg.required_files]
    if cfg.dotnet.solution:
        wanted.append((cfg.dotnet.solution, "dotnet.solution"))
        wanted.extend((p, "dotnet.test_projects") for p in cfg.dotnet.test_projects)
    for rel, key in wanted:
        path = loaded.root / rel
        if path.is_file():
            out.append(Check(f"file: {rel}", True, "present"))
        else:
            out.append(Check(f"file: {rel}", False, "missing" if not path.exists() else "not a file",
                             f"create it or fix {key} in gameops.yaml"))
    if not out:
        out.append(Check("files", True, "no required files configured"))
    return out


def check_godot_project(loaded: Loaded) -> list[Check]:
    cfg = loaded.config
    if not loaded.uses_godot:
        return [Check("godot: project", True, "no project.godot: not a Godot project, export skipped")]
    out: list[Check] = []
    try:
        proj = read_project(loaded.godot_dir)
        out.append(Check("godot: project.godot", True, f'"{proj.name}", Godot {proj.engine_version}'
                         + (", C#" if proj.uses_csharp else "")))
        if proj.main_scene:
            scene = resolve_resource(loaded.godot_dir, str(proj.main_scene))
            if scene is None:
                out.append(Check("godot: main scene", False, f"{proj.main_scene} missing"
                                 + (" (no scene's uid= header carries it)" if str(proj.main_scene).startswith("uid://") else ""),
                                 "fix application/run/main_scene in project.godot"))
            else:
                shown = "res://" + scene.relative_to(loaded.godot_dir.resolve()).as_posix()
                out.append(Check("godot: main scene", True, proj.main_scene if shown == proj.main_scene else f"{proj.main_scene} = {shown}"))
    except BadInput as exc:
        out.append(Check("godot: project.godot", False, str(exc), "open the project in the Godot editor once"))
    presets_path = loaded.godot_dir / "export_presets.cfg"
    if not presets_path.exists():
        out.append(Check("godot: export_presets.cfg", False, "missing",
                         "add export presets in the Godot editor (Project > Export) and commit export_presets.cfg"))
        return out
    try:
        presets = read_export_presets(presets_path)
    except BadInput as exc:
        out.append(Check("godot: export_presets.cfg", False, str(exc)))
        return out
    names = {p.name for p in presets}
    out.append(Check("godot: export_presets.cfg", bool(presets), f"{len(presets)} preset(s): " + ", ".join(sorted(names))
                     if presets else "no presets", "" if presets else "add export presets in the Godot editor"))
    for platform_name, preset_name in sorted(cfg.godot.presets.items()):
        if preset_name not in names:
            out.append(Check(f"godot: preset {platform_name}", False, f'no preset named "{preset_name}"',
                             "preset names are case-sensitive; fix godot.presets in gameops.yaml"))
            continue
        preset = next(p for p in presets if p.name == preset_name)
        template_key = "custom_template/debug" if cfg.godot.export_debug else "custom_template/release"
        template = str(preset.options.get(template_key) or "")
        if template and not Path(template).expanduser().is_file():
            out.append(Check(f"godot: preset {platform_name}", False, f"custom template {template} does not exist",
                             tools.install_hint("godot")))
        else:
            out.append(Check(f"godot: preset {platform_name}", True,
                             f'"{preset_name}" ({preset.platform})' + (f", template {template}" if template else "")))
    return out


def check_git(loaded: Loaded) -> list[Check]:
    st = gitmod.state(loaded.root)
    if not st.is_repo:
        return [Check("git: repository", False, f"{loaded.root} is not a git repository", "git init && git add -A && git commit")]
    out = [Check("git: repository", True, f"branch {st.branch or '(detached HEAD)'} at {(st.head or 'no commits')[:12]}")]
    dirty = st.dirty or []
    out.append(Check("git: working tree", True, "clean" if not dirty else f"{len(dirty)} uncommitted change(s)"))
    if st.shallow:
        out.append(Check("git: history", True, "shallow clone: release notes and --bump need full history (git fetch --unshallow)"))
    return out
