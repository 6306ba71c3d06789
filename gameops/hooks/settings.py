"""The ``git:`` section of gameops.yaml, read fast for the hooks.

``gameops.config.load`` validates the whole file with pydantic and costs about 130 ms to
import; a hook has a budget of a few tens of ms. So hooks read only the ``git:`` section with
PyYAML (and skip even that when the file has no ``git:`` section). Anything the fast reader is
not sure about - an unknown key, a value of the wrong type, a YAML error, a
``GAMEOPS_GIT__*`` override - goes through the full loader, which gives the usual one-line
error (exit 2) or the validated values. ``tests/test_hooks_settings.py`` checks that the keys
and defaults here are exactly those of :class:`gameops.config.GitConfig`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from gameops import CONFIG_FILE, branch_rules, commit_rules
from gameops.errors import BadInput, ConfigError
from gameops.fileops import read_input_text
from gameops.hooks.names import HOOKS


# key -> (kind, default, minimum for ints)
SPEC: dict[str, tuple[str, object, int | None]] = {
    "protected_branches": ("strlist", list(branch_rules.DEFAULT_PROTECTED), None),
    "branch_prefixes": ("strlist", list(branch_rules.DEFAULT_PREFIXES), None),
    "branch_exceptions": ("strlist", list(branch_rules.DEFAULT_EXCEPTIONS), None),
    "branch_requires_work_item": ("bool", False, None),
    "commit_types": ("strlist", list(commit_rules.DEFAULT_TYPES), None),
    "work_item_pattern": ("str", commit_rules.DEFAULT_WORK_ITEM, None),
    "any_scope": ("bool", False, None),
    "max_subject_length": ("int", commit_rules.DEFAULT_MAX_SUBJECT, 20),
    "main_branch": ("optstr", None, None),
    "behind_warn": ("int", 5, 0),
    "behind_alert": ("int", 20, 0),
    "pre_push_tests": ("bool", True, None),
    "hooks": ("strlist", list(HOOKS), None),
    "push": ("bool", False, None),
    "remote": ("str", "origin", None),
}


@dataclass
class HookSettings:
    root: Path
    values: dict[str, object] = field(default_factory=dict)
    source: str = "defaults"  # defaults, fast, full

    def __getattr__(self, name: str):
        try:
            values = object.__getattribute__(self, "values")
        except AttributeError:
            raise AttributeError(name) from None
        if name in values:
            return values[name]
        if name in SPEC:
            default = SPEC[name][1]
            return list(default) if isinstance(default, list) else default
        raise AttributeError(name)

    def rules(self) -> commit_rules.Rules:
        return commit_rules.Rules(
            types=tuple(self.commit_types),
            work_item_pattern=self.work_item_pattern,
            max_subject_length=self.max_subject_length,
            any_scope=self.any_scope,
        )


def _type_ok(kind: str, value: object, minimum: int | None) -> bool:
    if kind == "strlist":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "str":
        return isinstance(value, str)
    if kind == "optstr":
        return value is None or isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and (minimum is None or value >= minimum)
    return False


def _full(root: Path, config: str | None) -> HookSettings:
    from gameops.config import load  # slow path: pydantic, exact error messages

    git = load(root, config).config.git
    return HookSettings(root, {k: getattr(git, k) for k in SPEC}, "full")


def load_settings(root: Path, config: str | None = None, environ: dict[str, str] | None = None) -> HookSettings:
    """The effective ``git:`` settings of the repository at ``root`` (raises ConfigError on bad config)."""
    environ = os.environ if environ is None else environ
    if any(k.upper().startswith("GAMEOPS_GIT__") for k in environ):
        return _full(root, config)
    path = Path(config) if config else root / CONFIG_FILE
    if not path.is_absolute():
        path = root / path
    if not (path.exists() or path.is_symlink()):
        return _full(root, config) if config else HookSettings(root)
    try:  # the same refusals as the full loader: FIFOs, devices, bad symlinks, oversized files
        text = read_input_text(path, kind="config", within=None if config else root)
    except BadInput:
        return _full(root, config)  # which names the problem in one line
    if not re.search(r"^git\s*:", text, re.M):
        return HookSettings(root)
    from gameops import yaml_input

    try:  # hostile YAML (alias bombs, deep nesting, duplicate keys) is refused, not expanded
        data, _lines = yaml_input.load(text, str(path))
    except ConfigError:
        return _full(root, config)
    if not isinstance(data, dict):
        return _full(root, config)
    if "git" not in data:
        return HookSettings(root)
    section = data["git"]
    if not isinstance(section, dict):  # a bare `git:` too: the full loader says what is wrong
        return _full(root, config)
    for key, value in section.items():
        spec = SPEC.get(key)
        if spec is None or not _type_ok(spec[0], value, spec[2]):
            return _full(root, config)
    try:
        re.compile(section.get("work_item_pattern", SPEC["work_item_pattern"][1]))
    except re.error:
        return _full(root, config)
    if any(h not in HOOKS for h in section.get("hooks", ())):
        return _full(root, config)
    return HookSettings(root, dict(section), "fast")
