"""Who holds a project's release slot on this machine, so the slot of a killed release is freed.

The slot itself is a Prefect concurrency lease (flows/release.py): the holder renews it while it
lives, and the server takes it back when it expires (``LEASE_S``, plus up to the server's
repossessor interval, 15 s by default). A ``kill -9`` stops the renewal, but waiting for the expiry
would make the rerun wait. So every holder leaves a record here, ``$GAMEOPS_HOME/release-slots/
<limit>/<lease id>.json`` (host, pid, the process's start time, flow run), and a release that
finds the slot taken asks :func:`dead_holders` for records of processes on this host that are
gone: their leases are released at once. Holders on other machines are left to the lease expiry.

The record is written right after the lease is granted: a kill in that instant leaves a lease
without a record, which the expiry frees.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

from gameops.server import home

LEASE_S = 60.0  # the server's minimum; renewed every 3/4 of it (45 s) while the holder lives


@dataclass(frozen=True)
class Holder:
    lease_id: str
    host: str
    pid: int
    started: float
    flow_run_id: str | None
    path: Path


def _folder(limit: str) -> Path:
    return home() / "release-slots" / limit


def _started(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return None


def record(limit: str, lease_id: str, flow_run_id: str | None = None) -> Path:
    """Note that this process holds ``lease_id`` of ``limit``; returns the record to :func:`forget`."""
    folder = _folder(limit)
    folder.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    doc = {"lease_id": str(lease_id), "host": socket.gethostname(), "pid": pid, "started": _started(pid) or 0.0,
           "flow_run_id": str(flow_run_id) if flow_run_id else None}
    path = folder / f"{lease_id}.json"
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    os.replace(tmp, path)
    return path


def forget(path: Path) -> None:
    Path(path).unlink(missing_ok=True)


def holders(limit: str) -> list[Holder]:
    """Every readable record of ``limit`` (unreadable ones are dropped)."""
    out = []
    folder = _folder(limit)
    if not folder.is_dir():
        return out
    for p in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
            out.append(Holder(str(doc["lease_id"]), str(doc["host"]), int(doc["pid"]), float(doc["started"]),
                              doc.get("flow_run_id"), p))
        except (OSError, ValueError, KeyError, TypeError):
            p.unlink(missing_ok=True)
    for p in folder.glob(".*.tmp"):  # a record half-written by a killed holder
        p.unlink(missing_ok=True)
    return out


def is_dead(h: Holder) -> bool:
    """The holder ran on this host and its process is gone (or the pid now belongs to another process)."""
    if h.host != socket.gethostname():
        return False
    started = _started(h.pid)
    return started is None or abs(started - h.started) > 1.0


def dead_holders(limit: str) -> list[Holder]:
    return [h for h in holders(limit) if is_dead(h)]
