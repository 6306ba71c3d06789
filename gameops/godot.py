"""Godot project files: ``project.godot`` and ``export_presets.cfg`` (Godot 3 and 4).

Both are Godot ``ConfigFile`` text: ``[section]`` headers, ``key=value`` lines, ``;`` comments,
values in Godot's variant syntax. Quoted strings may span lines (``\\"`` escapes), and so may
constructor calls, arrays and dictionaries. This module reads them without Godot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameops.errors import BadInput
from gameops.fileops import read_input_text

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]\s*$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "b": "\b", "f": "\f"}


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and i + 5 < len(body) + 1:
                try:
                    out.append(chr(int(body[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _strings_in(raw: str) -> list[str]:
    return [_unescape(m.group(1)) for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', raw, re.S)]


def parse_value(raw: str) -> Any:
    """Turn a variant literal into Python where that is unambiguous; else return the text."""
    text = raw.strip()
    if text.startswith(('&"', '^"')):
        text = text[1:]
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and len(_strings_in(text)) == 1 and _strings_in(text)[0] == _unescape(text[1:-1]):
        return _unescape(text[1:-1])
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if _NUMBER.match(text):
        return float(text) if any(ch in text for ch in ".eE") else int(text)
    if re.match(r"^(PackedStringArray|PoolStringArray)\(", text):
        return _strings_in(text)
    return text


def _value_complete(text: str) -> bool:
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return not in_string and depth <= 0


def parse_config(text: str, source: str = "file") -> dict[str, dict[str, Any]]:
    """Parse ConfigFile text into ``{section: {key: value}}``; keys before any header go to ``""``."""
    sections: dict[str, dict[str, Any]] = {"": {}}
    current = sections[""]
    lines = text.lstrip("\ufeff").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        i += 1
        if not stripped or stripped.startswith(";") or stripped.startswith("#"):
            continue
        m = _SECTION.match(stripped)
        if m:
            current = sections.setdefault(m.group("name"), {})
            continue
        if "=" not in stripped:
            raise BadInput(f"{source}:{i}: expected key=value or [section], got {stripped[:60]!r}")
        key, value = stripped.split("=", 1)
        start = i
        while not _value_complete(value):
            if i >= len(lines):
                raise BadInput(f"{source}:{start}: value of {key.strip()!r} is not closed (unterminated string or bracket)")
            value += "\n" + lines[i]
            i += 1
        current[key.strip().strip('"')] = parse_value(value)
    return sections


@dataclass
class ExportPreset:
    index: int
    name: str
    platform: str
    export_path: str
    runnable: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def read_export_presets(path: Path) -> list[ExportPreset]:
    """All presets in an ``export_presets.cfg``, in file order (Godot 3 and 4 formats)."""
    sections = parse_config(read_input_text(path), str(path))
    presets: list[ExportPreset] = []
    for name, values in sections.items():
        m = re.fullmatch(r"preset\.(\d+)", name)
        if not m:
            continue
        idx = int(m.group(1))
        if "name" not in values or "platform" not in values:
            raise BadInput(f"{path}: [{name}] has no name= or platform=")
        presets.append(
            ExportPreset(
                index=idx,
                name=str(values["name"]),
                platform=str(values["platform"]),
                export_path=str(values.get("export_path") or ""),
                runnable=bool(values.get("runnable", False)),
                options=sections.get(f"{name}.options", {}),
                raw=values,
            )
        )
    presets.sort(key=lambda p: p.index)
    return presets


_PLATFORM_KEYS = {
    "linux/x11": "linux",
    "linux": "linux",
    "windows desktop": "windows",
    "mac osx": "macos",
    "macos": "macos",
    "html5": "web",
    "web": "web",
    "android": "android",
    "ios": "ios",
    "uwp": "uwp",
}


def default_presets(presets: list[ExportPreset]) -> dict[str, ExportPreset]:
    """platform key -> the first preset for that platform (what gameops assumes without godot.presets)."""
    out: dict[str, ExportPreset] = {}
    for p in presets:
        out.setdefault(platform_key(p.platform, p.name), p)
    return out


def platform_key(platform: str, preset_name: str = "") -> str:
    """A short platform name (linux, windows, macos, web, ...) for a preset's ``platform=``."""
    key = _PLATFORM_KEYS.get(platform.strip().lower())
    if key:
        return key
    return re.sub(r"[^a-z0-9]+", "-", (platform or preset_name).lower()).strip("-") or "unknown"


@dataclass
class GodotProject:
    path: Path
    name: str
    config_version: int
    main_scene: str | None
    features: list[str]
    uses_csharp: bool

    @property
    def engine_major(self) -> int:
        """Godot 4 writes config_version=5; Godot 3 writes 4."""
        return 4 if self.config_version >= 5 else 3


def read_project(project_dir: Path) -> GodotProject:
    path = project_dir / "project.godot"
    text = read_input_text(path, missing="no project.godot (set godot.project_dir)")
    sections = parse_config(text, str(path))
    app = sections.get("application", {})
    features = app.get("config/features", [])
    if not isinstance(features, list):
        features = _strings_in(str(features))
    cv = sections[""].get("config_version", 0)
    dotnet = sections.get("dotnet", {})
    uses_csharp = bool(dotnet) or "C#" in features or any(project_dir.glob("*.csproj"))
    return GodotProject(
        path=path,
        name=str(app.get("config/name", "") or project_dir.name),
        config_version=int(cv) if isinstance(cv, int) else 0,
        main_scene=app.get("run/main_scene"),
        features=[str(f) for f in features],
        uses_csharp=uses_csharp,
    )
