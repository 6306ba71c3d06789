"""The command line's own promises: fast help, no Prefect import on the fast paths, exit codes."""

from __future__ import annotations

import subprocess
import sys

from gameops.commands import COMMANDS


def _python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_help_lists_every_command_and_exit_codes(gameops_cli):
    r = gameops_cli("--help", process=True)
    assert r.code == 0
    for line in ("check", "config", "server", "Exit codes: 0 success; 1"):
        assert line in r.stdout


def test_building_the_parser_imports_no_prefect():
    # every command module is imported to build the parser; none may pull in Prefect (or the flows)
    loaded = _python(
        "import sys, gameops.cli as c; c.build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'flows', 'tasks')))"
    )
    assert loaded == "[]"


def test_every_registered_command_has_help(gameops_cli):
    for name in COMMANDS:
        module = __import__(f"gameops.commands.{name}", fromlist=["register"])
        assert callable(module.register)
    r = gameops_cli("check", "--help")
    assert r.code == 0 and "--json" in r.stdout  # global options work after the command too


def test_no_command_prints_help_and_exits_2(gameops_cli):
    r = gameops_cli()
    assert r.code == 2 and "COMMAND" in r.stderr


def test_version_is_the_one_version_of_the_package(gameops_cli):
    import importlib.metadata

    import gameops

    r = gameops_cli("--version")
    # pyproject reads gameops.__version__ (dynamic), so the installed metadata says the same
    assert r.code == 0 and r.stdout.strip() == f"gameops {gameops.__version__}"
    assert importlib.metadata.version("gameops") == gameops.__version__


def test_core_never_imports_prefect():
    # the house rule, checked on the installed modules rather than by grep
    code = (
        "import importlib, pkgutil, sys, gameops\n"
        "for m in pkgutil.walk_packages(gameops.__path__, 'gameops.'):\n"
        "    if m.name.endswith('__main__'): continue\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'prefect'))"
    )
    assert _python(code) == "[]"
