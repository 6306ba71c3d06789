"""Shared test fixtures.

- ``prefect_api``: ONE Prefect test server for the whole pytest run (started on first use,
  heartbeats off). Pure-logic tests never touch it.
- ``sample_repo``: a scratch git repository holding a copy of examples/sample-game.
- ``gameops_cli``: runs ``gameops.cli.main(argv)`` in-process (``process=True``: a real
  subprocess, for smoke runs) against the test server.
- ``shared_fixtures``: ../shared/fixtures, or skip when it is absent (a user's clone).
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_GAME = ROOT / "examples" / "sample-game"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"
LOCAL_FIXTURES = Path(__file__).resolve().parent / "fixtures"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """Every test: its own GAMEOPS_HOME, deterministic git identity, no inherited overrides;
    no Prefect server left running in that home afterwards."""
    home = tmp_path_factory.mktemp("gameops-home")
    monkeypatch.setenv("GAMEOPS_HOME", str(home))
    for k, v in GIT_ENV.items():
        monkeypatch.setenv(k, v)
    for k in list(os.environ):
        if k.startswith("GAMEOPS_") and "__" in k:
            monkeypatch.delenv(k)
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from gameops import redaction

    redaction.forget_all()  # a secret one test's config registered must not redact another's output
    yield
    # A flow command without the `prefect` fixture starts a real server in this home
    # (gameops.server.connect): stop it, and fail the test that forgot to stop it.
    if (home / "server.json").exists():
        from gameops import server

        st = server.stop()
        pytest.fail(f"the test left a Prefect server running (pid {st and st.pid}); use the prefect fixture")


@pytest.fixture(scope="session")
def prefect_api():
    """Start one Prefect test server for the session (one per test worker under `make test`); yields its API URL."""
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            url = PREFECT_API_URL.value()
            os.environ["PREFECT_API_URL"] = url
            try:
                yield url
            finally:
                os.environ.pop("PREFECT_API_URL", None)


@pytest.fixture
def prefect(prefect_api, monkeypatch):
    """Per-test view of the session server: PREFECT_API_URL set in the environment."""
    monkeypatch.setenv("PREFECT_API_URL", prefect_api)
    return prefect_api


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    if out.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {out.stderr}")
    return out.stdout.strip()


def make_repo(src: Path, dest: Path, message: str = "chore: import the sample game") -> Path:
    shutil.copytree(src, dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", message)
    return dest


@pytest.fixture
def sample_repo(tmp_path) -> Path:
    return make_repo(SAMPLE_GAME, tmp_path / "sample-game")


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout)


# Environment read when an interpreter or Prefect starts (encodings, Prefect settings): a run that
# sets one of these needs its own process to mean anything, so it runs as a subprocess.
_STARTUP_ENV_PREFIXES = ("PYTHON", "PREFECT_", "LANG", "LC_")


def run_in_process(args: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> CliResult:
    """``gameops.cli.main(args)`` in this process, with what a real run would have: its own
    stdout/stderr (captured), an empty stdin, the given cwd and environment, and SystemExit
    (argparse's --help, usage errors) as the exit code. Everything it changes in the process
    (environment, cwd, standard streams, root logging handlers) is put back afterwards."""
    from gameops.cli import main

    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(env or {})
        os.chdir(cwd or ROOT)
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
            if exc.code is not None and not isinstance(exc.code, int):
                err.write(f"{exc.code}\n")
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    return CliResult(int(code), out.getvalue(), err.getvalue())


def run_subprocess(args: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                   timeout: float = 300) -> CliResult:
    """``python -m gameops.cli ARGS`` as a real process (the smoke runs)."""
    out = subprocess.run(
        [sys.executable, "-m", "gameops.cli", *args], cwd=cwd or ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout, stdin=subprocess.DEVNULL,
    )
    return CliResult(out.returncode, out.stdout, out.stderr)


@pytest.fixture
def gameops_cli(monkeypatch):
    """Run ``gameops ARGS``: in-process through ``gameops.cli.main`` (fast), or as a real
    subprocess with ``process=True`` (a smoke run of the installed command line) or when ``env``
    sets a variable read at interpreter or Prefect start-up. Flow commands use the session's
    Prefect server when the test asked for it (the ``prefect`` fixture)."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300,
            process: bool = False) -> CliResult:
        if process or any(k.startswith(_STARTUP_ENV_PREFIXES) for k in env or {}):
            return run_subprocess(args, cwd=cwd, env=env, timeout=timeout)
        return run_in_process(args, cwd=cwd, env=env)

    return run


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is absent (a user's clone): fixture-file tests skipped")
    return SHARED_FIXTURES


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under root with its mode and bytes, to prove a command wrote nothing."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and ".git" not in p.relative_to(root).parts:
            out[str(p.relative_to(root))] = (p.stat().st_mode, p.read_bytes())
    return out
