"""Godot project files: ``project.godot`` and ``export_presets.cfg`` (Godot 3 and 4).

Both are Godot ``ConfigFile`` text: ``[section]`` headers, ``key=value`` lines, ``;`` comments,
values in Godot's variant syntax. Quoted strings may span lines (``\\"`` escapes), and so may
constructor calls, arrays and dictionaries. This module reads them without Godot.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameops import slugs
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


def strings_in(raw: str) -> list[str]:
    """Every quoted string of a variant literal (an array's elements), unescaped."""
    return _strings_in(raw)


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


_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # the rest of a string literal
_OPEN, _CLOSE = "([{", ")]}"


def _value_end(text: str, start: int) -> int:
    """Offset of the newline that ends the value starting at ``start`` (or the end of the text);
    -1 when a string or bracket never closes. Values may span lines inside strings and brackets.

    Works on the stretches between string literals with ``str`` methods (C speed): a hostile
    file with a long unclosed value or deep brackets stays fast.
    """
    depth, pos, n = 0, start, len(text)
    while True:
        q = text.find('"', pos)
        stop = n if q == -1 else q
        closes = sum(text.count(c, pos, stop) for c in _CLOSE)
        # line by line while the value could get back to the top level in this stretch; once it
        # cannot (more open brackets than closing ones left), the rest of the stretch at once
        while depth - closes <= 0:
            nl = text.find("\n", pos, stop)
            seg_end = stop if nl == -1 else nl
            line_closes = sum(text.count(c, pos, seg_end) for c in _CLOSE)
            depth += sum(text.count(c, pos, seg_end) for c in _OPEN) - line_closes
            closes -= line_closes
            if nl == -1:
                pos = stop
                break
            if depth <= 0:
                return nl
            pos = nl + 1
        else:
            depth += sum(text.count(c, pos, stop) for c in _OPEN) - closes
        if q == -1:
            return n if depth <= 0 else -1
        m = _STRING_REST.match(text, q + 1)
        if m is None:
            return -1
        pos = m.end()


def parse_config(text: str, source: str = "file") -> dict[str, dict[str, Any]]:
    """Parse ConfigFile text into ``{section: {key: value}}``; keys before any header go to ``""``."""
    sections: dict[str, dict[str, Any]] = {"": {}}
    current = sections[""]
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    pos, n, lineno = 0, len(text), 0
    while pos < n:
        end = text.find("\n", pos)
        end = n if end == -1 else end
        line = text[pos:end]
        lineno += 1
        stripped = line.strip()
        if not stripped or stripped.startswith(";") or stripped.startswith("#"):
            pos = end + 1
            continue
        m = _SECTION.match(stripped)
        if m:
            current = sections.setdefault(m.group("name"), {})
            pos = end + 1
            continue
        if "=" not in stripped:
            raise BadInput(f"{source}:{lineno}: expected key=value or [section], got {stripped[:60]!r}")
        key = stripped.split("=", 1)[0]
        vstart = pos + line.index("=") + 1
        vend = _value_end(text, vstart)
        if vend < 0:
            raise BadInput(f"{source}:{lineno}: value of {key.strip()!r} is not closed (unterminated string or bracket)")
        current[key.strip().strip('"')] = parse_value(text[vstart:vend])
        lineno += text.count("\n", vstart, vend)
        pos = vend + 1
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
    sections = parse_config(read_input_text(path, within=path.parent), str(path))
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
    return slugs.slug(platform or preset_name, "unknown")


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

    @property
    def engine_version(self) -> str:
        """The engine version the project was saved with: ``config/features``' version ("4.4"),
        else the major of its format ("3": Godot 3 does not write its minor into project.godot)."""
        for feature in self.features:
            if re.fullmatch(r"\d+\.\d+", feature.strip()):
                return feature.strip()
        return str(self.engine_major)

    @property
    def engine_version_source(self) -> str:
        """Where :attr:`engine_version` comes from, for messages and ``config show``."""
        if any(re.fullmatch(r"\d+\.\d+", f.strip()) for f in self.features):
            return "config/features in project.godot"
        return f"config_version={self.config_version} in project.godot (Godot {self.engine_major} format)"


def read_project(project_dir: Path) -> GodotProject:
    path = project_dir / "project.godot"
    text = read_input_text(path, missing="no project.godot (set godot.project_dir)", within=project_dir)
    sections = parse_config(text, str(path))
    app = sections.get("application", {})
    features = app.get("config/features", [])
    if not isinstance(features, list):
        features = _strings_in(str(features))
    cv = sections[""].get("config_version", 0)
    # [dotnet] (Godot 4) or [mono] (Godot 3) sections, the C# feature tag, or a .csproj beside it.
    uses_csharp = bool(sections.get("dotnet")) or bool(sections.get("mono")) or "C#" in features \
        or any(project_dir.glob("*.csproj"))
    return GodotProject(
        path=path,
        name=str(app.get("config/name", "") or project_dir.name),
        config_version=int(cv) if isinstance(cv, int) else 0,
        main_scene=app.get("run/main_scene"),
        features=[str(f) for f in features],
        uses_csharp=uses_csharp,
    )


# ---------------------------------------------------------------------------
# Resource paths: res:// and uid://

_SCENE_UID = re.compile(r'^\[gd_(?:scene|resource)\b[^\]]*\buid="(uid://[^"]+)"')
_SKIPPED_DIRS = {".git", ".godot", ".import", ".mono", "node_modules"}


def _text_resources(project_dir: Path):
    """``.tscn`` / ``.tres`` files of the project, never through a symlink that leads out of it."""
    root = project_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(project_dir):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS and not (Path(dirpath) / d).is_symlink())
        for name in sorted(filenames):
            if not name.endswith((".tscn", ".tres")):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            yield path


def resolve_uid(project_dir: Path, uid: str) -> Path | None:
    """The scene or resource whose ``[gd_scene ... uid="uid://..."]`` header carries ``uid``.

    Godot 4.4 names the main scene by uid; a fresh clone has no ``.godot/uid_cache.bin``, so the
    headers of the text scenes are the source of truth (only each file's first line is read).
    """
    for path in _text_resources(project_dir):
        try:
            with path.open("r", encoding="utf-8", errors="replace") as fh:
                head = fh.readline(4096)
        except OSError:
            continue
        m = _SCENE_UID.match(head.lstrip("\ufeff"))
        if m and m.group(1) == uid:
            return path
    return None


def resolve_resource(project_dir: Path, ref: str) -> Path | None:
    """The file a ``res://`` or ``uid://`` reference names inside the project, or None when there is none.

    A ``res://`` path that climbs out of the project (``..``, a symlink leading out) is None too.
    """
    ref = ref.strip()
    if ref.startswith("uid://"):
        return resolve_uid(project_dir, ref)
    rel = ref.removeprefix("res://")
    root = project_dir.resolve()
    candidate = (project_dir / rel).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
