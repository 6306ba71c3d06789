"""Verified, journaled multi-file operations: a :class:`Plan` of file changes, applied through
the :mod:`gameops.journal` so that a run killed at any point is finished (or rolled back) by
:func:`recover` at the start of the next run.

Split out of :mod:`gameops.fileops` (which keeps the single-file atomic writes and the crash
points) so that imports point one way: ``fileplan -> journal -> fileops``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from gameops import journal
from gameops.errors import JobFailed
from gameops.fileops import _fsync_dir, _step, atomic_write_bytes, sha256_file

# ---------------------------------------------------------------------------
# Verified, journaled multi-file operations
#
# A job (backlog archive, docs sync) first builds a :class:`Plan` in memory: the new bytes of
# the files it rewrites, the files it moves or deletes. :func:`apply` then
#   1. checks everything (each file still has the content the plan was made from, no move
#      destination exists: nothing is ever overwritten),
#   2. writes the journal (state "prepared"), the new contents ("stage") and copies of the old
#      contents ("before"), each verified by sha256,
#   3. marks the journal "committed" (the commit point),
#   4. performs the steps, rewriting the journal before each one; every step is idempotent and
#      verified (a move: destination exists with the same sha256, source gone, not empty),
#   5. marks it "applied". :func:`finalize` deletes the run's files; :func:`undo` restores the
#      old contents (a Prefect transaction's on_rollback hook calls it).
# :func:`recover`, called at the start of every run, rolls back a run killed before its commit
# point and finishes one killed after it, so a crash at any point (even ``kill -9``) leaves the
# repository either as it was or as the finished run would have left it.


def _rel(path: str | Path) -> str:
    return Path(path).as_posix()


def _sha_or_none(path: Path) -> str | None:
    try:
        return sha256_file(path) if path.is_file() else None
    except FileNotFoundError:
        return None


def _sha_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _mkdirs(folder: Path) -> None:
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            continue
        _fsync_dir(d.parent)
        _step(f"created folder {d.name}")


class OperationError(Exception):
    """A verified file operation found the repository not as expected (raised as JobFailed)."""


class Plan:
    """The file changes of one run, built in memory; nothing touches the disk until :func:`apply`."""

    def __init__(self) -> None:
        self.changes: list[dict] = []
        self._data: dict[int, bytes] = {}

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def write(self, path: str | Path, data: bytes, before: bytes | None) -> None:
        """Replace (or create, when ``before`` is None) ``path`` with ``data``; ``before`` is the
        content the plan was made from. A write that changes nothing is dropped."""
        if before is not None and before == data:
            return
        self._data[len(self.changes)] = data
        self.changes.append({"op": "replace", "path": _rel(path), "before": _sha_bytes(before) if before is not None else None,
                             "after": _sha_bytes(data)})

    def move(self, src: str | Path, dst: str | Path, sha: str) -> None:
        self.changes.append({"op": "move", "src": _rel(src), "dst": _rel(dst), "sha": sha})

    def delete(self, path: str | Path, sha: str) -> None:
        self.changes.append({"op": "delete", "path": _rel(path), "sha": sha})

    def paths(self) -> list[str]:
        """Every repository path the plan touches (for committing them)."""
        out: list[str] = []
        for c in self.changes:
            out.extend([c["src"], c["dst"]] if c["op"] == "move" else [c["path"]])
        return list(dict.fromkeys(out))

    def data(self, index: int) -> bytes:
        return self._data[index]


def _fail(msg: str) -> JobFailed:
    return JobFailed(msg)


def _preflight(root: Path, plan: Plan) -> list[tuple[dict, bytes | None]]:
    """Check the plan against the disk. Steps already in their final state are dropped."""
    out: list[tuple[dict, bytes | None]] = []
    for i, c in enumerate(plan.changes):
        if c["op"] == "replace":
            cur = _sha_or_none(root / c["path"])
            if cur == c["after"]:
                continue
            if cur != c["before"]:
                raise _fail(f"{c['path']}: changed on disk while gameops was working on it; nothing was written, run again")
            out.append((dict(c), plan.data(i)))
        elif c["op"] == "move":
            src, dst = root / c["src"], root / c["dst"]
            if dst.exists() or dst.is_symlink():
                if not src.exists() and _sha_or_none(dst) == c["sha"]:
                    continue
                raise _fail(f"{c['dst']}: destination already exists; gameops never overwrites (source {c['src']} left in place)")
            if not src.is_file():
                raise _fail(f"{c['src']}: source file not found")
            if sha256_file(src) != c["sha"]:
                raise _fail(f"{c['src']}: changed on disk while gameops was working on it; nothing was moved")
            out.append((dict(c, size=src.stat().st_size), None))
        elif c["op"] == "delete":
            p = root / c["path"]
            if not p.exists():
                continue
            if sha256_file(p) != c["sha"]:
                raise _fail(f"{c['path']}: changed on disk; not deleted")
            out.append((dict(c), None))
    return out


def apply(root: str | Path, job: str, plan: Plan) -> dict | None:
    """Apply ``plan`` to the repository at ``root``; returns the receipt (for :func:`finalize` or
    :func:`undo`), or None when there was nothing to do (then nothing was written).

    Call it while holding :class:`gameops.journal.Lock` and after :func:`recover`.
    """
    root = Path(root)
    if any(j.state != journal.APPLIED for j in journal.pending(root)):
        raise _fail(f"{journal.runs_dir(root)}: an interrupted run is pending; it is recovered at the start of the next run")
    checked = _preflight(root, plan)
    if not checked:
        return None
    steps = []
    for n, (c, _data) in enumerate(checked):
        if c["op"] == "replace":
            c["stage"] = f"stage/{n}"
            c["backup"] = f"before/{n}" if c["before"] is not None else None
        if c["op"] == "delete":
            c["backup"] = f"before/{n}"
        steps.append(c)
    j = journal.create(root, job, steps)
    try:
        for c, data in checked:
            if c["op"] == "replace":
                stage = j.dir / c["stage"]
                assert data is not None  # a replace step always carries its new content
                atomic_write_bytes(stage, data)
                if sha256_file(stage) != c["after"]:
                    raise _fail(f"{stage}: staged content does not verify (sha256)")
            if c.get("backup"):
                current = (root / c["path"]).read_bytes()
                if _sha_bytes(current) != (c["before"] if c["op"] == "replace" else c["sha"]):
                    raise _fail(f"{c['path']}: changed on disk while gameops was working on it; nothing was written, run again")
                atomic_write_bytes(j.dir / c["backup"], current)
        j.set(state=journal.COMMITTED)
    except BaseException:
        j.remove()  # before the commit point: nothing in the repository changed
        raise
    _roll_forward(j)
    return {"root": str(root), "run": j.run, "job": job, "steps": j.steps}


def _roll_forward(j) -> None:
    for i, st in enumerate(j.steps):
        j.set(current=i)
        _do_step(j, st)
    j.set(state=journal.APPLIED, current=len(j.steps))


def _do_step(j, st: dict) -> None:
    root = j.root
    op = st["op"]
    if op == "replace":
        target = root / st["path"]
        cur = _sha_or_none(target)
        if cur == st["after"]:
            return
        if cur != st["before"]:
            raise _fail(f"{st['path']}: changed by someone else during run {j.run}; left as it is, journal kept in {j.dir}")
        stage = j.dir / st["stage"]
        if _sha_or_none(stage) != st["after"]:
            raise _fail(f"{stage}: staged content missing or damaged; journal kept in {j.dir}")
        _mkdirs(target.parent)
        if target.exists():
            os.chmod(stage, target.stat().st_mode & 0o7777)
        try:
            os.replace(stage, target)
        except OSError as exc:  # another file system: copy atomically instead
            if getattr(exc, "errno", None) != 18:
                raise
            atomic_write_bytes(target, stage.read_bytes())
        _fsync_dir(target.parent)
        _step(f"replaced {st['path']}")
        if _sha_or_none(target) != st["after"]:
            raise _fail(f"{st['path']}: content does not verify after writing (sha256)")
    elif op == "move":
        _verified_move(root, st, j)
    elif op == "delete":
        target = root / st["path"]
        if not target.exists():
            return
        if sha256_file(target) != st["sha"]:
            raise _fail(f"{st['path']}: changed by someone else during run {j.run}; not deleted")
        target.unlink()
        _fsync_dir(target.parent)
        _step(f"deleted {st['path']}")
    else:  # pragma: no cover - journal written by a newer gameops
        raise _fail(f"{j.file}: unknown step {op!r}")


def _verified_move(root: Path, st: dict, j) -> None:
    src, dst, sha = root / st["src"], root / st["dst"], st["sha"]
    s_exists, d_exists = src.exists(), dst.exists()
    if s_exists and d_exists:
        # killed between the hard link and the unlink: both are the same file
        if _sha_or_none(dst) == sha and _sha_or_none(src) == sha:
            src.unlink()
            _fsync_dir(src.parent)
            _step(f"removed source {st['src']}")
        else:
            raise _fail(f"{st['dst']}: destination already exists and differs; never overwritten, {st['src']} left in place")
    elif s_exists:
        if sha256_file(src) != sha:
            raise _fail(f"{st['src']}: changed by someone else during run {j.run}; not moved")
        _mkdirs(dst.parent)
        try:
            os.link(src, dst)  # fails when dst exists: no overwrite, even in a race
        except FileExistsError:
            raise _fail(f"{st['dst']}: destination already exists; never overwritten") from None
        except OSError:
            if os.name == "nt":
                os.rename(src, dst)  # Windows: rename refuses an existing destination
            else:  # no hard links here (another file system): copy, then remove the source
                atomic_write_bytes(dst, src.read_bytes())
        _fsync_dir(dst.parent)
        _step(f"linked {st['dst']}")
        if src.exists():
            src.unlink()
            _fsync_dir(src.parent)
            _step(f"removed source {st['src']}")
    elif not d_exists:
        raise _fail(f"{st['src']}: lost: neither the source nor the destination {st['dst']} exists")
    # verification: destination exists, same sha256, not empty (unless the source was), source gone
    if not dst.is_file():
        raise _fail(f"{st['dst']}: not found after move")
    if src.exists():
        raise _fail(f"{st['src']}: still exists after move")
    if dst.stat().st_size == 0 and st.get("size", 1) > 0:
        raise _fail(f"{st['dst']}: is empty after move")
    if sha256_file(dst) != sha:
        raise _fail(f"{st['dst']}: checksum mismatch after move (expected {sha[:12]}, got {sha256_file(dst)[:12]})")


def finalize(root: str | Path, receipt: dict | None) -> None:
    """Forget a finished run (its journal and copies of the old contents)."""
    if not receipt:
        return
    d = journal.runs_dir(Path(root)) / receipt["run"]
    if d.is_dir():
        journal.load(d / "journal.json", Path(root)).remove()


def undo(root: str | Path, receipt: dict | None) -> dict | None:
    """Put back what a finished run changed (the on_rollback hook of the Prefect flows).

    The undo is itself a journaled run, so a crash during it is recovered like any other.
    Steps already back in their old state are skipped.
    """
    if not receipt:
        return None
    root = Path(root)
    run_dir = journal.runs_dir(root) / receipt["run"]
    if not run_dir.is_dir():
        raise _fail(f"{run_dir}: the run's journal is gone; it cannot be undone")
    plan = Plan()
    for st in reversed(receipt["steps"]):
        if st["op"] == "replace":
            current = _read_or_none(root / st["path"])
            if st["before"] is None:
                if current is not None and _sha_bytes(current) == st["after"]:
                    plan.delete(st["path"], st["after"])
                continue
            old = (run_dir / st["backup"]).read_bytes()
            if current is None or _sha_bytes(current) not in (st["after"], st["before"]):
                raise _fail(f"{st['path']}: changed since run {receipt['run']}; not undone")
            if _sha_bytes(current) == st["after"]:
                plan.write(st["path"], old, current)
        elif st["op"] == "move":
            if (root / st["dst"]).exists():
                plan.move(st["dst"], st["src"], st["sha"])
        elif st["op"] == "delete":
            if not (root / st["path"]).exists():
                plan.write(st["path"], (run_dir / st["backup"]).read_bytes(), None)
    done = apply(root, f"undo-{receipt['job']}", plan) if plan else None
    if done:
        finalize(root, done)
    journal.load(run_dir / "journal.json", root).remove()
    return done


def _read_or_none(p: Path) -> bytes | None:
    try:
        return p.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def recover(root: str | Path) -> list[str]:
    """Finish or roll back runs interrupted in this repository; returns what was done, one line each.

    Call it while holding :class:`gameops.journal.Lock`.
    """
    root = Path(root)
    notes: list[str] = []
    sd = journal.state_dir(root)
    if sd.is_dir():
        for tmp in sd.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
    for j in journal.pending(root):
        if j.state == journal.PREPARED:
            j.remove()
            notes.append(f"rolled back interrupted {j.job} run {j.run}: it was killed before changing anything")
        elif j.state == journal.COMMITTED:
            _roll_forward(j)
            j.remove()
            notes.append(f"finished interrupted {j.job} run {j.run} ({len(j.steps)} step(s), each verified)")
        else:
            j.remove()
            notes.append(f"cleaned up finished {j.job} run {j.run}")
    return notes
