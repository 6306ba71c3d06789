"""Fast entry point of the installed hooks: ``python -m gameops.hooks NAME [options] -- GIT_ARGS``.

Imports only the standard library, PyYAML (when gameops.yaml has a ``git:`` section) and the
small rule modules: no pydantic, rich or Prefect. Options (written by ``gameops hooks install``):
``--project DIR`` (relative to the work tree), ``--config FILE``, ``--chain`` (run the previous
hook afterwards), ``--chain-dir DIR`` (then run DIR/NAME, the tracked hooks folder's own hook). Exit codes: 0 pass, 1 refused, 2 bad input (one line, no traceback).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        sys.stderr.reconfigure(errors="replace")  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        pass
    if not argv or argv[0].startswith("-"):
        sys.stderr.write("usage: python -m gameops.hooks NAME [--project DIR] [--config FILE] [--chain] -- [GIT ARGS]\n")
        return 2
    name, rest = argv[0], argv[1:]
    project = config = None
    chain = False
    chain_dir = None
    while rest and rest[0] != "--" and rest[0] in ("--project", "--config", "--chain", "--chain-dir"):
        opt = rest.pop(0)
        if opt == "--chain":
            chain = True
        elif not rest:
            sys.stderr.write(f"gameops {name}: {opt} needs a value\n")
            return 2
        elif opt == "--project":
            project = rest.pop(0)
        elif opt == "--chain-dir":
            chain_dir = rest.pop(0)
        else:
            config = rest.pop(0)
    if rest and rest[0] == "--":
        rest = rest[1:]

    from gameops.errors import GameopsError
    from gameops.hooks.runner import run_hook

    try:
        return run_hook(name, rest, project, config, chain=chain, chain_dir=chain_dir)
    except GameopsError as exc:
        sys.stderr.write(f"gameops {name}: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
