"""Return on investment: the time gameops saved, from real run history only.

Input: the completed flow runs of a project (read from the Prefect API by ``flows/roi.py``),
each as a :class:`RunRecord`. For every job: how many runs, how long the job takes by hand
(``manual_minutes`` in gameops.yaml; defaults from BlockLife's own numbers), how long the
automated run took, and the difference per run, in the window and per 30 days at the
observed rate. Jobs that never ran claim nothing; no run history means no savings claimed.

The automated run time is subtracted from the manual time: someone still waits for the run.
A run slower than the manual job shows a negative saving rather than being hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gameops.config import ManualMinutes

# flow name (as Prefect shows it) -> manual_minutes field; a "_per_item" field multiplies by items.
JOBS: dict[str, str] = {
    "check": "check",
    "build": "build",
    "test": "test",
    "ci": "ci",
    "release": "release",
    "docs-sync": "docs_sync",
    "backlog-archive": "backlog_archive_per_item",
    "metrics": "metrics",
    "setup": "setup",
}
MONTH_DAYS = 30


@dataclass(frozen=True)
class RunRecord:
    flow: str
    seconds: float  # the run's own run time (Prefect's total_run_time)
    items: int | None = None  # items handled, for per-item jobs (backlog archive), when the run reports it


ITEMS_TAG = "items:"


def items_tag(count: int) -> str:
    """The flow-run tag with which a per-item job reports how many items it handled."""
    return f"{ITEMS_TAG}{count}"


def items_from_tags(tags: list[str] | None) -> int | None:
    for tag in tags or []:
        if tag.startswith(ITEMS_TAG) and tag[len(ITEMS_TAG):].isdigit():
            return int(tag[len(ITEMS_TAG):])
    return None


def job_of(flow_name: str) -> str | None:
    """The manual_minutes field of a flow, or None for flows that are not a manual job (roi, exports)."""
    return JOBS.get(flow_name) or JOBS.get(flow_name.replace("_", "-"))


def _r(x: float) -> float:
    return round(x, 1)


def compute(runs: Iterable[RunRecord], manual: ManualMinutes, days: int) -> dict:
    """The ROI report (what ``gameops roi --json`` prints)."""
    if days <= 0:
        raise ValueError("days must be positive")
    by_job: dict[str, list[RunRecord]] = {}
    for r in runs:
        field = job_of(r.flow)
        if field is not None:
            by_job.setdefault(r.flow.replace("_", "-"), []).append(r)
    notes: list[str] = []
    rows = []
    for flow_name, field in JOBS.items():
        recs = by_job.get(flow_name, [])
        if not recs:
            continue
        per = getattr(manual, field)
        if field.endswith("_per_item"):
            unknown = sum(1 for r in recs if r.items is None)
            if unknown:
                notes.append(f"{flow_name}: {unknown} run(s) did not report how many items they handled; counted as 1 item each")
            manual_total = sum(per * (1 if r.items is None else r.items) for r in recs)
        else:
            manual_total = per * len(recs)
        actual_total = sum(r.seconds for r in recs) / 60
        saved_total = manual_total - actual_total
        rows.append({
            "job": flow_name,
            "runs": len(recs),
            "manual_minutes": _r(manual_total / len(recs)),
            "actual_minutes": round(actual_total / len(recs), 2),
            "actual_seconds": round(actual_total * 60 / len(recs), 1),
            "saved_per_run_minutes": _r(saved_total / len(recs)),
            "saved_minutes": _r(saved_total),
            "saved_per_month_minutes": _r(saved_total * MONTH_DAYS / days),
        })
    total = sum(row["saved_minutes"] for row in rows)
    claimed = bool(rows)
    if not claimed:
        notes.append(f"no completed gameops runs in the last {days} day(s): no savings claimed")
    return {
        "days": days,
        "runs": sum(row["runs"] for row in rows),
        "jobs": rows,
        "claimed": claimed,
        "saved_minutes": _r(total),
        "saved_per_month_minutes": _r(total * MONTH_DAYS / days) if claimed else 0.0,
        "notes": notes,
    }


def hours(minutes: float) -> str:
    sign = "-" if minutes < 0 else ""
    m = abs(minutes)
    return f"{sign}{m:.0f} min" if m < 90 else f"{sign}{m / 60:.1f} h"


def to_markdown(report: dict, project: str = "") -> str:
    title = f"# Time saved by gameops{' on ' + project if project else ''}, last {report['days']} day(s)"
    if not report["claimed"]:
        return f"{title}\n\nNo completed runs in this window: no savings claimed.\n"
    lines = [title, "",
             "| job | runs | by hand / run | automated / run | saved / run | saved | saved / month |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for j in report["jobs"]:
        lines.append(f"| {j['job']} | {j['runs']} | {j['manual_minutes']:.1f} min | {j['actual_minutes']:.2f} min "
                     f"| {j['saved_per_run_minutes']:.1f} min | {hours(j['saved_minutes'])} | {hours(j['saved_per_month_minutes'])} |")
    lines.append(f"| **total** | {report['runs']} | | | | **{hours(report['saved_minutes'])}** "
                 f"| **{hours(report['saved_per_month_minutes'])}** |")
    lines.append("")
    lines.append("By-hand minutes come from `manual_minutes` in gameops.yaml; automated minutes are the runs' "
                 "recorded run time. Per month = the window's saving scaled to 30 days.")
    for n in report["notes"]:
        lines.append(f"\n- {n}")
    return "\n".join(lines) + "\n"


def same_project(value: object, root: Path) -> bool:
    """Did a run with ``project=value`` work on the repository at ``root``?

    A local run passes a path on this machine; a deployed run a path on its worker, where
    only the folder name can be compared.
    """
    if not isinstance(value, str) or not value:
        return False
    p = Path(value)
    if p.is_absolute() and p.exists():
        try:
            return p.resolve() == root
        except OSError:
            return False
    return p.name == root.name or (value in (".", "") and Path.cwd().resolve() == root)
