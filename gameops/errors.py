"""The errors gameops raises on purpose, and the exit codes they map to.

Exit codes (DESIGN.md): 0 success; 1 the job ran and something failed; 2 bad input.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class GameopsError(Exception):
    """Base class. ``str(err)`` is the one line shown to the user."""

    exit_code = EXIT_FAILED


class BadInput(GameopsError):
    """Bad arguments, config, version string, missing tool or unreadable file (exit 2).

    Raise it before anything is written: the contract is that bad input changes nothing.
    """

    exit_code = EXIT_BAD_INPUT


class ConfigError(BadInput):
    """gameops.yaml (or a GAMEOPS_* override) is invalid."""


class ToolMissing(BadInput):
    """A required external tool (git, dotnet, godot) cannot be found."""


class JobFailed(GameopsError):
    """The job ran and something failed: a test, a gate, an export (exit 1).

    ``report`` carries the job's result document (what ``--json`` prints) so the command line
    can still show what failed when a flow ends in a Failed state.
    """

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report

    def __reduce__(self):  # keep ``report`` when Prefect pickles the exception into a state
        return (self.__class__, (str(self), self.report))
