"""The built wheel owns its namespace and works without the checkout.

The repository keeps flows/, tasks/ and deployments/ at its top; the wheel installs them as
gameops.flows, gameops.tasks and gameops.deployments and holds no other top-level package.
A wheel installed into a fresh venv (as pipx would) releases the sample game from a folder that
is not the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_GAME, make_repo
from wheelenv import build_wheel, install_in_fresh_venv

PACKAGE_FOLDERS = {"gameops": "gameops", "flows": "gameops/flows", "tasks": "gameops/tasks",
                   "deployments": "gameops/deployments"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_wheel_holds_only_the_gameops_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"gameops"}
    # Every source module of the four folders is in the wheel, under the gameops namespace.
    for folder, installed in PACKAGE_FOLDERS.items():
        for py in (ROOT / folder).rglob("*.py"):
            rel = py.relative_to(ROOT / folder).as_posix()
            assert f"{installed}/{rel}" in names, f"{folder}/{rel} is missing from the wheel"
    # and the migrated empty database a home's first server start uses (gameops/prefect_database.py)
    assert "gameops/data/prefect-sqlite.db.gz" in names



def test_wheel_carries_the_one_version_string(wheel):
    import gameops

    # pyproject.toml reads gameops.__version__: the wheel's name and metadata say the same
    assert wheel.name.startswith(f"gameops-{gameops.__version__}-")
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        assert f"\nVersion: {gameops.__version__}\n" in zf.read(meta).decode("utf-8")


@pytest.mark.prefect
@pytest.mark.godot
@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("godot3-server"), reason="godot3-server is not installed")
def test_installed_wheel_releases_from_another_folder(wheel, prefect, tmp_path):
    py, site = install_in_fresh_venv(wheel, tmp_path / "venv")
    repo = make_repo(SAMPLE_GAME, tmp_path / "game")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    probe = subprocess.run([str(py), "-P", "-c", "import gameops, gameops.flows.release; print(gameops.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, env=env)
    assert probe.returncode == 0, probe.stderr
    assert Path(probe.stdout.strip()).is_relative_to(site)
    r = subprocess.run([str(py), "-P", "-m", "gameops.cli", "--project", str(repo), "release", "0.1.0"],
                       cwd=elsewhere, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (repo / "dist" / "0.1.0" / "sample-game-0.1.0-linux.zip").is_file()
    assert not list(elsewhere.iterdir())
