"""Verified file operations: every write gameops makes goes through here.

``atomic_write_*``: temporary file in the same folder, fsync, rename, fsync of the folder;
a write whose content equals what is on disk does nothing (a run that changes nothing
writes nothing).

``open_input`` / ``read_input_*``: reading a file the user's repository gave us (config,
project files, the backlog, test results); any trouble is one :class:`BadInput` line naming the
file (exit 2): missing, dangling or looping symlinks, symlinks out of the project, folders,
FIFOs, devices, sockets and files over the size limit are refused before anything is read.

The journaled multi-file operations (``Plan``, ``apply``, ``undo``, ``recover``) live in
:mod:`gameops.fileplan`, on top of :mod:`gameops.journal`, which builds on this module.
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
# Crash points (tests): every file-system step of the verified operations (the atomic writes
# here, gameops.journal and gameops.fileplan) calls ``_step``; with GAMEOPS_FILEOPS_KILL_AT=N
# the process SIGKILLs itself right after the N-th step, so a test can prove that recovery
# works from any point.

KILL_ENV = "GAMEOPS_FILEOPS_KILL_AT"
STEPS_LOG_ENV = "GAMEOPS_FILEOPS_STEPS_LOG"  # a file each step is appended to ("N<TAB>what"), to pick kill points
_steps_done = 0


def _step(what: str) -> None:
    global _steps_done
    _steps_done += 1
    log = os.environ.get(STEPS_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{_steps_done}\t{what}\n")
    at = os.environ.get(KILL_ENV)
    if at and at.isdigit() and _steps_done == int(at):
        import signal

        sig = getattr(signal, "SIGKILL", None)
        if sig is None:  # pragma: no cover - Windows
            os._exit(137)
        os.kill(os.getpid(), sig)


def checkpoint(what: str) -> None:
    """A crash point outside this module (a zip entry written, a tag created): counted like the
    file-system steps here, so a kill test can stop a release there too."""
    _step(what)


def steps_done() -> int:
    return _steps_done
