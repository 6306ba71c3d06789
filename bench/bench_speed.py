"""Prefect at command-line speed (issue 12): every figure is a ratio measured side by side in this
one run, A and B in turn, the median of the pair-by-pair ratios.

- the first flow command on a fresh machine (no server, a fresh PREFECT_HOME and GAMEOPS_HOME:
  gameops starts its local server, Prefect creates its database) against
  ``python -c "import prefect"``: goal <= 6;
- ``gameops check`` against a running server against ``import prefect``: goal <= 1.4;
- ``gameops notes`` over 5,500 commits against git-cliff 2.12 on the same history: goal <= 1.0;
  ``notes --unreleased``: goal <= 2.0 (git-cliff 2.13 and later are much slower: the fast one
  is the yardstick; ``pip install -e '.[bench]'`` pins it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from bench.timing import VENV_BIN, paired, row, user_env

ROOT = Path(__file__).resolve().parent.parent
PY = str(VENV_BIN / "python")
GAMEOPS = str(VENV_BIN / "gameops")
IMPORT_PREFECT = [PY, "-c", "import prefect"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sample_repo(dest: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "sample-game", dest)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "chore: the sample game"]):
        subprocess.run(["git", *args], cwd=dest, check=True, env=env)
    return dest


def _verdict(ratio: float, goal: float) -> str:
    return f"{ratio:.2f}  (goal <= {goal}: {'met' if ratio <= goal else 'NOT met'})"


def bench_flow_commands(tmp: Path) -> None:
    repo = _sample_repo(tmp / "sample-game")
    godot = shutil.which("godot3-server") or "/bin/true"
    base = {**user_env(), "GODOT_BIN": godot}
    base.pop("PREFECT_API_URL", None)
    check = [GAMEOPS, "--project", str(repo), "check"]
    homes = iter(range(1000))
    current: dict[str, str] = {}

    def fresh_machine() -> dict[str, str]:
        n = next(homes)
        current.clear()
        current.update({"PREFECT_HOME": str(tmp / f"prefect-home-{n}"), "GAMEOPS_HOME": str(tmp / f"gameops-home-{n}"),
                        "GAMEOPS_SERVER__PORT": str(_free_port())})
        return current

    def stop_server() -> None:
        subprocess.run([GAMEOPS, "server", "stop"], env={**base, **current}, capture_output=True, check=False)

    ratio, a, b = paired(check, IMPORT_PREFECT, pairs=3, env=base, before_a=fresh_machine, after_a=stop_server)
    row("first `gameops check` on a fresh machine (median of 3)", f"{a:.1f} s")
    row("python -c 'import prefect'", f"{b:.2f} s")
    row("ratio first flow command / import prefect", _verdict(ratio, 6))

    home = {"PREFECT_HOME": str(tmp / "prefect-home-warm"), "GAMEOPS_HOME": str(tmp / "gameops-home-warm"),
            "GAMEOPS_SERVER__PORT": str(_free_port())}
    warm = {**base, **home}
    subprocess.run([GAMEOPS, "server", "start"], env=warm, capture_output=True, check=True)
    try:
        ratio, a, b = paired(check, IMPORT_PREFECT, pairs=7, env=warm)
    finally:
        subprocess.run([GAMEOPS, "server", "stop"], env=warm, capture_output=True, check=False)
    row("`gameops check` against a running server (median of 7)", f"{a:.2f} s")
    row("python -c 'import prefect'", f"{b:.2f} s")
    row("ratio check / import prefect", _verdict(ratio, 1.4))


def _git_cliff() -> str | None:
    cliff = shutil.which("git-cliff", path=str(VENV_BIN)) or shutil.which("git-cliff")
    if not cliff:
        return None
    version = subprocess.run([cliff, "--version"], capture_output=True, text=True).stdout.split()
    return cliff if version[-1:] and version[-1].startswith("2.12.") else None


def bench_notes(tmp: Path) -> None:
    from bench.bench_release import generate_repo

    cliff = _git_cliff()
    if cliff is None:
        row("git-cliff 2.12", "not installed: pip install -e '.[bench]' (pins git-cliff==2.12.*)")
        return
    repo = tmp / "history"
    generate_repo(repo, commits=5_500, tags=500)
    env = user_env()
    for args, goal in ((["notes"], 1.0), (["notes", "--unreleased"], 2.0)):
        cliff_args = [cliff, "--offline", "-r", str(repo), "-o", os.devnull] + (["--unreleased"] if "--unreleased" in args else [])
        ratio, a, b = paired([GAMEOPS, "--project", str(repo), *args], cliff_args, pairs=9, env=env, cwd=repo)
        label = " ".join(args)
        row(f"gameops {label} over 5,500 commits (median of 9)", f"{a * 1000:.0f} ms")
        row(f"git-cliff 2.12{' --unreleased' if '--unreleased' in args else ''}", f"{b * 1000:.0f} ms")
        row(f"ratio {label} / git-cliff", _verdict(ratio, goal))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gameops-bench-speed-") as d:
        tmp = Path(d)
        bench_notes(tmp)
        bench_flow_commands(tmp)
