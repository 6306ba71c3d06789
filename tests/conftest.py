"""Shared test fixtures.

- ``prefect_api``: ONE Prefect test server for the whole pytest run (started on first use,
  heartbeats off). Pure-logic tests never touch it.
- ``sample_repo``: a scratch git repository holding a copy of examples/sample-game.
- ``gameops_cli``: runs the real ``gameops`` command in a subprocess against the test server.
- ``shared_fixtures``: ../shared/fixtures, or skip when it is absent (a user's clone).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
    """Every test: its own GAMEOPS_HOME, deterministic git identity, no inherited overrides."""
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


@pytest.fixture(scope="session")
def prefect_api():
    """Start one Prefect test server for the session; yields its API URL."""
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


@pytest.fixture
def gameops_cli(monkeypatch):
    """Run ``gameops ARGS`` as a real subprocess; uses the session server when the test asked for one."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300) -> CliResult:
        full_env = {**os.environ, **(env or {})}
        out = subprocess.run(
            [sys.executable, "-m", "gameops.cli", *args], cwd=cwd or ROOT, capture_output=True, text=True,
            env=full_env, timeout=timeout, stdin=subprocess.DEVNULL,
        )
        return CliResult(out.returncode, out.stdout, out.stderr)

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
