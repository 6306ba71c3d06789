"""``gameops test --watch``: re-run the quick tests when C# sources are saved.

watchdog reports file events; saves come in bursts (editors write temp files, rename, touch),
so events are debounced: the callback runs once the tree has been quiet for ``debounce_s``.
Build outputs (bin/, obj/, TestResults/) are ignored, or every test run would trigger the next.
Ctrl+C (KeyboardInterrupt) or ``stop`` ends the loop and stops the observer cleanly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

WATCHED_SUFFIXES = (".cs", ".csproj")
IGNORED_DIRS = {"bin", "obj", "TestResults", ".git", ".godot", ".vs", ".idea"}


def relevant(path: str | Path, root: Path) -> bool:
    p = Path(path)
    if p.suffix.lower() not in WATCHED_SUFFIXES:
        return False
    try:
        parts = p.resolve().relative_to(root.resolve()).parts
    except (ValueError, OSError):
        parts = p.parts
    return not any(part in IGNORED_DIRS or part.startswith(".") for part in parts[:-1])


class Debouncer:
    """Collects changed paths; ``wait`` returns them once no change came for ``quiet_s``."""

    def __init__(self, quiet_s: float) -> None:
        self.quiet_s = quiet_s
        self._lock = threading.Lock()
        self._changed: set[str] = set()
        self._last = 0.0
        self._event = threading.Event()

    def add(self, path: str) -> None:
        with self._lock:
            self._changed.add(path)
            self._last = time.monotonic()
        self._event.set()

    def wait(self, stop: threading.Event, poll_s: float = 0.05) -> set[str] | None:
        while not stop.is_set():
            if not self._event.wait(poll_s):
                continue
            with self._lock:
                quiet_for = time.monotonic() - self._last
                if quiet_for >= self.quiet_s and self._changed:
                    changed, self._changed = self._changed, set()
                    self._event.clear()
                    return changed
            time.sleep(min(poll_s, max(0.0, self.quiet_s - quiet_for)))
        return None


def watch(root: Path, on_change: Callable[[set[str]], None], *, debounce_s: float = 0.5,
          stop: threading.Event | None = None, ready: threading.Event | None = None) -> int:
    """Run ``on_change(paths)`` after each burst of saves until Ctrl+C or ``stop``; returns the run count."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    root = root.resolve()
    stop = stop or threading.Event()
    debouncer = Debouncer(debounce_s)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:  # created, modified, moved, deleted
            if event.is_directory or event.event_type in ("opened", "closed_no_write"):
                return
            for p in (getattr(event, "src_path", None), getattr(event, "dest_path", None)):
                if p and relevant(p, root):
                    debouncer.add(str(p))

    observer = Observer()
    observer.schedule(Handler(), str(root), recursive=True)
    observer.start()
    runs = 0
    try:
        if ready is not None:
            ready.set()
        while not stop.is_set():
            changed = debouncer.wait(stop)
            if changed is None:
                break
            on_change(changed)
            runs += 1
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join(timeout=5)
    return runs
