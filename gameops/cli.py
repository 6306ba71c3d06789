"""The ``gameops`` command line: parse, dispatch, map errors to exit codes.

Each command lives in ``gameops/commands/<name>.py`` with ``register(subparsers)`` and
``run(args, ctx) -> int``. Command modules import Prefect and the flows only inside ``run``,
so ``gameops --help``, ``gameops notes`` and the git hooks never pay for ``import prefect``.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
from collections.abc import Sequence

from gameops import __version__
from gameops.errors import EXIT_BAD_INPUT, EXIT_FAILED, GameopsError


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line and exit 2 (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    d = (lambda v: argparse.SUPPRESS) if suppress else (lambda v: v)
    parser.add_argument("--project", metavar="DIR", default=d(None), help="game repository (default: current folder)")
    parser.add_argument("--config", metavar="FILE", default=d(None), help="config file (default: gameops.yaml in the project)")
    parser.add_argument("-v", "--verbose", action="count", default=d(0), help="more output (Prefect logs with -v)")
    parser.add_argument("--json", action="store_true", default=d(False), help="print one JSON document on stdout")
    parser.add_argument("--dry-run", action="store_true", default=d(False), help="show what would change; change nothing")


_VALUE_OPTIONS = ("--project", "--config")  # global options that take the next word as value


def command_of(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (the first word that is not a global option or its value)."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return None
        if word.startswith("--") and "=" not in word and any(o.startswith(word) for o in _VALUE_OPTIONS):
            next(words, None)  # --project DIR, also abbreviated (--proj DIR)
            continue
        if word.startswith("-"):
            continue
        return word
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``only``: just that command's subparser (parsing one command
    needs neither the other 17 modules nor their argparse trees). ``--help`` lists them all."""
    from gameops.commands import COMMANDS

    parser = _Parser(
        prog="gameops",
        description="DevOps pipelines for Godot + .NET game repositories, run as Prefect flows.",
        epilog="Exit codes: 0 success; 1 the job ran and something failed; 2 bad input.",
    )
    parser.add_argument("--version", action="version", version=f"gameops {__version__}")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if only is not None and name.replace("_", "-") != only:
            continue
        module = importlib.import_module(f"gameops.commands.{name}")
        module.register(sub, [common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from gameops.console import Context, configure_streams

    from gameops.commands import COMMANDS

    configure_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    command = command_of(argv)
    known = {name.replace("_", "-") for name in COMMANDS}
    parser = build_parser(only=command if command in known else None)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    ctx = Context(args)
    try:
        code = int(args.handler(args, ctx) or 0)
        ctx.say_assumptions()
        return code
    except GameopsError as exc:
        if exc.exit_code != EXIT_BAD_INPUT:
            ctx.say_assumptions()
        ctx.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        ctx.error("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_FAILED
    except Exception as exc:  # a bug: one line naming the log with the details, exit 1
        return _unexpected(exc, ctx, argv)


def _unexpected(exc: Exception, ctx, argv: Sequence[str] | None) -> int:
    import traceback

    from gameops import crash

    secrets = ctx.secrets()
    where = crash.record(exc, list(sys.argv[1:] if argv is None else argv), secrets)
    if ctx.verbose:
        sys.stderr.write(crash.details(exc, None, secrets) if secrets else "".join(traceback.format_exception(exc)))
    ctx.error(crash.one_line(exc, where, secrets))
    return EXIT_FAILED


_exit_code: int | None = None


def _exit_without_teardown() -> None:
    """The last exit handler: end the process once every other one has run.

    Registered before anything else, so it runs after Prefect's own shutdown work (its log and
    event workers drain in ``threading``'s exit hooks, its loop threads stop in ``atexit``):
    every log line and event has been sent by then. What it skips is the interpreter's teardown
    of some 2,000 modules and their objects, 15-20% of a flow command's time, that nothing
    observes. Not after a traceback (``_exit_code`` unset), nor under coverage (its data file
    is written by a later exit handler).
    """
    if _exit_code is None or "coverage" in sys.modules:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(_exit_code)


def entry() -> None:  # pragma: no cover - console script shim (tests/test_cli_exit.py runs it)
    global _exit_code
    atexit.register(_exit_without_teardown)
    _exit_code = main()
    sys.exit(_exit_code)


if __name__ == "__main__":  # pragma: no cover
    entry()
