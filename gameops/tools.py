"""Find the external tools a game repository needs, read their versions, compare with minimums."""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from gameops.errors import ToolMissing

GODOT_NAMES = ("godot", "godot4", "godot3", "godot3-server")

INSTALL_HINTS = {
    "git": {
        "linux": "sudo apt-get install git",
        "macos": "xcode-select --install (or: brew install git)",
        "windows": "winget install --id Git.Git",
    },
    "dotnet": {
        # Debian's own archive has no dotnet package: Microsoft's feed or its install script.
        "linux": ("Ubuntu: sudo apt-get install dotnet-sdk-8.0; Debian 12: add Microsoft's package feed "
                  "(wget https://packages.microsoft.com/config/debian/12/packages-microsoft-prod.deb && "
                  "sudo dpkg -i packages-microsoft-prod.deb && sudo apt-get update && sudo apt-get install dotnet-sdk-8.0) "
                  "or run the official script (https://dot.net/v1/dotnet-install.sh --channel 8.0); "
                  "see https://learn.microsoft.com/dotnet/core/install/linux"),
        "macos": "brew install --cask dotnet-sdk",
        "windows": "winget install Microsoft.DotNet.SDK.8",
    },
    "godot": {
        "linux": "Godot 3 headless: sudo apt-get install godot3-server godot3-runner; Godot 4: download from godotengine.org and set GODOT_BIN",
        "macos": "brew install --cask godot (or godot-mono for C#), then set GODOT_BIN",
        "windows": "winget install GodotEngine.GodotEngine (or the .NET build), then set GODOT_BIN",
    },
    "python": {
        "linux": "sudo apt-get install python3 python3-venv",
        "macos": "brew install python@3.11",
        "windows": "winget install Python.Python.3.11",
    },
}


def host_os() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


def install_hint(tool: str) -> str:
    return INSTALL_HINTS.get(tool, {}).get(host_os(), "")


@dataclass
class Tool:
    name: str
    path: str | None
    version: str | None = None
    source: str = ""  # where the path came from: config, $GODOT_BIN, PATH
    error: str | None = None

    @property
    def found(self) -> bool:
        return self.path is not None


_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def parse_version(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    m = _VERSION.search(text)
    if not m:
        return None
    return tuple(int(g) for g in m.groups() if g is not None)


def at_least(version: str | None, minimum: str) -> bool:
    have, need = parse_version(version), parse_version(minimum)
    if have is None or need is None:
        return False
    width = max(len(have), len(need))
    return have + (0,) * (width - len(have)) >= need + (0,) * (width - len(need))


def _version_of(path: str, args: list[str], timeout: float = 30) -> tuple[str | None, str | None]:
    from gameops import process

    try:  # through the runner: a hung editor is killed with its whole tree, not just the child
        out = process.run([path, *args], timeout_s=timeout)
    except ToolMissing as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"{path}: {exc.strerror}"
    if out.timed_out:
        return None, f"{path} {' '.join(args)} did not answer in {timeout:.0f} s"
    lines = [ln.strip() for ln in out.lines if ln.strip()]
    # Godot prints warnings before the version on some systems, so the version is the last
    # line that has one; Godot 3 also exits 255 after printing it, so the exit code is ignored
    # when a version was printed.
    for line in reversed(lines):
        if parse_version(line):
            return line, None
    return None, f"{path} {' '.join(args)} exited {out.returncode} without printing a version"


def find_git() -> Tool:
    path = shutil.which("git")
    tool = Tool("git", path, source="PATH")
    if path:
        raw, tool.error = _version_of(path, ["--version"])
        tool.version = raw.replace("git version", "").strip() if raw else None
    return tool


def find_dotnet() -> Tool:
    path = shutil.which("dotnet")
    tool = Tool("dotnet", path, source="PATH")
    if path:
        tool.version, tool.error = _version_of(path, ["--version"])
    return tool


def find_godot(configured: str | None = None, project_root: Path | None = None) -> Tool:
    """config value, then ``$GODOT_BIN``, then the usual names on PATH."""
    candidates: list[tuple[str, str]] = []
    if configured:
        p = Path(configured).expanduser()
        if not p.is_absolute() and project_root and (project_root / p).exists():
            p = project_root / p
        candidates.append((str(p) if p.exists() else configured, "config godot.binary"))
    elif os.environ.get("GODOT_BIN"):
        candidates.append((os.environ["GODOT_BIN"], "$GODOT_BIN"))
    else:
        candidates.extend((name, "PATH") for name in GODOT_NAMES)
    for name, source in candidates:
        path = shutil.which(name) or (name if os.path.isfile(name) and os.access(name, os.X_OK) else None)
        if path:
            tool = Tool("godot", path, source=source)
            tool.version, tool.error = _version_of(path, ["--version"], timeout=60)
            return tool
        if source != "PATH":
            return Tool("godot", None, source=source, error=f"{name} ({source}) is not an executable file")
    return Tool("godot", None, source="PATH", error="none of " + ", ".join(GODOT_NAMES) + " is on PATH")


def require(tool: Tool) -> Tool:
    """Raise :class:`ToolMissing` (exit 2) with the install hint when ``tool`` was not found."""
    if not tool.found:
        hint = install_hint(tool.name)
        raise ToolMissing(f"{tool.name}: not found ({tool.error or 'not on PATH'})" + (f"; install: {hint}" if hint else ""))
    return tool


def version_matches(version: str | None, wanted: str) -> bool:
    """Does ``version`` (e.g. ``4.10.1.stable``) belong to ``wanted`` (e.g. ``4.10``, ``4``)?

    Compares numbers, not text: 4.1 does not match 4.10.
    """
    have, want = parse_version(version), parse_version(wanted)
    return have is not None and want is not None and have[: len(want)] == want


def is_dotnet_build(version: str | None) -> bool:
    """Godot's .NET (Mono) builds say so in ``--version``: ``4.4.1.stable.mono.official.49a5bc7b6``."""
    return bool(version) and re.search(r"\.mono\b|\bmono\b|\.net\b", version or "", re.I) is not None


def godot_misfit(binary: str, version: str | None, wanted: str, csharp: bool, source: str = "the project") -> str | None:
    """Why the Godot at ``binary`` (``version`` as it printed it) cannot build a project that needs
    Godot ``wanted`` (``"4.4"``, or ``"3"`` when only the major is known), or None when it fits.

    Major and minor must be the ones the project was saved with (a newer minor would upgrade the
    project, an older one cannot open it); a C# project needs the .NET build. One line that names both.
    """
    have = parse_version(version)
    want = parse_version(wanted)
    if have is None or want is None:
        return None
    if len(have) < len(want) or have[: len(want)] != want:
        return f"{binary} is Godot {version}, but {source} is a Godot {wanted} project: set godot.binary or GODOT_BIN to a Godot {wanted}" \
               + (" .NET" if csharp else "") + " editor"
    if csharp and not is_dotnet_build(version):
        return f"{binary} is Godot {version} without .NET, but {source} is a C# project: set godot.binary or GODOT_BIN to the .NET build of Godot {wanted}"
    return None
