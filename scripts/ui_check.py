"""`make ui-check`: what a user sees in the Prefect UI after a day of gameops on the sample game.

Starts a Prefect server (temporary home, free port), runs `gameops check`, `ci`,
`release 1.0.0`, `docs sync` and `backlog archive` on the bundled sample game (and `check` on a
second copy named other-game, so the project filter has something to hide), then opens the
UI in headless Chromium (Debian's `chromium`) and saves screenshots to docs/img/:

- ui-flow-run.png          the release run page: the task graph (plan, export, package, ...), states
- ui-release-artifact.png  the release board artifact: artifacts, sizes, sha256, notes
- ui-runs-by-project.png   the runs list filtered by the tag project:sample-game: each run named
                           after its job and project, with its tags
- ui-artifacts.png         the Artifacts page: the project's status boards (ci, release, backlog, docs)

Everything it starts is stopped at the end. Exit 0 when every screenshot was written.
"""

from __future__ import annotations

import base64
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
                  "--disable-dev-shm-usage", "--window-size=1440,1000"]
PAGE_WAIT_S = 120


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


class Browser:
    """Headless Chromium driven over the DevTools protocol (the websockets client Prefect installs).

    A screenshot is taken once the page shows the text it must show, so a page caught while
    its data is still loading is waited for, and a page that never shows it fails the check.
    """

    def __init__(self, profile: Path):
        from websockets.sync.client import connect

        port = free_port()
        self.proc = subprocess.Popen([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                      f"--remote-debugging-port={port}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                    pages = [t for t in json.loads(r.read()) if t.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("ui-check: chromium did not open its DevTools port")
            time.sleep(0.5)
        self.ws = connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=30)
        self.next_id = 0

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise SystemExit(f"ui-check: chromium {method}: {msg['error']}")
                return msg.get("result", {})

    def text(self) -> str:
        r = self.call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''", returnByValue=True)
        return r.get("result", {}).get("value") or ""

    def screenshot(self, url: str, dest: Path, shows: list[str], hides: tuple[str, ...] = (), height: int = 1000) -> None:
        """Open ``url`` 1440 px wide and ``height`` high; once every text of ``shows`` is on the page
        (and none of ``hides``), save a PNG to ``dest`` (atomically)."""
        self.call("Emulation.setDeviceMetricsOverride", width=1440, height=height, deviceScaleFactor=1, mobile=False)
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + PAGE_WAIT_S
        while True:
            text = self.text()
            missing = [t for t in shows if t not in text]
            shown = [t for t in hides if t in text]  # e.g. the full list, before the URL's filter applies
            if not missing and not shown:
                break
            if time.monotonic() > deadline:
                if missing:
                    raise SystemExit(f"ui-check: {url} did not show {missing} within {PAGE_WAIT_S} s")
                at = text.index(shown[0])
                raise SystemExit(f"ui-check: {url} still shows {shown} after {PAGE_WAIT_S} s: "
                                 f"...{text[max(0, at - 120):at + 60]!r}...")
            time.sleep(0.5)
        time.sleep(2)  # let transitions and the run graph's canvas settle
        png = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(".tmp.png")
        tmp.write_bytes(png)
        os.replace(tmp, dest)
        say(f"saved {dest.relative_to(ROOT).as_posix()} ({len(png) // 1024} KiB) <- {url}")

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def main() -> int:
    from gameops import run_labels, server
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
        other = tmp / "other-game"
        shutil.copytree(game, other, symlinks=True)
        jobs = [(game, ["check"]), (game, ["ci"]), (game, ["release", "1.0.0"]), (game, ["docs", "sync"]),
                (game, ["backlog", "archive"]), (other, ["check"])]
        links: dict[str, str] = {}
        for repo, args in jobs:
            say(f"gameops {' '.join(args)} on {repo.name}")
            run_env = {**env, "GAMEOPS_PROJECT__NAME": "other-game"} if repo == other else env
            out = subprocess.run([sys.executable, "-m", "gameops.cli", "--project", str(repo), *args],
                                 capture_output=True, text=True, env=run_env, timeout=900, stdin=subprocess.DEVNULL)
            if out.returncode not in (0, 1) or (args[0] == "release" and out.returncode != 0):
                raise SystemExit(f"ui-check: gameops {' '.join(args)} failed: {out.stderr.strip()[-600:]}")
            m = re.search(r"/runs/flow-run/([0-9a-f-]{36})", out.stderr)
            if not m:
                raise SystemExit(f"ui-check: gameops {' '.join(args)} printed no Prefect run link")
            links[args[0]] = m.group(1)
        run_id = links["release"]
        time.sleep(2)  # let the server record the last task and artifact events
        arts = api_post(st.api_url, "/artifacts/filter", {"artifacts": {"key": {"any_": ["sample-game-release"]}}, "limit": 5})
        release_art = next((a for a in arts if a.get("flow_run_id") == run_id), None)
        if release_art is None:
            raise SystemExit(f"ui-check: no sample-game-release artifact on run {run_id}")
        profile = tmp / "chromium-profile"
        profile.mkdir()
        browser = Browser(profile)
        try:
            browser.screenshot(f"{st.url}/runs/flow-run/{run_id}", OUT / "ui-flow-run.png",
                               shows=["release-sample-game-1.0.0", "project:sample-game", "Finished in state"])
            browser.screenshot(f"{st.url}/artifacts/artifact/{release_art['id']}", OUT / "ui-release-artifact.png",
                               shows=["sample-game-1.0.0-linux.zip", "version:1.0.0"], height=820)
            # The project filter: every job of the sample game, nothing of other-game.
            browser.screenshot(f"{st.url}/runs?tag=project:sample-game", OUT / "ui-runs-by-project.png",
                               shows=["check-sample-game", "ci-sample-game", "release-sample-game-1.0.0",
                                      "docs-sync-sample-game-", "backlog-archive-sample-game-"],
                               hides=("check-other-game",), height=1230)
            browser.screenshot(f"{st.url}/artifacts", OUT / "ui-artifacts.png",
                               shows=[run_labels.board_key("sample-game", b) for b in run_labels.BOARDS], height=560)
        finally:
            browser.close()
        return 0
    finally:
        if st is not None:
            kill_tree(st.pid, grace_s=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
