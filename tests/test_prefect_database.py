"""A home's first server start uses Prefect's migrated empty SQLite database (gameops/data), only
where it cannot be wrong: never over a database, never for another database, never for a Prefect
that does not know its migration revision."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from gameops import prefect_database


def test_the_shipped_database_is_one_the_installed_prefect_can_migrate_from(tmp_path):
    """Fails after a Prefect upgrade that dropped the template's revision: `make prefect-template`."""
    known = prefect_database.known_revisions()
    assert len(known) > 100  # Prefect's SQLite migrations were found
    db = tmp_path / "template.db"
    db.write_bytes(gzip.decompress(prefect_database.TEMPLATE.read_bytes()))
    assert prefect_database.revision_of(db) in known


def fresh_env(tmp_path: Path) -> dict[str, str]:
    return {"PREFECT_HOME": str(tmp_path / "prefect-home"), "HOME": str(tmp_path)}


def test_a_fresh_home_gets_the_migrated_database(tmp_path):
    env = fresh_env(tmp_path)
    revision = prefect_database.seed(env, cwd=tmp_path)
    db = tmp_path / "prefect-home" / "prefect.db"
    assert revision in prefect_database.known_revisions() and prefect_database.revision_of(db) == revision
    assert [p.name for p in db.parent.iterdir()] == ["prefect.db"]  # no temporary file left


def test_an_existing_database_is_never_replaced(tmp_path):
    env = fresh_env(tmp_path)
    db = tmp_path / "prefect-home" / "prefect.db"
    db.parent.mkdir()
    db.write_bytes(b"the team's run history")
    assert prefect_database.seed(env, cwd=tmp_path) is None
    assert db.read_bytes() == b"the team's run history"
    db.unlink()
    db.symlink_to(tmp_path / "elsewhere.db")  # a link, even a dangling one, is left alone too
    assert prefect_database.seed(env, cwd=tmp_path) is None and not (tmp_path / "elsewhere.db").exists()


@pytest.mark.parametrize("where", ["env", "env-part", "profiles", "prefect.toml", ".env", "pyproject.toml"])
def test_another_database_anywhere_in_prefects_settings_means_no_seeding(tmp_path, where):
    env = fresh_env(tmp_path)
    home = tmp_path / "prefect-home"
    home.mkdir()
    if where == "env":
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = "postgresql+asyncpg://u:p@db/prefect"
    elif where == "env-part":
        env["PREFECT_SERVER_DATABASE_HOST"] = "db"
    elif where == "profiles":
        (home / "profiles.toml").write_text('[profiles.local]\nPREFECT_SERVER_DATABASE_CONNECTION_URL = "sqlite+aiosqlite:///x.db"\n')
    elif where == "prefect.toml":
        (tmp_path / "prefect.toml").write_text('[server.database]\nconnection_url = "sqlite+aiosqlite:///x.db"\n')
    elif where == ".env":
        (tmp_path / ".env").write_text("PREFECT_SERVER_DATABASE_CONNECTION_URL=sqlite+aiosqlite:///x.db\n")
    else:
        (tmp_path / "pyproject.toml").write_text('[tool.prefect.server.database]\nconnection_url = "x"\n')
    assert prefect_database.seed(env, cwd=tmp_path) is None
    assert not (home / "prefect.db").exists()


def test_a_template_the_installed_prefect_does_not_know_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(prefect_database, "known_revisions", lambda: {"0000aaaa0000"})
    assert prefect_database.seed(fresh_env(tmp_path), cwd=tmp_path) is None
    assert not (tmp_path / "prefect-home").exists() or not any((tmp_path / "prefect-home").iterdir())


def test_a_damaged_template_is_not_used(tmp_path):
    bad = tmp_path / "bad.db.gz"
    bad.write_bytes(gzip.compress(b"not a database"))
    truncated = tmp_path / "truncated.db.gz"
    truncated.write_bytes(prefect_database.TEMPLATE.read_bytes()[:4000])
    for template in (bad, truncated):
        assert prefect_database.seed(fresh_env(tmp_path), cwd=tmp_path, template=template) is None
        assert not (tmp_path / "prefect-home" / "prefect.db").exists()
    shutil.rmtree(tmp_path / "prefect-home", ignore_errors=True)


def test_settings_files_that_name_no_database_do_not_stop_it(tmp_path):
    env = fresh_env(tmp_path)
    home = tmp_path / "prefect-home"
    home.mkdir()
    (home / "profiles.toml").write_text('active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n')
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "game"\ndescription = "a database of monsters"\n')
    (tmp_path / ".env").write_text("DATABASE_URL=postgres://game/db\nPREFECT_LOGGING_LEVEL=INFO\n")
    assert prefect_database.seed(env, cwd=tmp_path) is not None


def test_a_settings_file_that_is_a_link_or_huge_is_not_read_and_stops_it(tmp_path):
    """The working folder may be an untrusted repository: nothing outside it is read."""
    outside = tmp_path / "outside.toml"
    outside.write_text("nothing about storage here\n")
    work = tmp_path / "repo"
    work.mkdir()
    (work / "prefect.toml").symlink_to(outside)
    assert prefect_database.seed(fresh_env(tmp_path), cwd=work) is None
    (work / "prefect.toml").unlink()
    with open(work / ".env", "wb") as fh:
        fh.truncate(2 << 20)
    assert prefect_database.seed(fresh_env(tmp_path), cwd=work) is None
    (work / ".env").unlink()
    assert prefect_database.seed(fresh_env(tmp_path), cwd=work) is not None
