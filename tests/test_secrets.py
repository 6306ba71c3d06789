"""Secrets never leave the process (issue 11, point 5).

A value named in ``redact:`` and printed by a tool gameops runs (dotnet, a git hook) must not
reach stderr, stdout, ``--json``, the Prefect logs, state messages, events or artifacts. The
end-to-end test runs two flows whose tools print the secret next to a marker, then scans every
text column of every table of the Prefect test server's database: the marker is there (so the
scan looks where the output went), the secret is not.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from ci_helpers import game_repo, standin_path
from conftest import LOCAL_FIXTURES, git

TOKEN_VAR = "DEPLOY_TOKEN"


@pytest.fixture
def forget_secrets():
    from gameops import redaction

    redaction.forget_all()
    yield redaction
    redaction.forget_all()


def _commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def _database_path() -> Path:
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    url = PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
    assert url and url.startswith("sqlite"), f"the secret scan needs the SQLite test database, got {url!r}"
    return Path(url.split("///", 1)[1])


def _scan(db: Path, needle: str) -> list[str]:
    """Every table.column of the database whose text holds ``needle`` (read-only, while the server runs)."""
    found = []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            for col in cols:
                hit = con.execute(f'SELECT 1 FROM "{table}" WHERE CAST("{col}" AS TEXT) LIKE ? LIMIT 1',
                                  (f"%{needle}%",)).fetchone()
                if hit:
                    found.append(f"{table}.{col}")
    finally:
        con.close()
    return found


@pytest.mark.prefect
def test_a_secret_printed_by_tools_never_reaches_output_or_the_prefect_database(tmp_path, gameops_cli, prefect):
    secret = "tok-" + uuid.uuid4().hex
    env = {TOKEN_VAR: secret, "PATH": standin_path()}

    # 1. dotnet (the stand-in) prints it: a #warning and an #error in a C# file quote it
    game = game_repo(tmp_path)
    with (game / "gameops.yaml").open("a", encoding="utf-8") as f:
        f.write(f"\nredact: [{TOKEN_VAR}]\n")
    grid = game / "src" / "Lumen.Core" / "Grid.cs"
    grid.write_text(f"#warning buildmarker-{secret[-6:]} token={secret}\n#error builderror token={secret}\n"
                    + grid.read_text(encoding="utf-8"), encoding="utf-8")
    _commit_all(game, "chore: a token in the build output")
    build = gameops_cli("--project", str(game), "--json", "build", env=env)
    assert build.code == 1, build.stderr
    assert f"buildmarker-{secret[-6:]} token=***" in build.stdout  # the tool's line is there, redacted
    human = gameops_cli("--project", str(game), "-v", "build", env=env)
    assert "builderror" in human.stderr

    # 2. a git hook prints it when gameops commits (backlog archive --commit): the flow fails with it
    import shutil

    backlog = tmp_path / "backlog"
    shutil.copytree(LOCAL_FIXTURES / "backlog" / "inline", backlog)
    with (backlog / "gameops.yaml").open("a", encoding="utf-8") as f:
        f.write(f"\nredact: [{TOKEN_VAR}]\n")
    git(backlog, "init", "-q", "-b", "main")
    _commit_all(backlog, "chore: import backlog")
    hook = backlog / ".git" / "hooks" / "pre-commit"
    hook.write_text(f'#!/bin/sh\necho "hookout token=${TOKEN_VAR}"\necho "hookmarker token=${TOKEN_VAR}" >&2\nexit 1\n')
    hook.chmod(0o755)
    archive = gameops_cli("--project", str(backlog), "-v", "backlog", "archive", "--commit", "--date", "2025-08-29", env=env)
    assert archive.code == 1, archive.stderr
    assert "hookmarker token=***" in archive.stderr

    for out in (build, human, archive):
        assert secret not in out.stdout and secret not in out.stderr

    # 3. the Prefect database: the markers arrived (logs and state messages are flushed at exit,
    #    events a moment later), the secret did not, in any column of any table
    db = _database_path()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (_scan(db, "hookmarker token=***") and _scan(db, f"buildmarker-{secret[-6:]}")):
        time.sleep(1)
    assert _scan(db, "hookmarker token=***"), "the hook's line never reached the database: the scan proves nothing"
    assert _scan(db, f"buildmarker-{secret[-6:]}"), "the build's line never reached the database"
    time.sleep(2)  # events are written after the run ended
    assert _scan(db, secret) == []
    assert _scan(db, secret[4:20]) == []  # not even a part of it (a cut message)


def test_every_log_record_is_redacted_whichever_handler_gets_it(forget_secrets):
    redaction = forget_secrets
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            seen.append(self.format(record))

    logger = logging.getLogger("prefect.flow_runs.test-redaction")
    handler = Collect()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        redaction.remember(["hunter2-secret"])
        logger.info("token is %s", "hunter2-secret")
        try:
            raise RuntimeError("failed with hunter2-secret")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    assert seen[0] == "token is ***"
    assert "hunter2-secret" not in "\n".join(seen) and "RuntimeError: failed with ***" in seen[1]


def test_processes_and_git_redact_every_registered_secret(forget_secrets, tmp_path):
    import sys

    from gameops import process
    from gameops.git import GitError, git as run_git

    redaction = forget_secrets
    redaction.remember(["s3cr3t-value"])
    result = process.run([sys.executable, "-c", "print('value=s3cr3t-value')"])
    assert result.lines == ["value=***"]
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'refused: s3cr3t-value' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "a.txt").write_text("a")
    run_git(repo, "add", "a.txt")
    with pytest.raises(GitError) as err:
        run_git(repo, "commit", "-q", "-m", "x")
    assert "refused: ***" in str(err.value) and "s3cr3t-value" not in str(err.value)


def test_config_show_masks_webhook_and_database_password(sample_repo, gameops_cli):
    hook = "https://hooks.slack.com/services/T0001/B0001/abcdefSECRET"
    (sample_repo / "gameops.yaml").write_text(
        f"alerts:\n  webhook_url: {hook}\nserver:\n  database: postgresql+asyncpg://prefect:pa55word@db.internal:5432/prefect\n"
        f"redact: [{TOKEN_VAR}]\nrelease:\n  work_item_url: https://tracker.example/{{id}}?key=tok-9876543210\n",
        encoding="utf-8")
    env = {TOKEN_VAR: "tok-9876543210"}
    human = gameops_cli("--project", str(sample_repo), "config", "show", env={**env, "COLUMNS": "250"})
    doc = gameops_cli("--project", str(sample_repo), "--json", "config", "show", env=env)
    assert human.code == 0 and doc.code == 0, human.stderr + doc.stderr
    for out in (human.stderr + human.stdout, doc.stdout):
        assert "abcdefSECRET" not in out and "pa55word" not in out and "tok-9876543210" not in out
    cfg = doc.json["config"]
    assert cfg["alerts"]["webhook_url"] == "https://hooks.slack.com/***"
    assert cfg["server"]["database"] == "postgresql+asyncpg://prefect:***@db.internal:5432/prefect"
    assert cfg["release"]["work_item_url"] == "https://tracker.example/{id}?key=***"
    assert "hooks.slack.com/***" in human.stderr
