"""Run one hook by name: settings, stdin, the hook module, then the chained previous hook."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from gameops.errors import BadInput, GameopsError
from gameops.hooks.common import HookCall, say
from gameops.hooks.settings import HOOKS, load_settings

SKIP_ENV = "GAMEOPS_SKIP_HOOKS"
NON_BLOCKING = ("post-checkout",)  # git has already done the work; the exit code only colours its status


def skipped(name: str, environ: dict[str, str] | None = None) -> bool:
    """``GAMEOPS_SKIP_HOOKS=all`` or a comma list of hook names skips them (like pre-commit's SKIP)."""
    value = (os.environ if environ is None else environ).get(SKIP_ENV, "")
    names = {v.strip() for v in value.split(",") if v.strip()}
    return "all" in names or name in names


def run_hook(name: str, args: list[str], project: str | os.PathLike[str] | None = None, config: str | None = None,
             stdin: str | None = None, chain: bool = False, chain_dir: str | None = None) -> int:
    """Run hook ``name`` with git's ``args``; returns the exit code git should see."""
    if name not in HOOKS:
        raise BadInput(f"{name}: unknown hook (known: {', '.join(HOOKS)})")
    if skipped(name):
        return 0
    root = Path(project).resolve() if project else Path.cwd()
    if not root.is_dir():
        raise BadInput(f"{root}: project folder does not exist")
    if stdin is None:
        stdin = sys.stdin.read() if name == "pre-push" and sys.stdin and not sys.stdin.isatty() else ""
    rc = 0
    try:
        settings = load_settings(root, config)
        if name in settings.hooks:
            module = importlib.import_module("gameops.hooks." + name.replace("-", "_"))
            rc = module.run(HookCall(name, root, settings, list(args), stdin, config))
    except GameopsError as exc:
        if name not in NON_BLOCKING:
            raise
        say(f"gameops {name}: {exc}")  # the checkout already happened: tell, don't fail it
        return 0
    if rc == 0 and chain:
        rc = run_previous(name, root, args, stdin)
    if rc == 0 and chain_dir:
        rc = run_tracked(name, Path(chain_dir), args, stdin)
    return rc


def run_tracked(name: str, folder: Path, args: list[str], stdin: str) -> int:
    """Run the tracked hooks folder's own hook (Husky.NET's ``.husky/NAME``) in place, as git
    would have: from the work tree root, only when it is executable (any file on Windows)."""
    hook = folder / name
    if not hook.is_file():
        return 0
    if os.name == "nt":
        argv = ["sh", hook.as_posix(), *args]
    elif os.access(hook, os.X_OK):
        argv = [hook.as_posix() if hook.is_absolute() else "./" + hook.as_posix(), *args]
    else:
        say(f"gameops {name}: {hook.as_posix()} is not executable, so git would not run it either (chmod +x to run it)")
        return 0
    return subprocess.run(argv, input=stdin.encode(), check=False).returncode


def run_previous(name: str, root: Path, args: list[str], stdin: str) -> int:
    """Run the hook that was there before ``gameops hooks install --chain`` (its saved copy).

    Shell hooks find their helpers next to themselves (Husky: ``. "$(dirname "$0")/_/husky.sh"``),
    so a shell hook runs as ``sh -c <its text> <its original path>``: ``$0`` is where it used to live.
    """
    from gameops.hooks.install import locate

    loc = locate(root)
    saved = loc.state_dir / "hooks-backup" / name
    try:
        data = saved.read_bytes()
    except OSError:
        return 0
    first = data.split(b"\n", 1)[0]
    original = (loc.hooks_dir / name).as_posix()
    shell = next((sh for sh in ("bash", "sh") if first.startswith(b"#!") and first.rstrip().endswith(sh.encode())), None)
    if shell is None and not first.startswith(b"#!"):
        shell = "sh"  # git runs shebang-less hooks with sh too
    if shell:
        argv = [shell, "-c", data.decode("utf-8", errors="replace"), original, *args]
    elif os.name == "nt":
        argv = ["sh", saved.as_posix(), *args]
    else:
        argv = [str(saved), *args]
    return subprocess.run(argv, input=stdin.encode(), cwd=loc.toplevel, check=False).returncode
