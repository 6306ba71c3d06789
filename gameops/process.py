"""Run external tools (git, dotnet, godot): stream lines, keep the log, enforce timeouts, redact secrets.

One function, :func:`run`. Output is read as bytes and decoded per line with ``errors="replace"``,
so invalid UTF-8 never raises; a line longer than ``max_line`` is split rather than buffered whole.
On timeout the whole process tree is killed (process group plus every descendant psutil can see,
SIGTERM then SIGKILL), and the child is always reaped, so no zombie is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from gameops import redaction
from gameops.errors import ToolMissing

REDACTED = redaction.REDACTED
DEFAULT_MAX_LINE = 64 * 1024
IS_WINDOWS = sys.platform == "win32"


@dataclass
class ProcessResult:
    args: list[str]
    returncode: int
    lines: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    timed_out: bool = False
    stopped_when_done: bool = False  # killed because ``done`` said the job was finished (see run)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


class Redactor:
    """Replaces every secret value with ``***``; longest secrets first so overlaps stay hidden."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, REDACTED)
        return text


def kill_tree(pid: int, grace_s: float = 2.0) -> None:
    """Terminate ``pid`` and every descendant, politely first, then for good."""
    try:
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        procs = []
    if not IS_WINDOWS:
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    for p in procs:
        try:
            p.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace_s)
    if not IS_WINDOWS:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace_s)


def _pump(stream, sink: Callable[[str], None], max_line: int) -> None:
    pending = b""
    while True:
        chunk = stream.readline(max_line)
        if not chunk:
            break
        pending += chunk
        if pending.endswith(b"\n") or len(pending) >= max_line:
            sink(pending.rstrip(b"\r\n").decode("utf-8", errors="replace"))
            pending = b""
    if pending:
        sink(pending.rstrip(b"\r\n").decode("utf-8", errors="replace"))
    stream.close()


def _wait(proc: subprocess.Popen, timeout_s: float | None, done: Callable[[], bool] | None, poll_s: float) -> bool:
    """Wait for ``proc``; True when ``done()`` said so twice in a row first. TimeoutExpired on timeout."""
    if done is None:
        proc.wait(timeout=timeout_s)
        return False
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    said_done = 0
    while True:
        step = poll_s if deadline is None else max(0.0, min(poll_s, deadline - time.monotonic()))
        try:
            proc.wait(timeout=step)
            return False
        except subprocess.TimeoutExpired:
            if deadline is not None and time.monotonic() >= deadline:
                raise
        try:
            said_done = said_done + 1 if done() else 0
        except Exception:  # a broken check is not a verdict
            said_done = 0
        if said_done >= 2:
            return True


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    timeout_s: float | None = None,
    on_line: Callable[[str], None] | None = None,
    secrets: Iterable[str] = (),
    log_path: Path | None = None,
    stdin_text: str | None = None,
    max_line: int = DEFAULT_MAX_LINE,
    done: Callable[[], bool] | None = None,
    poll_s: float = 3.0,
) -> ProcessResult:
    """Run ``args``; stdout and stderr are merged, in order, line by line.

    ``on_line`` gets every (redacted) line as it arrives; the result keeps them all, and so does
    ``log_path`` when given. ``timed_out`` is set, and ``returncode`` is -9, when the timeout
    killed the tree. ``done``, asked every ``poll_s`` seconds, says the job is finished although
    the process has not quit (a Godot editor that imported and hangs instead of quitting): after it
    said so twice in a row the tree is killed and ``stopped_when_done`` is set. A missing
    executable raises :class:`ToolMissing` (exit 2).
    """
    argv = [os.fspath(a) for a in args]
    redact = Redactor([*secrets, *redaction.known()])  # the caller's and every registered secret
    full_env = None
    if env is not None:
        full_env = {**os.environ, **env}
    kwargs: dict = {}
    if IS_WINDOWS:
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    else:
        kwargs["start_new_session"] = True
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=os.fspath(cwd) if cwd else None,
            env=full_env,
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            **kwargs,
        )
    except FileNotFoundError:
        raise ToolMissing(f"{argv[0]}: command not found") from None
    except PermissionError:
        raise ToolMissing(f"{argv[0]}: not executable") from None

    result = ProcessResult(args=[redact(a) for a in argv], returncode=-1)
    log = open(log_path, "w", encoding="utf-8") if log_path else None
    lock = threading.Lock()

    def sink(line: str) -> None:
        line = redact(line)
        with lock:
            result.lines.append(line)
            if log:
                log.write(line + "\n")
                log.flush()
        if on_line:
            try:
                on_line(line)
            except Exception:  # a broken callback must not break the run or hang the pipe
                pass

    reader = threading.Thread(target=_pump, args=(proc.stdout, sink, max_line), daemon=True)
    reader.start()
    if stdin_text is not None and proc.stdin:
        try:
            proc.stdin.write(stdin_text.encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass
    try:
        if _wait(proc, timeout_s, done, poll_s):
            result.stopped_when_done = True
            kill_tree(proc.pid)
            proc.wait()
    except subprocess.TimeoutExpired:
        result.timed_out = True
        kill_tree(proc.pid)
        proc.wait()
    except BaseException:  # Ctrl+C or any error: leave nothing running behind us
        kill_tree(proc.pid)
        proc.wait()
        raise
    finally:
        # Grandchildren may still hold the pipe open; don't wait for them forever.
        reader.join(timeout=5 if not result.timed_out else 2)
        if log:
            with lock:
                log.close()
    result.returncode = -9 if result.timed_out else (0 if result.stopped_when_done else proc.returncode)
    result.duration_s = time.monotonic() - started
    return result
