"""The project's name from gameops.yaml, read fast, for read-only commands that need nothing else.

``gameops history`` needs one value of the configuration, ``project.name``; loading the config
model (pydantic, every section's validation, detection with a git call) took 0.3-0.5 s of a
command whose goal is under 2 s. :func:`configured` reads the project's own ``gameops.yaml``
with the same hostile-YAML-proof parser and the same safe file reader as the full loader and
returns the name when the file states it plainly. Anything it is not sure about returns None,
and the caller loads the config as usual (the same one-line error, exit 2, for a bad file):
no ``gameops.yaml`` (the name is detected), a ``--config FILE``, a ``GAMEOPS_*__*`` override,
a YAML error, a ``project:`` section with anything but a non-empty string ``name``, and the
sections that name secrets (``redact:``, ``alerts:``, ``server:``: their values must be
registered for redaction before anything is printed). The other sections are not validated on
this path, as the hooks' fast reader does not validate them either.
``tests/test_project_name.py`` pins the answers to the full loader's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from gameops import CONFIG_FILE
from gameops.errors import GameopsError

SECRET_SECTIONS = ("redact", "alerts", "server")  # gameops.config.Loaded.secrets reads these


def configured(project: str | os.PathLike[str] | None, config_file: str | os.PathLike[str] | None = None,
               environ: Mapping[str, str] | None = None) -> str | None:
    """``project.name`` as written in the project's gameops.yaml; None: load the config instead."""
    environ = os.environ if environ is None else environ
    if config_file is not None or any(k.startswith("GAMEOPS_") and "__" in k for k in environ):
        return None
    root = Path(project or ".").expanduser()
    if not root.is_dir():
        return None
    root = root.resolve()
    path = root / CONFIG_FILE
    if not path.is_file():
        return None
    from gameops import yaml_input
    from gameops.fileops import read_input_text

    try:
        data, _ = yaml_input.load(read_input_text(path, CONFIG_FILE, within=root, kind="config", expect="a YAML file"),
                                  CONFIG_FILE)
    except GameopsError:
        return None
    if not isinstance(data, dict) or any(k in data for k in SECRET_SECTIONS):
        return None
    section = data.get("project")
    if not isinstance(section, dict) or set(section) != {"name"}:
        return None
    name = section["name"]
    return name if isinstance(name, str) and name else None
