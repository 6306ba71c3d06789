"""`make ui-check`: what a user sees in the Prefect UI after a gameops release.

Starts a Prefect server (temporary home, free port), releases the bundled sample game with
`gameops release`, then opens the UI in headless Chromium (Debian's `chromium`) and saves
screenshots of the release's flow run and of its release artifact to docs/img/:

- ui-flow-run.png          the run page: the task graph (plan, export, package, ...), states
- ui-release-artifact.png  the release summary artifact: artifacts, sizes, sha256, notes
- ui-runs.png              the runs list

Everything it starts is stopped at the end. Exit 0 when every screenshot was written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "img"
GIT = {"GIT_AUTHOR_NAME": "Sample Dev", "GIT_AUTHOR_EMAIL": "dev@example.invalid",
       "GIT_COMMITTER_NAME": "Sample Dev", "GIT_COMMITTER_EMAIL": "dev@example.invalid"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                  "--disable-dev-shm-usage", "--window-size=1440,1000", "--virtual-time-budget=20000"]


def say(msg: str) -> None:
    print(f"ui-check: {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("ui-check: chromium not found (apt-get install chromium)")


def api_post(api: str, path: str, body: dict) -> list:
    req = urllib.request.Request(f"{api}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT})


def screenshot(url: str, dest: Path, profile: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp.png")
    cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={tmp}", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    if not tmp.is_file() or tmp.stat().st_size < 10_000:
        raise SystemExit(f"ui-check: no screenshot of {url}: {out.stderr.strip()[-400:]}")
    os.replace(tmp, dest)
    say(f"saved {dest.relative_to(ROOT).as_posix()} ({dest.stat().st_size // 1024} KiB) <- {url}")


def main() -> int:
    from gameops import server
    from gameops.process import kill_tree

    chromium()
    tmp = Path(tempfile.mkdtemp(prefix="gameops-ui-check-"))
    os.environ.update(GAMEOPS_HOME=str(tmp / "gameops"), PREFECT_HOME=str(tmp / "prefect"), DO_NOT_TRACK="1",
                      PREFECT_SERVER_ANALYTICS_ENABLED="false")
    os.environ.pop("PREFECT_API_URL", None)
    st = None
    try:
        say("starting a Prefect server")
        st, _ = server.start(port=free_port(), wait_s=240)
        game = tmp / "sample-game"
        shutil.copytree(ROOT / "examples" / "sample-game", game)
        git(game, "init", "-q", "-b", "main")
        git(game, "add", "-A")
        git(game, "commit", "-q", "-m", "feat: first playable build")
        env = {**os.environ, **GIT, "PREFECT_API_URL": st.api_url, "PREFECT_UI_URL": st.url}
        say("gameops release 1.0.0 on the sample game")
        rel = subprocess.run([sys.executable, "-m", "gameops.cli", "--project", str(game), "release", "1.0.0"],
                             capture_output=True, text=True, env=env, timeout=900, stdin=subprocess.DEVNULL)
        if rel.returncode != 0:
            raise SystemExit(f"ui-check: release failed: {rel.stderr.strip()[-600:]}")
        m = re.search(r"/runs/flow-run/([0-9a-f-]{36})", rel.stderr)
        if not m:
            raise SystemExit("ui-check: the release printed no Prefect run link")
        run_id = m.group(1)
        time.sleep(2)  # let the server record the last task and artifact events
        arts = api_post(st.api_url, "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run_id]}}, "limit": 20})
        release_art = next((a for a in arts if (a.get("key") or "").startswith("release-")), None)
        if release_art is None:
            raise SystemExit(f"ui-check: no release artifact on run {run_id}")
        profile = tmp / "chromium-profile"
        profile.mkdir()
        screenshot(f"{st.url}/runs/flow-run/{run_id}", OUT / "ui-flow-run.png", profile)
        screenshot(f"{st.url}/artifacts/artifact/{release_art['id']}", OUT / "ui-release-artifact.png", profile)
        screenshot(f"{st.url}/runs", OUT / "ui-runs.png", profile)
        return 0
    finally:
        if st is not None:
            kill_tree(st.pid, grace_s=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
