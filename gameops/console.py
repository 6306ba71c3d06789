"""Terminal output for the command line: rich on stderr for people, JSON on stdout for tools.

Console output must survive a non-UTF-8 console (Windows code pages): streams are
reconfigured to replace what they cannot encode instead of crashing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from gameops.errors import BadInput

_OK = "[green]✔[/green]"
_FAIL = "[red]✘[/red]"


def esc(value: Any) -> str:
    """``value`` as text that rich shows exactly as written: data (paths, test names, messages)
    never becomes markup, so ``[/tmp]`` does not raise and ``[xUnit.net 00:00:01]`` does not vanish."""
    from rich.markup import escape

    return escape(str(value))


def configure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def _can_encode(text: str) -> bool:
    enc = getattr(sys.stderr, "encoding", None) or "ascii"
    try:
        text.encode(enc)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def _cell(value: Any, redact) -> Any:
    """A table cell: data as plain text (never markup), styled cells as they are; secrets redacted."""
    from rich.text import Text

    if isinstance(value, Text):
        plain = redact(value.plain)
        return value if plain == value.plain else Text(plain, style=value.style)
    return Text(redact(str(value)))


class Context:
    """What every command gets: parsed args, config loading, output helpers, flow running."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.json = bool(getattr(args, "json", False))
        self.verbose = int(getattr(args, "verbose", 0) or 0)
        self.dry_run = bool(getattr(args, "dry_run", False))
        self._console = None
        self._loaded = None

    # -- output ---------------------------------------------------------
    @property
    def console(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False)
        return self._console

    def say(self, *parts: Any, **kwargs: Any) -> None:
        """A line for people (stderr); rich markup allowed unless markup=False.

        Markup is for gameops' own words: wrap every piece of data in :func:`esc`."""
        from gameops.redaction import redact

        kwargs.setdefault("soft_wrap", True)
        self.console.print(*(redact(p) if isinstance(p, str) else p for p in parts), **kwargs)

    def error(self, message: str) -> None:
        """One clear line, no traceback. Plain write: works before anything else is set up."""
        from gameops.redaction import redact

        sys.stderr.write(f"gameops: {redact(message)}\n")
        sys.stderr.flush()

    def warn(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/yellow] {esc(message)}", markup=True, soft_wrap=True)

    def emit_json(self, document: Any) -> None:
        from gameops import strict_json

        from gameops.redaction import redact

        sys.stdout.write(redact(strict_json.dumps(document, indent=2, ensure_ascii=False)) + "\n")
        sys.stdout.flush()

    def styled(self, text: str, style: str):
        """A table cell shown in ``style`` (e.g. ``styled("skip", "dim")``); ``text`` is never markup."""
        from rich.text import Text

        return Text(str(text), style=style)

    def mark(self, ok: bool):
        """A green tick or red cross (plain ok/FAIL on consoles that cannot encode them)."""
        from rich.text import Text

        sym = _OK if ok else _FAIL
        return Text.from_markup(sym if _can_encode("✔✘") else ("[green]ok[/green]" if ok else "[red]FAIL[/red]"))

    def table(self, title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        from rich.table import Table

        t = Table(title=title, title_justify="left", show_lines=False)
        for c in columns:
            t.add_column(c, overflow="fold")

        from gameops.redaction import redact

        for r in rows:  # data is shown as written: brackets in it are not rich markup
            t.add_row(*[_cell(x, redact) for x in r])
        self.console.print(t)

    def secrets(self) -> list[str]:
        """The values to redact (``redact:`` of the loaded config); none before it is loaded."""
        return self._loaded.secrets() if self._loaded is not None else []

    # -- config ---------------------------------------------------------
    def loaded(self):
        """The game repository's effective config (loaded once; bad config raises exit 2)."""
        if self._loaded is None:
            from gameops.config import load

            self._loaded = load(getattr(self.args, "project", None), getattr(self.args, "config", None))
        return self._loaded

    def say_assumptions(self) -> None:
        """After a job on a repository without gameops.yaml: say that settings were detected.

        Said at the end (not before a bad-input error, which stays one line), for people only,
        and not by commands that work without a game repository or show the config themselves.
        """
        notes = self._loaded.assumptions if self._loaded is not None else []
        if not notes or self.json or getattr(self.args, "command", None) in ("config", "server"):
            return
        if self.verbose:
            for note in notes:
                self.say(f"[dim]{esc(note)}[/dim]")
        else:
            self.say(f"[dim]no gameops.yaml: {len(notes)} setting(s) detected from the repository "
                     "(-v or `gameops config show` lists them)[/dim]")

    # -- flows ----------------------------------------------------------
    def run_job(self, target: str, **params: Any) -> tuple[Any, int]:
        """Run a job's flow on the loaded project; return ``(report, exit code)``.

        A flow that ends Failed with a report (``JobFailed(report=...)``: a failed test, check or
        gate) gives that report and exit code 1, so the command still prints what failed; any
        other failure propagates.
        """
        from gameops.errors import EXIT_FAILED, EXIT_OK, JobFailed

        loaded = self.loaded()
        params = {"project": str(loaded.root), "config": str(loaded.file) if loaded.file else None, **params}
        try:
            return self.run_flow(target, **params), EXIT_OK
        except JobFailed as exc:
            if not isinstance(exc.report, dict):
                raise
            return exc.report, EXIT_FAILED

    def run_flow(self, target: str, **params: Any):
        """Run ``module:flow`` in-process (imports Prefect here, not before). Returns the flow's result.

        See ``gameops.server.connect``: it picks ``PREFECT_API_URL`` or this home's running server,
        or starts that server in the background; Prefect and the flow are imported while it starts.
        ``flows/runtime.py`` turns off costs that buy nothing (flow heartbeats) and prints the UI link.
        """
        from gameops.server import connect

        cfg = self._server_config()
        connection = connect(self.verbose, cfg.host, cfg.port, cfg.database,
                             announce=lambda text: self.say(f"[dim]{text}[/dim]", markup=True))
        try:
            from gameops.flows.runtime import run_flow
        except ImportError as exc:  # a broken install, not the user's input
            connection.abandon()
            raise BadInput(f"cannot import the flows package ({exc}); reinstall gameops") from None
        except BaseException:  # Ctrl+C: no server is left starting unrecorded
            connection.abandon()
            raise
        connection.ready()
        return run_flow(target, params, self)

    def _server_config(self):
        """server: from the project's config when it was loaded, else the defaults (and env)."""
        if self._loaded is not None:
            return self._loaded.config.server
        from gameops.config import ServerConfig

        return ServerConfig()
