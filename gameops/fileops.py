"""Verified file operations: every write gameops makes goes through here.

``atomic_write_*``: temporary file in the same folder, fsync, rename, fsync of the folder;
a write whose content equals what is on disk does nothing (a run that changes nothing
writes nothing).

``open_input`` / ``read_input_*``: reading a file the user's repository gave us (config,
project files, the backlog, test results); any trouble is one :class:`BadInput` line naming the
file (exit 2): missing, dangling or looping symlinks, symlinks out of the project, folders,
FIFOs, devices, sockets and files over the size limit are refused before anything is read.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from gameops.errors import BadInput


# Largest input file read whole (backlog, project files, docs), in MiB. Config files get 1/32
# of it (1 MiB by default: YAML is parsed in Python), result files (TRX, JUnit, Cobertura) are
# streamed and get 64 times it. GAMEOPS_MAX_INPUT_MB changes all three, so a hostile
# multi-gigabyte file is refused before it is read.
MAX_INPUT_ENV = "GAMEOPS_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 32
FACTORS = {"text": 1.0, "config": 1 / 32, "results": 64.0}


def max_input_bytes(kind: str = "text") -> int:
    """The size limit of one input file of ``kind`` (text, config, results); see ``FACTORS``."""
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    if raw:
        try:
            mb = float(raw)
        except ValueError:
            mb = -1.0
        if not mb > 0 or mb != mb or mb == float("inf"):
            raise BadInput(f"environment {MAX_INPUT_ENV}: expected a positive number of MiB, got {raw!r}")
    else:
        mb = DEFAULT_MAX_INPUT_MB
    return int(mb * (1 << 20) * FACTORS[kind])


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def _kind(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def _outside(path: Path, within: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(within))
        return False
    except ValueError:
        return True


def open_input(path: Path, shown: str | None = None, *, missing: str = "file not found",
               within: Path | None = None, kind: str = "text", expect: str = "a file"):
    """Open a user's file for reading (binary), refusing what must not be read.

    One :class:`BadInput` line naming ``shown`` for: not found, a dangling or looping symlink,
    a symlink leading out of ``within`` (the project), a folder, a FIFO, a device or a socket
    (opened without blocking, checked on the open descriptor, so nothing waits on a pipe), and
    a file larger than :func:`max_input_bytes`. Returns ``(file, size)``.
    """
    path = Path(path)
    shown = shown or str(path)
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise BadInput(f"{shown}: symlink to a missing file ({os.readlink(path)})") from None
        raise BadInput(f"{shown}: {missing}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BadInput(f"{shown}: symlink loop") from None
        raise BadInput(f"{shown}: cannot read: {exc.strerror}") from None
    if within is not None and _outside(path, within):
        raise BadInput(f"{shown}: leads outside the project (to {os.path.realpath(path)}); refused")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise BadInput(f"{shown}: is a folder, expected {expect}") from None
    except OSError as exc:
        raise BadInput(f"{shown}: cannot read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = _kind(st.st_mode)
            if what == "a folder":
                raise BadInput(f"{shown}: is a folder, expected {expect}")
            raise BadInput(f"{shown}: is {what}, expected {expect}; refused")
        limit = max_input_bytes(kind)
        if st.st_size > limit:
            raise BadInput(f"{shown}: too large ({st.st_size / (1 << 20):.1f} MiB, limit {limit / (1 << 20):g} MiB; "
                           f"raise it with {MAX_INPUT_ENV})")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return f, st.st_size


def read_input_bytes(path: Path, shown: str | None = None, *, missing: str = "file not found",
                     within: Path | None = None, kind: str = "text", expect: str = "a file") -> bytes:
    """The bytes of a user's file (see :func:`open_input` for what is refused), read whole."""
    shown = shown or str(path)
    f, _size = open_input(path, shown, missing=missing, within=within, kind=kind, expect=expect)
    limit = max_input_bytes(kind)
    try:
        with f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise BadInput(f"{shown}: cannot read: {exc.strerror}") from None
    if len(data) > limit:  # grew while we read it
        raise BadInput(f"{shown}: too large (more than {limit / (1 << 20):g} MiB; raise the limit with {MAX_INPUT_ENV})")
    return data


def decode_input(data: bytes, shown: str) -> str:
    """UTF-8 text (a BOM is dropped); anything else is BadInput naming ``shown`` and the byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{shown}: not UTF-8 text (byte {exc.start})") from None


def read_input_text(path: Path, shown: str | None = None, *, missing: str = "file not found",
                    within: Path | None = None, kind: str = "text", expect: str = "a file") -> str:
    shown = shown or str(path)
    return decode_input(read_input_bytes(path, shown, missing=missing, within=within, kind=kind, expect=expect), shown)


# Folders that hold no sources of a game repository: build output and editor caches.
OUTPUT_DIRS = frozenset({"bin", "obj", "build", "dist", "TestResults", "node_modules", "__pycache__", "addons_cache"})


def source_files(root: Path, suffixes: tuple[str, ...] = (), skip: frozenset[str] = OUTPUT_DIRS):
    """Regular files under ``root`` (sorted walk), never entering hidden folders (``.git``,
    ``.godot``, ``.import``) or ``skip``; only names ending in ``suffixes`` when given.

    FIFOs, devices and sockets are never listed, nor symlinks that lead out of ``root`` or
    nowhere: a hostile repository cannot make a reader block or read outside it."""
    real_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in skip)
        for name in sorted(filenames):
            if not name.startswith(".") and (not suffixes or name.lower().endswith(suffixes)):
                p = os.path.join(dirpath, name)
                try:
                    if not stat.S_ISREG(os.stat(p).st_mode):
                        continue
                except OSError:  # dangling or looping symlink
                    continue
                if os.path.islink(p) and _outside(Path(p), Path(real_root)):
                    continue
                yield Path(p)


def unified_diff(name: str, old: bytes | None, new: bytes | None) -> str:
    """A ``git diff``-style unified diff of one file (``None``: the file does not exist)."""
    import difflib

    a = old.decode("utf-8", "replace").splitlines(keepends=True) if old is not None else []
    b = new.decode("utf-8", "replace").splitlines(keepends=True) if new is not None else []
    lines = list(difflib.unified_diff(a, b, f"a/{name}" if old is not None else "/dev/null",
                                      f"b/{name}" if new is not None else "/dev/null"))
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicWriter:
    """Stream a file into place atomically: ``with AtomicWriter(path) as f: f.write(...)``.

    Writes a temporary file in the same folder, fsyncs it, and renames it over ``path`` (then
    fsyncs the folder). When ``keep_same`` is set and the new bytes equal the old file's, the
    old file is left untouched. ``changed`` says afterwards whether ``path`` was replaced. On an
    error the temporary file is removed and ``path`` is as it was.
    """

    def __init__(self, path: Path, *, mode: int | None = None, keep_same: bool = True) -> None:
        self.path = Path(path)
        self.mode = mode
        self.keep_same = keep_same
        self.changed = False
        self._file: BinaryIO | None = None
        self._tmp = ""

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self._file = os.fdopen(fd, "wb")
        return self._file

    def __exit__(self, exc_type, exc, tb) -> None:
        path, tmp = self.path, self._tmp
        try:
            if exc_type is None:
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if exc_type is not None:
                return
            _step("temporary file written")
            if self.keep_same and path.is_file() and path.stat().st_size == os.path.getsize(tmp) \
                    and sha256_file(path) == sha256_file(Path(tmp)):
                return  # same bytes: the old file stays, untouched
            if self.mode is not None:
                os.chmod(tmp, self.mode)
            elif path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
            self.changed = True
        finally:
            if not self.changed:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        _fsync_dir(path.parent)
        _step(f"renamed into {path.name}")


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> bool:
    """Write ``data`` to ``path`` atomically. Returns False (and touches nothing) when unchanged."""
    path = Path(path)
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    writer = AtomicWriter(path, mode=mode, keep_same=False)
    with writer as f:
        f.write(data)
    return writer.changed


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8", newline: str | None = None, mode: int | None = None) -> bool:
    """Text version of :func:`atomic_write_bytes`; ``newline`` converts ``\\n`` (e.g. ``"\\r\\n"``)."""
    if newline:
        text = text.replace("\r\n", "\n").replace("\n", newline)
    return atomic_write_bytes(path, text.encode(encoding), mode=mode)


# ---------------------------------------------------------------------------
# Crash points (tests): every file-system step of the verified operations below calls
# ``_step``; with GAMEOPS_FILEOPS_KILL_AT=N the process SIGKILLs itself right after the
# N-th step, so a test can prove that recovery works from any point.

KILL_ENV = "GAMEOPS_FILEOPS_KILL_AT"
_steps_done = 0


def _step(what: str) -> None:
    global _steps_done
    _steps_done += 1
    at = os.environ.get(KILL_ENV)
    if at and at.isdigit() and _steps_done == int(at):
        import signal

        sig = getattr(signal, "SIGKILL", None)
        if sig is None:  # pragma: no cover - Windows
            os._exit(137)
        os.kill(os.getpid(), sig)


def steps_done() -> int:
    return _steps_done


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


def _fail(msg: str):
    from gameops.errors import JobFailed

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
    from gameops import journal

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
    from gameops import journal

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
    from gameops import journal

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
    from gameops import journal

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
    from gameops import journal

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
