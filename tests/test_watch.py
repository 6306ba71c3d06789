"""test --watch: real watchdog events, debounced, build outputs ignored, clean stop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from gameops.watch import Debouncer, relevant, watch


def test_relevant_paths(tmp_path):
    assert relevant(tmp_path / "src" / "A.cs", tmp_path)
    assert relevant(tmp_path / "src" / "A.csproj", tmp_path)
    assert not relevant(tmp_path / "src" / "A.txt", tmp_path)
    assert not relevant(tmp_path / "src" / "obj" / "A.AssemblyInfo.cs", tmp_path)
    assert not relevant(tmp_path / "TestResults" / "x.cs", tmp_path)


def test_debouncer_waits_for_quiet():
    d = Debouncer(0.2)
    stop = threading.Event()
    got = []
    t = threading.Thread(target=lambda: got.append(d.wait(stop)))
    t.start()
    for i in range(5):
        d.add(f"f{i}.cs")
        time.sleep(0.05)
    started = time.monotonic()
    t.join(5)
    assert got == [{f"f{i}.cs" for i in range(5)}]
    assert time.monotonic() - started < 2


def test_watch_runs_once_per_burst_and_stops(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "obj").mkdir()
    calls: list[set[str]] = []
    stop, ready, called = threading.Event(), threading.Event(), threading.Event()

    def on_change(paths):
        calls.append(paths)
        called.set()

    t = threading.Thread(target=watch, args=(tmp_path, on_change), kwargs={"debounce_s": 0.3, "stop": stop, "ready": ready})
    t.start()
    assert ready.wait(5)
    time.sleep(0.2)
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / "src" / "obj" / "Gen.cs").write_text("// build output, ignored")
    for i in range(3):  # one burst of saves
        (tmp_path / "src" / "Grid.cs").write_text(f"class Grid {{ /* {i} */ }}")
        time.sleep(0.05)
    assert called.wait(10)
    time.sleep(0.6)
    stop.set()
    t.join(10)
    assert not t.is_alive()
    assert len(calls) == 1
    assert {Path(p).name for p in calls[0]} == {"Grid.cs"}
