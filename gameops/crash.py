"""Unexpected errors at the edge of the command line: one line for people, the details in a file.

A bug (any exception that is not a :class:`gameops.errors.GameopsError`) must not pour a
traceback over a user's terminal or CI log. :func:`record` writes the traceback (secrets
redacted) to ``$GAMEOPS_HOME/logs/error-<time>-<pid>.log`` and :func:`one_line` says what
happened and where the details are; ``-v`` prints the traceback as well.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path

from gameops.fileops import atomic_write_text
from gameops.process import Redactor

MAX_SHOWN = 200


def logs_dir() -> Path:
    from gameops.server import home

    return home() / "logs"


def details(exc: BaseException, argv: Sequence[str] | None, secrets: Iterable[str] = ()) -> str:
    """The full report of ``exc``: command line, time, traceback, secrets replaced by ***."""
    redact = Redactor(secrets)
    lines = [
        f"gameops {' '.join(argv or [])}",
        time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "",
        "".join(traceback.format_exception(exc)),
    ]
    return redact("\n".join(lines))


def record(exc: BaseException, argv: Sequence[str] | None, secrets: Iterable[str] = ()) -> Path | None:
    """Write the details of ``exc`` to a new log file; its path, or None when it cannot be written."""
    path = logs_dir() / f"error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    try:
        atomic_write_text(path, details(exc, argv, secrets))
    except OSError:
        return None
    return path


def one_line(exc: BaseException, where: Path | None, secrets: Iterable[str] = ()) -> str:
    """``unexpected error (Kind: message); details in FILE`` on one line, secrets redacted."""
    message = " ".join(str(exc).split())
    if len(message) > MAX_SHOWN:
        message = message[: MAX_SHOWN - 1] + "…"
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    what = Redactor(secrets)(what)
    if where is None:
        return f"unexpected error ({what}); the details could not be logged, run again with -v to see them"
    return f"unexpected error ({what}); details in {where} (-v shows them here)"
