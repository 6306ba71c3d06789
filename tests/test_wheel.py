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
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_GAME, make_repo

PACKAGE_FOLDERS = {"gameops": "gameops", "flows": "gameops/flows", "tasks": "gameops/tasks",
                   "deployments": "gameops/deployments"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of the sources, so the build's egg-info and build/ folders never land in the checkout.
    src = out / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", ".demo", ".bench", "build", "dist",
                                                             "*.egg-info", "__pycache__", ".pytest_cache"))
    r = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    (whl,) = out.glob("gameops-*.whl")
    return whl


def test_wheel_holds_only_the_gameops_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"gameops"}
    # Every source module of the four folders is in the wheel, under the gameops namespace.
    for folder, installed in PACKAGE_FOLDERS.items():
        for py in (ROOT / folder).rglob("*.py"):
            rel = py.relative_to(ROOT / folder).as_posix()
            assert f"{installed}/{rel}" in names, f"{folder}/{rel} is missing from the wheel"


@pytest.mark.prefect
@pytest.mark.godot
@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("godot3-server"), reason="godot3-server is not installed")
def test_installed_wheel_releases_from_another_folder(wheel, prefect, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # The wheel unpacked as pip would, and its dependencies from the test environment's site-packages
    # (appended after the venv's own folder; that folder's .pth files, the checkout's editable
    # install among them, are not processed, so nothing of the checkout is importable).
    zipfile.ZipFile(wheel).extractall(site)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
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
