"""Secrets never leave the process: one registry of secret values, applied on every path out.

The values of the environment variables named in ``redact:`` are registered here when the
config is loaded (:func:`remember`). From then on, in this process:

- every process gameops runs (:func:`gameops.process.run`, and git through
  :mod:`gameops.git`) has its output redacted line by line, whatever the caller passed;
- every log record, of any logger (Prefect's ``prefect.flow_runs`` / ``prefect.task_runs``
  included, whose API handler sends records to the server), is redacted when it is created:
  :func:`install_log_redaction` wraps the log-record factory, so a handler added later (the
  API log handler, a worker's console) can only ever see the redacted text. The message, its
  arguments and the formatted traceback are all covered;
- messages of exceptions that end a flow (the state message Prefect stores), reports,
  artifacts, CLI output and ``--json`` are built from already-redacted text, and
  :func:`redact` is there for what is built from anything else.

It stays plain Python (no Prefect import), so the core, the CLI and the flows share it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

REDACTED = "***"
MIN_LENGTH = 3  # shorter values would blank out ordinary text

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()
_installed = False


def _ordered(values: Iterable[str]) -> tuple[str, ...]:
    """Distinct secrets, longest first (so a secret containing another is hidden whole)."""
    return tuple(sorted({v for v in values if v and len(v) >= MIN_LENGTH}, key=len, reverse=True))


def remember(values: Iterable[str]) -> None:
    """Register secret values for this process (idempotent) and arm log redaction."""
    global _secrets
    new = _ordered([*_secrets, *values])
    with _lock:
        _secrets = new
    if new:
        install_log_redaction()


def known() -> tuple[str, ...]:
    """Every secret registered in this process, longest first."""
    return _secrets


def forget_all() -> None:
    """Drop every registered secret (tests)."""
    global _secrets
    with _lock:
        _secrets = ()


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with every registered secret (and every value of ``extra``) replaced by ***."""
    secrets = _ordered([*_secrets, *extra]) if extra else _secrets
    for s in secrets:
        if s in text:
            text = text.replace(s, REDACTED)
    return text


def _redact_record(record: logging.LogRecord) -> None:
    if not _secrets:
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to the handler to report
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts a record in place (never drops it); for handlers that
    receive records made before :func:`install_log_redaction` ran."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def install_log_redaction() -> None:
    """Redact every log record of this process when it is created (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
    # and a filter on the handlers that exist already (Prefect's API and console handlers, once
    # Prefect has configured logging), for records made by code that bypasses the factory
    for name in ("", "prefect", "prefect.flow_runs", "prefect.task_runs"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
