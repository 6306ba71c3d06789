"""The journal of verified file operations: what a run is about to do, written before it does it.

Layout, inside the game repository (git-ignored by its own ``.gitignore``)::

    .gameops/
      .gitignore          "*": nothing here is ever committed
      lock                locked (kernel file lock) by the run working on this repository
      runs/<run-id>/
        journal.json      the plan and how far it got (rewritten atomically before each step)
        stage/<n>         new content of a file to replace (written before the commit point)
        before/<n>        old content of that file (kept until the run is finalized: undo)

Journal states:

``prepared``  the plan is written, stage files may be incomplete; nothing in the repository
              changed yet. Recovery rolls back: the run directory is deleted.
``committed`` every stage file is complete and verified (the commit point). Recovery rolls
              forward: each step is idempotent and checked by sha256.
``applied``   every step is done; only the run directory is left (kept so a Prefect
              transaction can still undo the run). Recovery finalizes it (deletes it).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gameops.errors import JobFailed
from gameops.fileops import _fsync_dir, _step, atomic_write_bytes

STATE_DIR = ".gameops"
PREPARED, COMMITTED, APPLIED = "prepared", "committed", "applied"


def state_dir(root: Path) -> Path:
    return Path(root) / STATE_DIR


def runs_dir(root: Path) -> Path:
    return state_dir(root) / "runs"


@dataclass
class Journal:
    """One run's journal. ``steps`` are plain dicts (see :mod:`gameops.fileplan`)."""

    root: Path
    run: str
    job: str
    state: str = PREPARED
    steps: list[dict[str, Any]] = field(default_factory=list)
    current: int = -1
    created: str = ""

    @property
    def dir(self) -> Path:
        return runs_dir(self.root) / self.run

    @property
    def file(self) -> Path:
        return self.dir / "journal.json"

    def to_json(self) -> bytes:
        doc = {"version": 1, "run": self.run, "job": self.job, "state": self.state, "created": self.created,
               "current": self.current, "steps": self.steps}
        return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")

    def save(self) -> None:
        """Atomically rewrite the journal (temporary file, fsync, rename)."""
        atomic_write_bytes(self.file, self.to_json())

    def set(self, **changes: Any) -> None:
        for k, v in changes.items():
            setattr(self, k, v)
        self.save()

    def remove(self) -> None:
        """Delete the run directory, journal last-but-atomic: the directory is renamed away first."""
        if not self.dir.exists():
            return
        trash = self.dir.with_name(self.dir.name + ".done")
        if trash.exists():
            shutil.rmtree(trash, ignore_errors=True)
        os.replace(self.dir, trash)  # one atomic step: the journal is gone
        _fsync_dir(trash.parent)
        _step("journal removed")
        shutil.rmtree(trash, ignore_errors=True)


def new_run_id(job: str) -> str:
    now = datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}-{job}"


def create(root: Path, job: str, steps: list[dict[str, Any]]) -> Journal:
    j = Journal(root=Path(root), run=new_run_id(job), job=job, steps=steps,
                created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    ensure_state_dir(root)
    j.save()
    return j


def ensure_state_dir(root: Path) -> None:
    d = state_dir(root)
    d.mkdir(exist_ok=True)
    atomic_write_bytes(d / ".gitignore", b"# gameops run state (journal, lock): never committed\n*\n")


def load(path: Path, root: Path) -> Journal:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return Journal(root=Path(root), run=doc["run"], job=doc["job"], state=doc["state"], steps=doc["steps"],
                       current=doc.get("current", -1), created=doc.get("created", ""))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise JobFailed(f"{path}: unreadable journal of an interrupted run ({exc}); inspect it, then delete "
                        f"{path.parent} to continue") from None


def pending(root: Path, clean: bool = True) -> list[Journal]:
    """Journals of runs that did not finish, oldest first. With ``clean``, leftovers without a
    journal are removed (call that only while holding the :class:`Lock`)."""
    d = runs_dir(root)
    if not d.is_dir():
        return []
    out: list[Journal] = []
    for child in sorted(d.iterdir()):
        if not child.is_dir():
            continue
        if child.name.endswith(".done"):
            if clean:  # a finished run whose directory was being deleted
                shutil.rmtree(child, ignore_errors=True)
            continue
        jf = child / "journal.json"
        if jf.is_file():
            out.append(load(jf, root))
        elif clean:  # killed before the first journal write completed: nothing was changed
            shutil.rmtree(child, ignore_errors=True)
    return out


# ---------------------------------------------------------------------------
# One run at a time per repository


class Lock:
    """A kernel lock on ``.gameops/lock`` (``flock``/``LockFileEx`` through the ``filelock``
    package) held while a run works on this repository. The kernel releases it when the process
    dies, even after ``kill -9``, so a stale lock never blocks a run and two runs can never both
    take it over. What the file contains means nothing (an old pid from gameops before 0.2 is
    ignored). Re-entrant within one process."""

    def __init__(self, root: Path) -> None:
        self.path = state_dir(root) / "lock"
        self.root = Path(root)
        self.held = False
        self._lock: Any = None

    def acquire(self) -> None:
        from filelock import FileLock, Timeout

        ensure_state_dir(self.root)
        # timeout 0: never wait for another run; no soft (pid-file) fallback, which is what broke before
        self._lock = FileLock(self.path, timeout=0, is_singleton=True, thread_local=False, fallback_to_soft=False)
        try:
            self._lock.acquire()
        except Timeout:
            raise JobFailed(f"{self.path}: another gameops maintenance run is working on this repository; "
                            "try again when it has finished") from None
        except OSError as exc:
            raise JobFailed(f"{self.path}: cannot take the lock ({exc.strerror or exc})") from None
        _step("lock taken")
        self.held = True

    def release(self) -> None:
        if self.held:
            self._lock.release()
            self.held = False

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
