"""Git hooks: wall time of each hook against a plain `git commit` without hooks (goal: each < 150 ms).

Scratch repositories in a temporary folder; the hooks run exactly as git runs them (the
installed ``#!/bin/sh`` script, which execs ``python -P -m gameops.hooks NAME``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.timing import row, wall

REPEAT = 9
ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@gameops.invalid",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@gameops.invalid", "GIT_CONFIG_NOSYSTEM": "1"}


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True, text=True).stdout.strip()


def _repo(path: Path) -> Path:
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    (path / "README.md").write_text("bench\n")
    _git(path, "add", "README.md")
    _git(path, "commit", "-q", "-m", "chore: start")
    _git(path, "switch", "-q", "-c", "feat/VS_003-bench")
    return path


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gameops-bench-hooks-") as tmp:
        base = Path(tmp)
        plain = _repo(base / "plain")
        hooked = _repo(base / "hooked")
        subprocess.run([sys.executable, "-m", "gameops.cli", "--project", str(hooked), "hooks", "install"],
                       env=ENV, check=True, capture_output=True)
        hooks = hooked / ".git" / "hooks"
        msg = base / "MSG"
        msg.write_text("feat(VS_003): measure the hooks\n")
        empty = base / "EMPTY"
        empty.write_text("\n# Please enter the commit message for your changes.\n")
        head = _git(hooked, "rev-parse", "HEAD")
        zero = "0" * 40

        commit = ["git", "commit", "-q", "--allow-empty", "-m", "feat(VS_003): measure"]
        subprocess.run(commit, cwd=plain, env=ENV, capture_output=True)  # warm the file cache
        baseline = wall(commit, repeat=REPEAT, cwd=plain, env=ENV)
        with_hooks = wall(commit, repeat=REPEAT, cwd=hooked, env=ENV)

        def hook(name: str, *args: str, stdin: str | None = None) -> float:
            cmd = ["sh", str(hooks / name), *args]
            if stdin is None:
                return wall(cmd, repeat=REPEAT, cwd=hooked, env=ENV)
            import statistics
            import time

            times = []
            for _ in range(REPEAT):
                t = time.perf_counter()
                subprocess.run(cmd, cwd=hooked, env=ENV, input=stdin.encode(), capture_output=True)
                times.append(time.perf_counter() - t)
            return statistics.median(times)

        def restore_empty() -> float:
            # prepare-commit-msg rewrites the file it pre-fills: time it on a fresh copy each round
            import statistics
            import time

            times = []
            for _ in range(REPEAT):
                empty.write_text("\n# Please enter the commit message for your changes.\n")
                t = time.perf_counter()
                subprocess.run(["sh", str(hooks / "prepare-commit-msg"), str(empty)], cwd=hooked, env=ENV, capture_output=True)
                times.append(time.perf_counter() - t)
            return statistics.median(times)

        timings = [
            ("pre-commit", hook("pre-commit")),
            ("commit-msg", hook("commit-msg", str(msg))),
            ("prepare-commit-msg (-m: nothing to do)", hook("prepare-commit-msg", str(msg), "message")),
            ("prepare-commit-msg (pre-fill)", restore_empty()),
            ("pre-push (no C# in the push)", hook("pre-push", "origin", "url",
                                                  stdin=f"refs/heads/feat/VS_003-bench {head} refs/heads/feat/VS_003-bench {zero}\n")),
            ("post-checkout", hook("post-checkout", head, head, "1")),
        ]
        (hooked / "gameops.yaml").write_text("git:\n  behind_warn: 3\n  max_subject_length: 72\n")
        timings.append(("pre-commit, gameops.yaml with a git: section", hook("pre-commit")))
        cli = wall([sys.executable, "-m", "gameops.cli", "hooks", "run", "pre-commit"], repeat=REPEAT, cwd=hooked, env=ENV)
        (hooked / "gameops.yaml").unlink()

        row(f"plain git commit, no hooks (median of {REPEAT})", _ms(baseline))
        for name, t in timings:
            row(f"{name}", f"{_ms(t):>7}   x{t / baseline:.2f} of a plain commit   (goal < 150 ms: {'yes' if t < 0.15 else 'NO'})")
        row("git commit with all hooks installed", f"{_ms(with_hooks):>7}   x{with_hooks / baseline:.2f} of a plain commit")
        row("`gameops hooks run pre-commit` (full CLI)", f"{_ms(cli):>7}   x{cli / baseline:.2f} of a plain commit")


if __name__ == "__main__":
    main()
