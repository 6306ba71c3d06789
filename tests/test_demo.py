"""`make demo`'s script on a machine where the UI's port is taken: it says why the UI did not
start, still releases the sample game (gameops starts its server on a free port) and exits 0."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess

import pytest

from conftest import ROOT, run_subprocess


@pytest.mark.slow
@pytest.mark.godot
def test_demo_finishes_the_release_when_the_ui_port_is_taken(tmp_path):
    if not (shutil.which("godot3-server") and shutil.which("godot3-runner")):
        pytest.skip("needs Debian's godot3-server and godot3-runner")
    demo = tmp_path / "demo" / "sample-game"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env.update({"GAMEOPS_SERVER__PORT": str(port), "GAMEOPS_DEMO_DIR": str(demo),
                    "PREFECT_HOME": str(tmp_path / "prefect-home")})
        try:
            r = subprocess.run(["bash", str(ROOT / "scripts" / "demo.sh")], env=env, capture_output=True, text=True,
                               timeout=900, stdin=subprocess.DEVNULL)
        finally:
            run_subprocess(["server", "stop"], env=env)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert f"port {port} on 127.0.0.1 is taken by another program" in r.stderr
    assert f"the Prefect UI did not start on port {port}" in r.stdout
    assert (demo / "dist" / "0.1.0" / "sample-game-0.1.0-linux.zip").is_file()
    assert "Prefect UI:      http://127.0.0.1:" in r.stdout and f":{port} " not in r.stdout
    assert "Traceback" not in out
