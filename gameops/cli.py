"""The ``gameops`` command line: parse, dispatch, map errors to exit codes.

Each command lives in ``gameops/commands/<name>.py`` with ``register(subparsers)`` and
``run(args, ctx) -> int``. Command modules import Prefect and the flows only inside ``run``,
so ``gameops --help``, ``gameops notes`` and the git hooks never pay for ``import prefect``.
"""

from __future__ import annotations

import argparse
import importlib
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


def build_parser() -> argparse.ArgumentParser:
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
        module = importlib.import_module(f"gameops.commands.{name}")
        module.register(sub, [common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from gameops.console import Context, configure_streams

    configure_streams()
    parser = build_parser()
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


def entry() -> None:  # pragma: no cover - console script shim
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
