"""Verified file operations: atomic writes, verified moves, journal, undo, and recovery after
``kill -9`` at every file-system step of a real archive run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import psutil
import pytest

from gameops import archive, backlog_verify, fileops, fileplan, journal
from gameops.config import load
from gameops.errors import JobFailed
from tests.backlog_helpers import copy_fixture, tree_bytes

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2025-08-29"


def test_atomic_write_unchanged_content_writes_nothing(tmp_path):
    p = tmp_path / "a.txt"
    assert fileops.atomic_write_text(p, "x\n") is True
    mtime = p.stat().st_mtime_ns
    assert fileops.atomic_write_text(p, "x\n") is False
    assert p.stat().st_mtime_ns == mtime
    assert [q.name for q in tmp_path.iterdir()] == ["a.txt"]


def _plan_move(root: Path, src: str, dst: str) -> fileplan.Plan:
    plan = fileplan.Plan()
    plan.move(src, dst, fileops.sha256_file(root / src))
    return plan


def test_verified_move_then_undo_restores_everything(tmp_path):
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "A.md").write_bytes(b"item a\n")
    (tmp_path / "list.md").write_bytes(b"old list\n")
    plan = _plan_move(tmp_path, "items/A.md", "archive/2025-Q3/A.md")
    plan.write("list.md", b"new list\n", b"old list\n")
    plan.write("created.md", b"brand new\n", None)
    with journal.Lock(tmp_path):
        receipt = fileplan.apply(tmp_path, "test", plan)
    assert (tmp_path / "archive/2025-Q3/A.md").read_bytes() == b"item a\n"
    assert not (tmp_path / "items/A.md").exists()
    assert (tmp_path / "list.md").read_bytes() == b"new list\n"
    with journal.Lock(tmp_path):
        fileplan.undo(tmp_path, receipt)
    assert (tmp_path / "items/A.md").read_bytes() == b"item a\n"
    assert not (tmp_path / "archive/2025-Q3/A.md").exists()
    assert (tmp_path / "list.md").read_bytes() == b"old list\n"
    assert not (tmp_path / "created.md").exists()
    assert journal.pending(tmp_path) == []


def test_move_never_overwrites_and_changes_nothing(tmp_path):
    (tmp_path / "a.md").write_bytes(b"a\n")
    (tmp_path / "b.md").write_bytes(b"b\n")
    plan = _plan_move(tmp_path, "a.md", "b.md")
    with journal.Lock(tmp_path), pytest.raises(JobFailed, match="b.md: destination already exists"):
        fileplan.apply(tmp_path, "test", plan)
    assert (tmp_path / "a.md").read_bytes() == b"a\n" and (tmp_path / "b.md").read_bytes() == b"b\n"


def test_interrupted_between_link_and_unlink_is_finished_not_duplicated(tmp_path):
    """The state a kill leaves between the two halves of a move: both names, one content."""
    (tmp_path / "a.md").write_bytes(b"payload\n")
    sha = fileops.sha256_file(tmp_path / "a.md")
    j = journal.create(tmp_path, "test", [{"op": "move", "src": "a.md", "dst": "z/a.md", "sha": sha, "size": 8}])
    j.set(state=journal.COMMITTED)
    (tmp_path / "z").mkdir()
    os.link(tmp_path / "a.md", tmp_path / "z" / "a.md")
    with journal.Lock(tmp_path):
        notes = fileplan.recover(tmp_path)
    assert "finished interrupted test run" in notes[0]
    assert not (tmp_path / "a.md").exists() and (tmp_path / "z/a.md").read_bytes() == b"payload\n"


def test_recovery_refuses_a_file_someone_else_changed(tmp_path):
    (tmp_path / "f.md").write_bytes(b"one\n")
    plan = fileplan.Plan()
    plan.write("f.md", b"two\n", b"one\n")
    j = journal.create(tmp_path, "test", [dict(plan.changes[0], stage="stage/0", backup="before/0")])
    fileops.atomic_write_bytes(j.dir / "stage/0", b"two\n")
    j.set(state=journal.COMMITTED)
    (tmp_path / "f.md").write_bytes(b"someone else\n")
    with journal.Lock(tmp_path), pytest.raises(JobFailed, match="changed by someone else"):
        fileplan.recover(tmp_path)
    assert (tmp_path / "f.md").read_bytes() == b"someone else\n"
    assert journal.pending(tmp_path)  # journal kept for a person to look at


HOLD_LOCK = ("import sys, time\nfrom gameops import journal\nlock = journal.Lock(sys.argv[1])\nlock.acquire()\n"
             "print('held', flush=True)\ntime.sleep(120)\n")


def test_lock_refuses_a_live_run_and_dies_with_a_killed_one(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(JobFailed, match="another gameops maintenance run is working on this repository"):
            journal.Lock(tmp_path).acquire()
    finally:
        holder.kill()  # kill -9: no clean-up code runs in the holder
        holder.wait()
    with journal.Lock(tmp_path):  # the kernel released the dead run's lock
        with journal.Lock(tmp_path):  # re-entrant in one process
            pass
        other = subprocess.run([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], capture_output=True, text=True, timeout=60)
        assert other.returncode != 0 and "another gameops maintenance run" in other.stderr


def test_a_lock_file_naming_a_live_pid_does_not_block(tmp_path):
    # gameops before the kernel lock wrote the pid into the file; a reused pid blocked every run
    journal.ensure_state_dir(tmp_path)
    (tmp_path / ".gameops" / "lock").write_text(str(os.getppid()))
    with journal.Lock(tmp_path) as lock:
        assert lock.held


# ---------------------------------------------------------------------------
# kill -9 at every step


def _archive_in_subprocess(root: Path, kill_at: int | None) -> int:
    env = {k: v for k, v in os.environ.items() if k != fileops.KILL_ENV}
    if kill_at is not None:
        env[fileops.KILL_ENV] = str(kill_at)
    out = subprocess.run([sys.executable, "-m", "gameops.archive", "--project", str(root), "--today", TODAY],
                         cwd=ROOT, env=env, capture_output=True, timeout=120)
    return out.returncode


def _expected(layout: str, tmp_path: Path) -> dict[str, bytes]:
    ref = copy_fixture(layout, tmp_path / f"reference-{layout}")
    assert _archive_in_subprocess(ref, None) == 0
    return tree_bytes(ref)


@pytest.mark.slow
def test_sigkill_at_every_step_then_rerun_is_consistent(tmp_path):
    """Kill the real archive run (a subprocess) right after its N-th file-system step, for
    every N until it finishes by itself; after each kill, a rerun must leave exactly the
    state an uninterrupted run leaves: nothing lost, nothing duplicated, verify passes."""
    kill_points = 0
    for layout in ("inline", "table"):
        expected = _expected(layout, tmp_path)
        start_ids = backlog_verify.ids_everywhere(load(copy_fixture(layout, tmp_path / f"ids-{layout}")))
        n = 0
        while True:
            n += 1
            root = copy_fixture(layout, tmp_path / f"{layout}-{n}")
            code = _archive_in_subprocess(root, n)
            if code != -signal.SIGKILL:
                assert code == 0, f"{layout}: run with kill point {n} failed with exit {code}"
                assert tree_bytes(root) == expected
                break
            kill_points += 1
            result = archive.run(load(root), date.fromisoformat(TODAY))  # the next run: recovers, then archives
            assert result["ok"], (layout, n, result)
            assert tree_bytes(root) == expected, f"{layout}: state after a kill at step {n} and a rerun differs"
            assert backlog_verify.ids_everywhere(load(root)) == start_ids
            assert backlog_verify.verify(load(root))["ok"]
            assert journal.pending(root) == []
            lock = root / ".gameops" / "lock"
            if lock.exists():  # killed after its last step: a stale lock, taken over by the next run
                assert not lock.read_text() or not psutil.pid_exists(int(lock.read_text()))
            leftovers = [p for p in root.rglob("*.tmp")]
            assert leftovers == []
        assert n > 10, f"{layout}: only {n - 1} kill points"
    assert kill_points >= 50
