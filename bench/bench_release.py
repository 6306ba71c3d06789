"""Release benchmarks, side by side:

- notes over a generated repository of 10,000 commits and 900 tags (goal: full < 0.5 s,
  --unreleased < 0.1 s), in-process and through the `gameops notes` command, against git-cliff
  when it is installed;
- packaging and hashing throughput of one export folder against the `zip` and `sha256sum` commands;
- the second, cached release of the sample game against the first (real Godot, Prefect).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import VENV_BIN, row, timed, wall

ROOT = Path(__file__).resolve().parent.parent
COMMITS, TAGS = 10_000, 900
TYPES = ["feat", "fix", "perf", "refactor", "docs", "chore", "test", "ci", "chore(deps)", "fix(ui)", "feat(core)"]
ENV = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def generate_repo(path: Path, commits: int = COMMITS, tags: int = TAGS) -> None:
    """``commits`` commits and ``tags`` release tags in one `git fast-import` stream (a few seconds)."""
    COMMITS, TAGS = commits, tags  # noqa: N806 - the module's defaults, overridden
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=ENV)
    every = COMMITS // TAGS
    lines: list[bytes] = []
    t0 = 1_600_000_000
    tag_no = 0
    for i in range(1, COMMITS + 1):
        kind = TYPES[i % len(TYPES)]
        bang = "!" if i % 97 == 0 else ""
        item = f" VS_{i % 1000:03d}" if i % 5 == 0 else ""
        msg = f"{kind}{bang}: change number {i}{item}\n\nBody of change {i}.\n".encode()
        data = f"{i}\n".encode()
        lines += [b"commit refs/heads/main", f"mark :{i}".encode(),
                  f"author Dev{i % 7} <dev{i % 7}@example.invalid> {t0 + i * 60} +0000".encode(),
                  f"committer Bench <bench@example.invalid> {t0 + i * 60} +0000".encode(),
                  f"data {len(msg)}".encode(), msg]
        if i > 1:
            lines.append(f"from :{i - 1}".encode())
        lines += [f"M 644 inline file{i % 50}.txt".encode(), f"data {len(data)}".encode(), data]
        if i % every == 0 and tag_no < TAGS:
            tag_no += 1
            lines += [f"reset refs/tags/v1.{tag_no // 100}.{tag_no % 100}".encode(), f"from :{i}".encode(), b""]
    stream = b"\n".join(lines) + b"\n"
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=stream, check=True, env=ENV)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=path, check=True, env=ENV)


def bench_notes(repo: Path) -> None:
    from gameops import changelog
    from gameops.config import load

    src = changelog.NotesSource.from_loaded(load(repo))
    full = timed(lambda: "".join(changelog.render_markdown(n, src.links) for n in changelog.history(src)), repeat=5)
    unrel = timed(lambda: changelog.render_markdown(changelog.unreleased(src), src.links), repeat=5)
    releases = len(changelog.history(src))
    row(f"notes, full history in-process ({releases} sections)", f"{full * 1000:.0f} ms  (goal < 500 ms)")
    row("notes --unreleased in-process", f"{unrel * 1000:.1f} ms  (goal < 100 ms)")
    from gameops import release_tags

    tags = timed(lambda: release_tags.read(repo).previous(), repeat=5)
    row(f"previous release among {len(release_tags.read(repo).tags)} tags", f"{tags * 1000:.1f} ms")
    detect = timed(lambda: load(repo), repeat=5) - timed(lambda: load(repo, environ={"GAMEOPS_RELEASE__TAG_PREFIX": "v"}), repeat=5)
    row("config load: cost of detecting release.tag_prefix", f"{detect * 1000:.1f} ms")
    gameops = str(VENV_BIN / "gameops")
    cli_full = wall([gameops, "--project", str(repo), "notes"], repeat=5)
    cli_unrel = wall([gameops, "--project", str(repo), "notes", "--unreleased"], repeat=5)
    row("gameops notes (whole command)", f"{cli_full * 1000:.0f} ms")
    row("gameops notes --unreleased (whole command)", f"{cli_unrel * 1000:.0f} ms")
    cliff = shutil.which("git-cliff") or (str(VENV_BIN / "git-cliff") if (VENV_BIN / "git-cliff").exists() else None)
    if cliff:
        c_full = wall([cliff, "--offline", "-r", str(repo), "-o", os.devnull], repeat=3)
        c_unrel = wall([cliff, "--offline", "-r", str(repo), "--unreleased", "-o", os.devnull], repeat=3)
        row("git-cliff full (same repo)", f"{c_full * 1000:.0f} ms  ratio gameops/git-cliff {cli_full / c_full:.2f}")
        row("git-cliff --unreleased", f"{c_unrel * 1000:.0f} ms  ratio {cli_unrel / c_unrel:.2f}")
        shutil.rmtree(repo / ".git" / "git-cliff-core", ignore_errors=True)
    else:
        row("git-cliff", "not installed (pip install git-cliff to compare)")


def bench_packaging(tmp: Path) -> None:
    from gameops import packaging
    from gameops.fileops import sha256_file

    folder = tmp / "export"
    folder.mkdir()
    runner = shutil.which("godot3-runner")
    if runner:
        shutil.copy(runner, folder / "game.x86_64")  # a real 32 MB engine binary, as in the Linux export
    rnd = os.urandom(1 << 20)
    for i in range(64):
        (folder / f"asset{i:02d}.bin").write_bytes((rnd[: (i + 1) * 8192] + bytes(range(256)) * 64) * 8)
    size = sum(p.stat().st_size for p in folder.iterdir())
    ours = tmp / "ours.zip"
    t_ours = timed(lambda: (ours.unlink(missing_ok=True), packaging.write_zip(ours, packaging.tree_items(folder), 1_700_000_000, wrap="g")), repeat=3)
    mb = size / 1e6
    row(f"reproducible zip of {mb:.0f} MB (gameops)", f"{t_ours:.2f} s  {mb / t_ours:.0f} MB/s")
    if shutil.which("zip"):
        theirs = tmp / "theirs.zip"
        t_zip = timed(lambda: (theirs.unlink(missing_ok=True), subprocess.run(["zip", "-q", "-X", "-r", "-6", str(theirs), "."], cwd=folder, check=True)), repeat=3)
        row("zip -X -r -6 (Info-ZIP, same folder)", f"{t_zip:.2f} s  {mb / t_zip:.0f} MB/s  ratio gameops/zip {t_ours / t_zip:.2f}")
    t_hash = timed(lambda: sha256_file(ours), repeat=5)
    zmb = ours.stat().st_size / 1e6
    row(f"sha256 of the {zmb:.0f} MB zip (gameops)", f"{t_hash * 1000:.0f} ms  {zmb / t_hash:.0f} MB/s")
    if shutil.which("sha256sum"):
        t_sum = wall(["sha256sum", str(ours)], repeat=5)
        row("sha256sum (same file)", f"{t_sum * 1000:.0f} ms  ratio gameops/sha256sum {t_hash / t_sum:.2f}")


def bench_cached_release(tmp: Path) -> None:
    if not shutil.which("godot3-server"):
        row("cached release", "skipped: godot3-server not installed")
        return
    repo = tmp / "sample-game"
    shutil.copytree(ROOT / "examples" / "sample-game", repo)
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, env=ENV, capture_output=True)  # noqa: E731
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "feat: the sample game")
    # Both releases run in this process, so Prefect's start-up is paid once, before either.
    from gameops.server import prepare_prefect_environment

    prepare_prefect_environment(0)
    from prefect import flow

    from gameops.flows.runtime import run_flow

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    warm_up()

    def release(version: str) -> tuple[float, bool]:
        t = time.perf_counter()
        report = run_flow("gameops.flows.release:release", {"project": str(repo), "version": version, "tag": False})
        return time.perf_counter() - t, report["exports"][0]["cached"]

    first, c1 = release("0.1.0")
    # the release committed CHANGELOG.md as chore(release): 0.1.0 (the preset excludes *.md): 0.1.1 reuses the export
    second, c2 = release("0.1.1")
    row(f"first release flow (Godot export, cached={c1})", f"{first:.2f} s")
    row(f"second release flow (cached={c2})", f"{second:.2f} s  ratio second/first {second / first:.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gameops-bench-release-") as d:
        tmp = Path(d)
        repo = tmp / "history"
        t = time.perf_counter()
        generate_repo(repo)
        row(f"generated {COMMITS:,} commits, {TAGS} tags", f"{time.perf_counter() - t:.1f} s")
        bench_notes(repo)
        bench_packaging(tmp)
        bench_cached_release(tmp)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
