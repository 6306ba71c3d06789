"""``gameops hooks install|uninstall|status``: write the hook scripts where git runs them.

Where: ``git rev-parse --git-path hooks``, which honours ``core.hooksPath``. When
``core.hooksPath`` is a tracked folder (Husky.NET's ``.husky``) nothing is written there: the
hooks go to ``<git common dir>/gameops/hooks``, the local ``core.hooksPath`` points at them, and
each runs the folder's own hook after gameops' check (``_install_beside``). What: a small ``#!/bin/sh`` script per hook (Git for Windows runs hooks with
its own sh) that runs ``<this python> -m gameops.hooks NAME`` by absolute path, so hooks work
from GUI git clients that start without the user's PATH or virtualenv.

A hook that was there before is saved under ``<git common dir>/gameops/hooks-backup/`` (not in
the work tree, so it can never be committed by mistake) and put back, byte for byte and with
its mode, by ``uninstall``. ``install --chain`` keeps running the saved hook after gameops'
checks (pre-commit's "migration mode"). ``<git common dir>/gameops/hooks.json`` records what
was installed. Installing twice writes nothing the second time.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gameops.errors import BadInput
from gameops.fileops import atomic_write_bytes, atomic_write_text
from gameops.git import git
from gameops.hooks.settings import HOOKS

MARKER = "# gameops-hook"
# Hooks that only inform: when gameops is gone they must not block git.
INFORMATIVE = ("post-checkout", "prepare-commit-msg")


@dataclass
class Location:
    toplevel: Path
    hooks_dir: Path
    state_dir: Path
    hooks_path: str  # core.hooksPath as configured ("" when unset)

    @property
    def manager(self) -> str:
        if not self.hooks_path:
            return "git"
        return "Husky.NET" if Path(self.hooks_path).name == ".husky" else "core.hooksPath"


@dataclass
class HookAction:
    name: str
    action: str  # installed, updated, unchanged, restored, removed, kept, absent
    path: str
    backup: str | None = None
    note: str = ""


@dataclass
class Report:
    hooks_dir: str
    manager: str
    hooks: list[HookAction] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(h.action not in ("unchanged", "absent", "kept") for h in self.hooks)

    def as_dict(self) -> dict:
        return {"hooks_dir": self.hooks_dir, "manager": self.manager, "changed": self.changed,
                "hooks": [asdict(h) for h in self.hooks], "notes": self.notes}


def locate(root: Path) -> Location:
    root = Path(root)
    top = git(root, "rev-parse", "--show-toplevel", check=False)
    if not top:
        raise BadInput(f"{root}: not a git repository (hooks need one: git init)")
    toplevel = Path(top)
    hooks = Path(git(toplevel, "rev-parse", "--git-path", "hooks"))
    common = Path(git(toplevel, "rev-parse", "--git-common-dir"))
    hooks_path = git(toplevel, "config", "--get", "core.hooksPath", check=False)
    return Location(
        toplevel=toplevel,
        hooks_dir=hooks if hooks.is_absolute() else toplevel / hooks,
        state_dir=(common if common.is_absolute() else toplevel / common) / "gameops",
        hooks_path=hooks_path,
    )


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def python_path() -> str:
    """This interpreter, by absolute path (not resolved: a venv's python is a symlink that must stay one)."""
    return Path(sys.executable).absolute().as_posix()


def script(name: str, python: str, project: str | None = None, config: str | None = None, chain: bool = False,
           chain_dir: str | None = None) -> str:
    opts = ""
    if project:
        opts += f" --project {_sh_quote(project)}"
    if config:
        opts += f" --config {_sh_quote(config)}"
    if chain:
        opts += " --chain"
    if chain_dir:
        opts += f" --chain-dir {_sh_quote(chain_dir)}"
    gone_exit = 0 if name in INFORMATIVE else 1
    bypass = "git push --no-verify" if name == "pre-push" else "git commit --no-verify"
    return (
        "#!/bin/sh\n"
        f"{MARKER} {name}: written by `gameops hooks install`; `gameops hooks uninstall` removes it\n"
        "# and puts back the hook that was here before. Do not edit: install rewrites it.\n"
        f"python={_sh_quote(python)}\n"
        'if [ ! -f "$python" ]; then\n'
        f'  echo "gameops {name}: $python is gone; run \'gameops hooks install\' again (bypass once: {bypass})" >&2\n'
        f"  exit {gone_exit}\n"
        "fi\n"
        f'exec "$python" -P -m gameops.hooks {name}{opts} -- "$@"\n'
    )


def forwarder(name: str, chain_dir: str) -> str:
    """A hook gameops does not handle, passed on to the tracked folder's own hook (as git would
    run it: only when it is executable)."""
    hook = f"{chain_dir}/{name}"
    return (
        "#!/bin/sh\n"
        f"{MARKER} {name}: written by `gameops hooks install`; runs {hook} as git did before\n"
        f"hook={_sh_quote(hook)}\n"
        '[ -x "$hook" ] || exit 0\n'
        'exec "$hook" "$@"\n'
    )


def is_ours(data: bytes | None) -> bool:
    return data is not None and MARKER.encode() in data


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a folder, expected a hook file") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read: {exc.strerror}") from None


def _manifest(loc: Location) -> dict:
    try:
        data = json.loads((loc.state_dir / "hooks.json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_manifest(loc: Location, hooks_dir: Path, names: list[str], dry_run: bool) -> None:
    path = loc.state_dir / "hooks.json"
    if not names:
        if path.exists() and not dry_run:
            path.unlink()
        return
    doc = {"hooks_dir": str(hooks_dir), "hooks": sorted(names)}
    if not dry_run:
        atomic_write_text(path, json.dumps(doc, indent=2) + "\n")


def _rel(loc: Location, path: Path) -> str:
    try:
        return path.relative_to(loc.toplevel).as_posix()
    except ValueError:
        return str(path)


def install(root: Path, names: list[str] | tuple[str, ...] = HOOKS, *, project: Path | None = None, config: str | None = None,
            chain: bool = False, dry_run: bool = False, python: str | None = None) -> Report:
    """Install the hooks ``names``; hooks installed before but no longer wanted are uninstalled."""
    for n in names:
        if n not in HOOKS:
            raise BadInput(f"{n}: unknown hook (known: {', '.join(HOOKS)})")
    loc = locate(root)
    manifest = _manifest(loc)
    tracked_dir = manifest.get("tracked_hooks_path") if manifest.get("mode") == BESIDE else _tracked_hooks_dir(loc)
    report = Report(_rel(loc, loc.hooks_dir), loc.manager)
    project_rel = None
    if project is not None:
        rel = os.path.relpath(Path(project).resolve(), loc.toplevel.resolve())
        project_rel = None if rel == "." else Path(rel).as_posix()
    python = python or python_path()
    if tracked_dir:
        return _install_beside(loc, tracked_dir, list(names), project_rel, config, python, dry_run)
    backups = loc.state_dir / "hooks-backup"
    if loc.hooks_dir.exists() and not loc.hooks_dir.is_dir():
        raise BadInput(f"{loc.hooks_dir}: core.hooksPath points to a file, expected a folder")

    # Plan everything first: bad input must change nothing.
    plan: list[tuple[str, Path, bytes, bytes | None]] = []
    for name in names:
        path = loc.hooks_dir / name
        current = _read(path)
        wanted = script(name, python, project_rel, config, chain).encode()
        if current is not None and not is_ours(current):
            saved = _read(backups / name)
            if saved is not None and saved != current:
                raise BadInput(f"{backups / name}: already holds a saved {name} hook that differs from {path}; "
                               "run `gameops hooks uninstall` first, or remove one of them")
        plan.append((name, path, wanted, current))

    if loc.manager == "Husky.NET":
        report.notes.append("core.hooksPath is .husky (Husky.NET): the hooks there are replaced; git status shows them as "
                            "changed while gameops' hooks are installed, `gameops hooks uninstall` restores them")
    elif not loc.hooks_path and (loc.toplevel / ".husky").is_dir():
        report.notes.append(".husky/ exists but core.hooksPath is not set, so git runs .git/hooks: installed there")

    for name, path, wanted, current in plan:
        if current == wanted:
            report.hooks.append(HookAction(name, "unchanged", _rel(loc, path)))
            continue
        action = HookAction(name, "updated" if is_ours(current) else "installed", _rel(loc, path))
        if current is not None and not is_ours(current):
            mode = stat.S_IMODE(path.stat().st_mode)
            action.backup = _rel(loc, backups / name)
            action.note = "previous hook saved" + (", still runs after gameops' checks" if chain else "")
            if not dry_run:
                atomic_write_bytes(backups / name, current, mode=mode)
                if (backups / name).read_bytes() != current:  # verify before replacing the original
                    raise BadInput(f"{backups / name}: the saved copy does not match {path}; nothing replaced")
        if not dry_run:
            atomic_write_bytes(path, wanted, mode=0o755)
        report.hooks.append(action)

    previous = _manifest(loc).get("hooks", [])
    for name in previous:
        if name not in names:
            report.hooks.append(_remove_one(loc, name, dry_run))
    if report.changed:
        _write_manifest(loc, loc.hooks_dir, list(names), dry_run)
    return report


def _remove_one(loc: Location, name: str, dry_run: bool) -> HookAction:
    path = loc.hooks_dir / name
    saved_path = loc.state_dir / "hooks-backup" / name
    current = _read(path)
    saved = _read(saved_path)
    if current is None or not is_ours(current):
        note = "not a gameops hook: left alone" if current is not None else ""
        if saved is not None:
            note += ("; " if note else "") + f"the hook saved at install is still at {_rel(loc, saved_path)}"
        return HookAction(name, "kept" if current is not None else "absent", _rel(loc, path), note=note)
    if saved is not None:
        mode = stat.S_IMODE(saved_path.stat().st_mode)
        if not dry_run:
            atomic_write_bytes(path, saved, mode=mode)
            if path.read_bytes() == saved:
                saved_path.unlink()
        return HookAction(name, "restored", _rel(loc, path), backup=_rel(loc, saved_path), note="previous hook put back")
    if not dry_run:
        path.unlink()
    return HookAction(name, "removed", _rel(loc, path))


def uninstall(root: Path, *, dry_run: bool = False) -> Report:
    """Remove gameops' hooks and put back the hooks that were there before."""
    loc = locate(root)
    manifest = _manifest(loc)
    if manifest.get("mode") == BESIDE:
        return _uninstall_beside(loc, manifest, dry_run)
    hooks_dir = Path(manifest["hooks_dir"]) if manifest.get("hooks_dir") else loc.hooks_dir
    if hooks_dir != loc.hooks_dir:
        loc = Location(loc.toplevel, hooks_dir, loc.state_dir, loc.hooks_path)
    report = Report(_rel(loc, hooks_dir), loc.manager)
    names = [n for n in HOOKS if n in manifest.get("hooks", []) or is_ours(_read(hooks_dir / n))
             or (loc.state_dir / "hooks-backup" / n).exists()]
    for name in names:
        report.hooks.append(_remove_one(loc, name, dry_run))
    if not dry_run:
        _write_manifest(loc, hooks_dir, [], dry_run)
        for folder in (loc.state_dir / "hooks-backup", loc.state_dir):
            try:
                folder.rmdir()
            except OSError:
                pass
    if not names:
        report.notes.append("no gameops hooks were installed")
    return report


def status(root: Path) -> dict:
    """Which hooks are installed, where, and which saved hooks wait to be restored."""
    loc = locate(root)
    manifest = _manifest(loc)
    notes = []
    if manifest.get("mode") == BESIDE:
        loc = Location(loc.toplevel, Path(manifest["hooks_dir"]), loc.state_dir, loc.hooks_path)
        if Path(loc.hooks_path or ".") != loc.hooks_dir:
            notes.append(f"core.hooksPath is {loc.hooks_path or '(unset)'}, not gameops' hooks folder: git does not run "
                         "them (`dotnet husky install` resets it); run `gameops hooks install` again")
    rows = []
    for name in HOOKS:
        data = _read(loc.hooks_dir / name)
        rows.append({
            "name": name,
            "installed": is_ours(data),
            "other_hook": data is not None and not is_ours(data),
            "saved_previous": (loc.state_dir / "hooks-backup" / name).exists(),
        })
    return {"hooks_dir": _rel(loc, loc.hooks_dir), "manager": loc.manager, "hooks": rows, "notes": notes}


# ---------------------------------------------------------------------------
# core.hooksPath at a tracked folder (Husky.NET's .husky): install beside it, never in it

BESIDE = "beside-tracked-folder"
# The hooks git runs from core.hooksPath that a tracked folder may hold (githooks(5)).
GIT_HOOK_NAMES = ("applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
                  "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge",
                  "pre-push", "pre-auto-gc", "post-rewrite", "sendemail-validate", "fsmonitor-watchman",
                  "post-index-change", "reference-transaction", "push-to-checkout")


def _tracked_hooks_dir(loc: Location) -> str | None:
    """core.hooksPath as a path relative to the work tree, when it is a folder inside the work tree
    that holds tracked files (Husky.NET's ``.husky``); else None."""
    if not loc.hooks_path:
        return None
    try:
        rel = loc.hooks_dir.resolve().relative_to(loc.toplevel.resolve()).as_posix()
    except ValueError:
        return None
    if rel == "." or not git(loc.toplevel, "ls-files", "--", rel, check=False):
        return None
    return rel


def _config_file(loc: Location) -> Path:
    return loc.state_dir.parent / "config"


def _sha(data: bytes | None) -> str | None:
    import hashlib

    return hashlib.sha256(data).hexdigest() if data is not None else None


def _install_beside(loc: Location, tracked: str, names: list[str], project_rel: str | None, config: str | None,
                    python: str, dry_run: bool) -> Report:
    """Hooks in ``<git common dir>/gameops/hooks``, core.hooksPath (local git config) pointing there.

    Each gameops hook runs its check, then the tracked folder's hook of the same name; every other
    hook of the tracked folder gets a forwarder, so all of the team's hooks keep running. Nothing
    in the work tree changes. The config file's bytes are saved first, for an exact uninstall."""
    own = loc.state_dir / "hooks"
    report = Report(_rel(loc, own), "Husky.NET" if Path(tracked).name == ".husky" else "core.hooksPath")
    report.notes.append(
        f"core.hooksPath is {tracked}, a tracked folder: its files are left as they are; gameops' hooks go to "
        f"{_rel(loc, own)} and core.hooksPath (local git config) points there; each runs gameops' check, then "
        f"{tracked}'s own hook. `dotnet husky install` sets core.hooksPath back: run `gameops hooks install` again after it")
    manifest = _manifest(loc)
    folder = loc.toplevel / tracked
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name in GIT_HOOK_NAMES) if folder.is_dir() else []
    wanted: dict[str, bytes] = {n: script(n, python, project_rel, config, chain_dir=tracked).encode() for n in names}
    for n in present:
        wanted.setdefault(n, forwarder(n, tracked).encode())
    for name, data in wanted.items():
        current = _read(own / name)
        action = "unchanged" if current == data else ("updated" if current is not None else "installed")
        if action != "unchanged" and not dry_run:
            atomic_write_bytes(own / name, data, mode=0o755)
        report.hooks.append(HookAction(name, action, _rel(loc, own / name),
                                       note="" if name in names else f"passes on to {tracked}/{name}"))
    if own.is_dir():
        for p in sorted(own.iterdir()):
            if p.name not in wanted and is_ours(_read(p)):
                if not dry_run:
                    p.unlink()
                report.hooks.append(HookAction(p.name, "removed", _rel(loc, p)))
    target = own.as_posix()
    local = git(loc.toplevel, "config", "--local", "--get", "core.hooksPath", check=False)
    if local != target:
        cfg_file = _config_file(loc)
        before = cfg_file.read_bytes()
        report.hooks.append(HookAction("core.hooksPath", "updated", _rel(loc, cfg_file),
                                       note=f"{local or '(not set locally)'} -> {_rel(loc, own)}"))
        if not dry_run:
            if manifest.get("mode") != BESIDE:  # the first install keeps the original config
                atomic_write_bytes(loc.state_dir / "config-before", before)
                manifest = {"mode": BESIDE, "tracked_hooks_path": tracked, "previous_local": local or None}
            git(loc.toplevel, "config", "--local", "core.hooksPath", target)
            manifest["config_after_sha256"] = _sha(cfg_file.read_bytes())
    if report.changed and not dry_run:
        manifest.update({"mode": BESIDE, "tracked_hooks_path": tracked, "hooks_dir": str(own), "hooks": sorted(names),
                         "forwarded": sorted(set(wanted) - set(names))})
        manifest.setdefault("previous_local", local if local != target else None)
        atomic_write_text(loc.state_dir / "hooks.json", json.dumps(manifest, indent=2) + "\n")
    return report


def _uninstall_beside(loc: Location, manifest: dict, dry_run: bool) -> Report:
    own = Path(manifest["hooks_dir"])
    report = Report(_rel(loc, own), "Husky.NET" if Path(manifest["tracked_hooks_path"]).name == ".husky" else "core.hooksPath")
    for p in sorted(own.iterdir()) if own.is_dir() else []:
        if is_ours(_read(p)):
            if not dry_run:
                p.unlink()
            report.hooks.append(HookAction(p.name, "removed", _rel(loc, p)))
        else:
            report.hooks.append(HookAction(p.name, "kept", _rel(loc, p), note="not a gameops hook: left alone"))
    cfg_file = _config_file(loc)
    saved = _read(loc.state_dir / "config-before")
    previous = manifest.get("previous_local")
    if saved is not None and _sha(cfg_file.read_bytes()) == manifest.get("config_after_sha256"):
        note = "git config put back byte for byte"
        if not dry_run:
            atomic_write_bytes(cfg_file, saved)
    else:  # someone changed the config since: put back only core.hooksPath
        note = f"git config changed since install: only core.hooksPath set back to {previous or '(unset)'}"
        if not dry_run:
            if previous:  # a value, never an option
                git(loc.toplevel, "config", "--local", "core.hooksPath", "./" + previous if previous.startswith("-") else previous)
            else:
                git(loc.toplevel, "config", "--local", "--unset", "core.hooksPath", check=False)
    report.hooks.append(HookAction("core.hooksPath", "restored", _rel(loc, cfg_file), note=note))
    if not dry_run:
        for p in (loc.state_dir / "config-before", loc.state_dir / "hooks.json"):
            if p.exists():
                p.unlink()
        for folder in (own, loc.state_dir):
            try:
                folder.rmdir()
            except OSError:
                pass
    return report
