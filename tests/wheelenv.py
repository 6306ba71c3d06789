"""The built wheel of gameops and a fresh venv with it installed, as ``pipx install`` would.

Used by tests/test_wheel.py (a release from the installed wheel) and tests/test_deployments.py
(a worker that runs deployments from the installed wheel, with no checkout of gameops).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from conftest import ROOT


def build_wheel(out: Path) -> Path:
    """``python -m build --wheel`` of a copy of the sources (the build's leftovers stay out of the checkout)."""
    src = out / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", ".demo", ".bench", "build", "dist",
                                                             "*.egg-info", "__pycache__", ".pytest_cache", ".mypy_cache",
                                                             ".ruff_cache"))
    r = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    (whl,) = out.glob("gameops-*.whl")
    return whl


def install_in_fresh_venv(wheel: Path, venv: Path) -> tuple[Path, Path]:
    """(python, site-packages) of a new venv holding ``wheel``.

    The wheel is unpacked as pip would, and its dependencies come from the test environment's
    site-packages (appended after the venv's own folder; that folder's .pth files, the checkout's
    editable install among them, are not processed, so nothing of the checkout is importable).
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    zipfile.ZipFile(wheel).extractall(site)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return py, site
