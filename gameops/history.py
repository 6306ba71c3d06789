"""Test history: one compact record per test run, and the answers read from many of them.

A *record* is what one ``test`` / ``ci`` / ``report --record`` run keeps: per test its full
name, category, outcome (p passed, f failed, s skipped) and duration in milliseconds, as
columns (``as_table``), plus the run's commit, branch and time (``describe``). Prefect stores
it as a table artifact on the flow run (see ``gameops/tasks/history.py``); this module only
builds and reads the plain data, so it never imports Prefect.

``analyze(runs)`` answers over runs ordered oldest first:

- flaky: passed and failed at the same commit, or flipped between passed and failed at least
  twice in the window (``flips``), with counts;
- broken: failed in every run since a commit (at least two runs), with that commit;
- slower: tests and categories whose median duration in the newer half of the runs is at
  least ``factor`` times the median of the older half (and ``min_growth_s`` more);
- categories: pass rate and total duration per category per run.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import html
import operator
import re
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gameops.errors import BadInput
from gameops.results.model import Summary

FORMAT = "gameops-history/1"
STATUS_CODE = {"passed": "p", "failed": "f", "skipped": "s"}
NO_CATEGORY = "(none)"
_DESCRIPTION = re.compile(r"^" + re.escape(FORMAT) + r" commit=(\S*) branch=(\S*) time=(\S*)")


@dataclass(slots=True)
class Run:
    """One run's record: parallel columns, one entry per test."""

    time: str
    commit: str | None
    branch: str | None
    tests: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    outcomes: str = ""
    durations_ms: list[int] = field(default_factory=list)
    run_id: str | None = None
    url: str | None = None

    def as_table(self) -> dict[str, list[Any]]:
        """The columns stored as the run's table artifact (a dict of lists: compact and shown as a table)."""
        return {"test": self.tests, "category": self.categories, "outcome": list(self.outcomes),
                "duration_ms": self.durations_ms}

    def describe(self) -> str:
        """The artifact description: the run's commit, branch and time in one parseable line."""
        return f"{FORMAT} commit={self.commit or '-'} branch={self.branch or '-'} time={self.time}"

    @property
    def counts(self) -> dict[str, int]:
        return {"total": len(self.outcomes), "passed": self.outcomes.count("p"),
                "failed": self.outcomes.count("f"), "skipped": self.outcomes.count("s")}


def from_summary(summary: Summary, commit: str | None, branch: str | None, time: str) -> Run:
    """The record of one run's parsed results (tests without a category get the file's category)."""
    run = Run(time=time, commit=commit, branch=branch)
    outcomes: list[str] = []
    for f in summary.files:
        if f.kind == "cobertura":
            continue
        for t in f.tests:
            run.tests.append(t.name)
            run.categories.append(t.category or f.category or NO_CATEGORY)
            outcomes.append(STATUS_CODE[t.status])
            run.durations_ms.append(int(round(t.duration_s * 1000)))
    run.outcomes = "".join(outcomes)
    return run


def from_table(table: Any, description: str | None, run_id: str | None = None, created: str | None = None) -> Run:
    """A record read back from its table artifact; raises BadInput when it is not one."""
    match = _DESCRIPTION.match(description or "")
    if not match or not isinstance(table, dict):
        raise BadInput(f"artifact of run {run_id or '?'}: not a {FORMAT} record")
    commit, branch, time = match.groups()
    try:
        tests = [str(x) for x in table["test"]]
        cats = [str(x) for x in table["category"]]
        outcomes = "".join(str(x) for x in table["outcome"])
        durations = [int(x) for x in table["duration_ms"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise BadInput(f"artifact of run {run_id or '?'}: damaged {FORMAT} record ({exc})") from None
    if not (len(tests) == len(cats) == len(outcomes) == len(durations)):
        raise BadInput(f"artifact of run {run_id or '?'}: {FORMAT} columns differ in length")
    return Run(time=time or created or "", commit=None if commit == "-" else commit,
               branch=None if branch == "-" else branch, tests=tests, categories=cats, outcomes=outcomes,
               durations_ms=durations, run_id=run_id)


# -- the compact record (format 2) -------------------------------------------------------------
# A run's record is small: its outcomes and durations as compressed columns, and the digest of
# its name list. The name list (test names and categories) is stored once per distinct list, in
# its own artifact keyed by that digest, so 200 runs of the same 5,000 tests carry the names once.

COMPACT = "gameops-history/2"
RECORD_TYPE = "gameops-history"
NAMES_TYPE = "gameops-history-names"
_SEP = "\x00"  # never inside a test name read from XML
_COMPACT_DESCRIPTION = re.compile(r"^" + re.escape(COMPACT)
                                  + r" commit=(\S*) branch=(\S*) time=(\S*) names=([0-9a-f]{20}) tests=(\d+)")


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii")


def _unpack(text: Any, what: str) -> bytes:
    try:
        return zlib.decompress(base64.b64decode(str(text), validate=True))
    except (ValueError, zlib.error) as exc:
        raise BadInput(f"{what}: damaged {COMPACT} column ({exc})") from None


def names_digest(run: Run) -> str:
    """The digest that keys the run's name list (tests and their categories, in order)."""
    h = hashlib.sha256(_SEP.join(run.tests).encode())
    h.update(b"\x01" + _SEP.join(run.categories).encode())
    return h.hexdigest()[:20]


def names_data(run: Run) -> dict[str, str]:
    """The name list's artifact data: compressed, separated test names and categories."""
    return {"format": COMPACT, "tests": _pack(_SEP.join(run.tests).encode()),
            "categories": _pack(_SEP.join(run.categories).encode())}


def compact_data(run: Run) -> dict[str, str]:
    """The run's compact record: outcomes and durations (little-endian int64 ms) compressed."""
    durations = array("q", run.durations_ms)
    if sys.byteorder == "big":
        durations.byteswap()
    return {"format": COMPACT, "outcomes": _pack(run.outcomes.encode("ascii")), "durations_ms": _pack(durations.tobytes())}


def describe_compact(run: Run, digest: str) -> str:
    return (f"{COMPACT} commit={run.commit or '-'} branch={run.branch or '-'} time={run.time} "
            f"names={digest} tests={len(run.tests)}")


def compact_names_of(description: str | None) -> str | None:
    """The names digest a compact record's description points to (None: not a compact record)."""
    match = _COMPACT_DESCRIPTION.match(description or "")
    return match.group(4) if match else None


def names_from_data(data: Any, digest: str) -> tuple[list[str], list[str]]:
    """(tests, categories) of a name list artifact."""
    what = f"name list {digest}"
    if not isinstance(data, dict) or data.get("format") != COMPACT:
        raise BadInput(f"{what}: not a {COMPACT} name list")
    tests = _unpack(data.get("tests"), what).decode().split(_SEP)
    cats = _unpack(data.get("categories"), what).decode().split(_SEP)
    if tests == [""]:
        tests, cats = [], []
    if len(tests) != len(cats):
        raise BadInput(f"{what}: tests and categories differ in length")
    return tests, cats


def from_compact(data: Any, description: str | None, names: dict[str, tuple[list[str], list[str]]],
                 run_id: str | None = None) -> Run:
    """A compact record read back; ``names`` maps digests to their (tests, categories), shared as is."""
    what = f"artifact of run {run_id or '?'}"
    match = _COMPACT_DESCRIPTION.match(description or "")
    if not match or not isinstance(data, dict):
        raise BadInput(f"{what}: not a {COMPACT} record")
    commit, branch, time, digest, count = match.groups()
    if digest not in names:
        raise BadInput(f"{what}: its name list {digest} is missing on the server")
    tests, cats = names[digest]
    outcomes = _unpack(data.get("outcomes"), what).decode("ascii", errors="replace")
    raw = _unpack(data.get("durations_ms"), what)
    if len(raw) % 8:
        raise BadInput(f"{what}: damaged {COMPACT} durations")
    durations = array("q")
    durations.frombytes(raw)
    if sys.byteorder == "big":
        durations.byteswap()
    if not (len(tests) == len(outcomes) == len(durations) == int(count)) or outcomes.strip("pfs"):
        raise BadInput(f"{what}: {COMPACT} columns do not match its name list")
    return Run(time=time, commit=None if commit == "-" else commit, branch=None if branch == "-" else branch,
               tests=tests, categories=cats, outcomes=outcomes, durations_ms=durations.tolist(), run_id=run_id)


def run_markdown(run: Run) -> str:
    """The readable side of a compact record in the UI: counts per category and the failed tests."""
    c = run.counts
    lines = [f"# Tests at {(run.commit or '?')[:10]} ({run.branch or '?'})", "",
             f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped of {c['total']}.", "",
             "| category | passed | failed | skipped | duration |", "|---|---|---|---|---|"]
    per: dict[str, list[int]] = {}
    for cat, out, ms in zip(run.categories, run.outcomes, run.durations_ms):
        row = per.setdefault(cat, [0, 0, 0, 0])
        row["pfs".index(out)] += 1
        row[3] += ms
    lines += [f"| {_md(cat)} | {p} | {f} | {s} | {ms / 1000:.2f} s |" for cat, (p, f, s, ms) in sorted(per.items())]
    failed = [name for name, out in zip(run.tests, run.outcomes) if out == "f"]
    if failed:
        lines += ["", f"## Failed ({len(failed)})"] + [f"- `{_md(name)}`" for name in failed[:30]]
        if len(failed) > 30:
            lines.append(f"- ... and {len(failed) - 30} more")
    return "\n".join(lines) + "\n"


def _median(values: Sequence[int]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _may_grow(values: Sequence[int], factor: float, min_growth_ms: float) -> bool:
    """False when no median of the newer half can have grown enough: it is at most that half's
    longest run, and the older half's median is at least its shortest (two passes in C, no sort)."""
    mid = len(values) // 2
    if mid < 2:
        return False
    low, high = min(values[:mid]), max(values[mid:])
    return high - low >= min_growth_ms and high >= factor * max(low, 1e-9)


def _halves_growth(values: Sequence[int], factor: float, min_growth_ms: float) -> tuple[float, float] | None:
    """(median before, median after) when the newer half's median grew by ``factor``; else None."""
    if len(values) < 4:
        return None
    mid = len(values) // 2
    before, after = _median(values[:mid]), _median(values[mid:])
    if after - before >= min_growth_ms and after >= factor * max(before, 1e-9):
        return before, after
    return None


def analyze(runs: Sequence[Run], *, category: str | None = None, factor: float = 2.0,
            min_growth_s: float = 0.05, slowest: int = 10) -> dict[str, Any]:
    """The history's answers over ``runs`` (oldest first); see the module docstring.

    Column-wise: every test gets one index over all runs (runs that share their name list, as
    compact records do, share one layout), each run becomes one outcome string and one
    duration column over those indices, and one transposition gives every test its outcomes
    and durations across the runs. Only tests that were not simply passed in every run take
    the slow path.
    """
    if factor <= 1.0:
        raise BadInput(f"slowdown factor {factor}: must be greater than 1")
    min_growth_ms = min_growth_s * 1000
    index: dict[str, int] = {}
    cat_of: list[str] = []
    layouts: dict[tuple[int, int], _Layout] = {}
    placed: list[tuple[_Layout, Run]] = []
    categories: list[dict[str, Any]] = []
    cat_durations: dict[str, list[int]] = {}
    for i, run in enumerate(runs):
        layout = layouts.get((id(run.tests), id(run.categories)))
        if layout is None:
            layout = layouts[(id(run.tests), id(run.categories))] = _Layout.of(run, index, cat_of)
        placed.append((layout, run))
        for cat, pick in sorted(layout.by_category.items()):
            if category is not None and cat != category:
                continue
            outs = pick(run.outcomes)
            total, passed, failed = len(outs), outs.count("p"), outs.count("f")
            ms = sum(pick(run.durations_ms))
            categories.append({"run": i, "category": cat, "total": total, "passed": passed, "failed": failed,
                               "skipped": total - passed - failed,
                               "pass_rate": round(passed / (passed + failed), 4) if passed + failed else None,
                               "duration_s": round(ms / 1000, 3)})
            cat_durations.setdefault(cat, []).append(ms)
    width = len(cat_of)
    out_cols = [layout.spread_outcomes(run.outcomes, width) for layout, run in placed]
    dur_cols = [layout.spread_durations(run.durations_ms, width) for layout, run in placed]
    by_test_outs = ["".join(t) for t in zip(*out_cols)] if out_cols else []
    by_test_durs = list(zip(*dur_cols)) if dur_cols else []
    all_passed = "p" * len(runs)

    flaky: list[dict[str, Any]] = []
    broken: list[dict[str, Any]] = []
    slower: list[dict[str, Any]] = []
    medians: list[tuple[str, str, float]] = []
    top: list[float] = []  # the largest `slowest` medians so far (a min-heap)
    names = list(index)
    for g, name in enumerate(names):
        cat = cat_of[g]
        if category is not None and cat != category:
            continue
        column = by_test_outs[g]
        if column == all_passed:
            idx: Sequence[int] = range(len(runs))
            outs = column
            ds: Sequence[int] = by_test_durs[g]
        else:
            idx = [i for i, o in enumerate(column) if o == "p" or o == "f"]
            if not idx:
                continue  # skipped (or absent) in every run
            outs = "".join(column[i] for i in idx)
            durs = by_test_durs[g]
            ds = [durs[i] for i in idx if column[i] == "p"]
            if "f" in outs:
                _failing(name, cat, runs, idx, outs, flaky, broken)
        if not ds:
            continue
        grown = _halves_growth(ds, factor, min_growth_ms) if _may_grow(ds, factor, min_growth_ms) else None
        if grown:
            slower.append({"kind": "test", "name": name, "category": cat,
                           "before_s": round(grown[0] / 1000, 4), "after_s": round(grown[1] / 1000, 4),
                           "factor": round(grown[1] / max(grown[0], 1e-9), 2) if grown[0] else None})
        # the slowest tests: a test whose longest run is not above the 10th median so far cannot
        # enter (ties go to the earlier test), so its median is not computed
        if slowest > 0 and (len(top) < slowest or max(ds) > top[0]):
            m = _median(ds)
            medians.append((name, cat, m))
            if len(top) < slowest:
                heapq.heappush(top, m)
            elif m > top[0]:
                heapq.heapreplace(top, m)
    for cat, cds in sorted(cat_durations.items()):
        grown = _halves_growth(cds, factor, min_growth_ms)
        if grown:
            slower.append({"kind": "category", "name": cat, "category": cat,
                           "before_s": round(grown[0] / 1000, 4), "after_s": round(grown[1] / 1000, 4),
                           "factor": round(grown[1] / max(grown[0], 1e-9), 2) if grown[0] else None})
    flaky.sort(key=lambda d: (-d["failed"], d["test"]))
    broken.sort(key=lambda d: d["test"])
    slower.sort(key=lambda d: (d["kind"], -(d["after_s"] - d["before_s"]), d["name"]))
    slow = sorted(medians, key=lambda x: -x[2])[:slowest]
    return {
        "runs": [{"index": i, **_run_ref(r), **r.counts} for i, r in enumerate(runs)],
        "flaky": flaky,
        "broken": broken,
        "slower": slower,
        "categories": categories,
        "slowest": [{"test": name, "category": cat, "median_s": round(ms / 1000, 4)} for name, cat, ms in slow],
        "settings": {"category": category, "factor": factor, "min_growth_s": min_growth_s},
    }


def _failing(name: str, cat: str, runs: Sequence[Run], idx: Sequence[int], outs: str,
             flaky: list[dict[str, Any]], broken: list[dict[str, Any]]) -> None:
    """Classify a test that failed at least once: flaky, broken since a commit, or neither."""
    by_commit: dict[str | None, set[str]] = {}
    for i, out in zip(idx, outs):
        by_commit.setdefault(runs[i].commit, set()).add(out)
    mixed = [c for c, s in by_commit.items() if c is not None and len(s) == 2]
    flips = sum(1 for a, b in zip(outs, outs[1:]) if a != b)
    if mixed or flips >= 2:
        flaky.append({"test": name, "category": cat, "passed": outs.count("p"),
                      "failed": outs.count("f"), "flips": flips, "mixed_commits": mixed,
                      "runs": [_run_ref(runs[i]) for i, o in zip(idx, outs) if o == "f"]})
        return
    streak = len(outs) - len(outs.rstrip("f"))
    if streak >= 2 or (streak == 1 and len(outs) == 1):
        first = runs[idx[len(outs) - streak]]
        broken.append({"test": name, "category": cat, "since_commit": first.commit,
                       "since_run": _run_ref(first), "failed_runs": streak,
                       "passed_before": len(outs) > streak})


@dataclass(slots=True)
class _Layout:
    """Where one name list's tests sit in the analysis' test index, and its per-category pickers."""

    ids: list[int]
    identity: bool  # the list's tests are the index's first len(ids) tests, in order
    by_category: dict[str, Callable[[Sequence[Any]], Sequence[Any]]]

    @classmethod
    def of(cls, run: Run, index: dict[str, int], cat_of: list[str]) -> _Layout:
        ids = []
        for name, cat in zip(run.tests, run.categories):
            g = index.get(name)
            if g is None:
                g = index[name] = len(cat_of)
                cat_of.append(cat)
            ids.append(g)
        positions: dict[str, list[int]] = {}
        for p, cat in enumerate(run.categories):
            positions.setdefault(cat, []).append(p)
        by_category: dict[str, Callable[[Sequence[Any]], Sequence[Any]]] = {}
        for cat, pos in positions.items():
            if len(pos) == len(run.categories):
                by_category[cat] = _whole
            elif pos[-1] - pos[0] == len(pos) - 1:  # contiguous (one result file per category): a slice
                by_category[cat] = operator.itemgetter(slice(pos[0], pos[-1] + 1))
            elif len(pos) == 1:
                by_category[cat] = _single(pos[0])
            else:
                by_category[cat] = operator.itemgetter(*pos)
        identity = ids == list(range(len(ids)))
        return cls(ids=ids, identity=identity, by_category=by_category)

    def spread_outcomes(self, outcomes: str, width: int) -> str:
        """The run's outcomes over the whole index ('-': not in this run)."""
        if self.identity:
            return outcomes + "-" * (width - len(outcomes))
        column = ["-"] * width
        for g, o in zip(self.ids, outcomes):
            column[g] = o
        return "".join(column)

    def spread_durations(self, durations: list[int], width: int) -> list[int]:
        if self.identity:
            return durations + [0] * (width - len(durations)) if width > len(durations) else durations
        column = [0] * width
        for g, d in zip(self.ids, durations):
            column[g] = d
        return column


def _whole(seq: Sequence[Any]) -> Sequence[Any]:
    return seq


def _single(p: int) -> Callable[[Sequence[Any]], Sequence[Any]]:
    return lambda seq: (seq[p],)


def _run_ref(run: Run) -> dict[str, Any]:
    return {"run_id": run.run_id, "time": run.time, "commit": run.commit, "branch": run.branch, "url": run.url}


# -- the summary as markdown (the `ci` run's artifact) ---------------------------------------

def markdown(doc: dict[str, Any], title: str = "Test history") -> str:
    runs = doc["runs"]
    lines = [f"# {title}", "", f"Over the last {len(runs)} run(s)."]
    if not runs:
        return "\n".join(lines + ["", "No recorded runs yet."]) + "\n"
    lines += ["", f"## Flaky tests ({len(doc['flaky'])})"]
    lines += [f"- `{_md(f['test'])}`: {f['failed']} failed, {f['passed']} passed, {f['flips']} flip(s)"
              + (f", mixed at {', '.join(c[:10] for c in f['mixed_commits'])}" if f["mixed_commits"] else "")
              for f in doc["flaky"][:20]] or ["None."]
    lines += ["", f"## Broken tests ({len(doc['broken'])})"]
    lines += [f"- `{_md(b['test'])}`: failing in {b['failed_runs']} run(s) since {(b['since_commit'] or '?')[:10]}"
              for b in doc["broken"][:20]] or ["None."]
    lines += ["", f"## Slower ({len(doc['slower'])})"]
    lines += [f"- {s['kind']} `{_md(s['name'])}`: median {s['before_s']} s -> {s['after_s']} s"
              for s in doc["slower"][:20]] or ["None."]
    last = [c for c in doc["categories"] if c["run"] == runs[-1]["index"]]
    if last:
        lines += ["", "## Categories (last run)", "", "| category | pass rate | duration |", "|---|---|---|"]
        lines += [f"| {_md(c['category'])} | {_pct(c['pass_rate'])} | {c['duration_s']} s |" for c in last]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("`", "'").replace("|", "\\|")


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


# -- the page ----------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f6f7f9;color:#1c2330}
header{background:#1c2330;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#b9c2d0}main{padding:20px 28px;display:grid;gap:18px;
grid-template-columns:repeat(auto-fit,minmax(440px,1fr))}section{background:#fff;border-radius:8px;
padding:14px 18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}h2{font-size:15px;margin:0 0 10px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{padding:4px 6px;border-bottom:1px solid #eceef2;
text-align:left;vertical-align:top}th{color:#5b6575;font-weight:600}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
code{font-size:12px;word-break:break-all}.bad{color:#c0392b}.ok{color:#1e8449}.muted{color:#8a93a3}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;
border-radius:2px;margin-right:4px}svg text{font-size:10px;fill:#5b6575}
"""
_COLORS = ["#2e86de", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#2c3e50"]


def _chart(series: dict[str, list[float | None]], n: int, unit: str, fixed_max: float | None = None) -> str:
    """An inline SVG line chart: one line per series over runs 0..n-1."""
    w, h, left, bottom, top = 420, 160, 44, 20, 8
    values = [v for vs in series.values() for v in vs if v is not None]
    vmax = fixed_max if fixed_max is not None else (max(values) if values else 1.0) or 1.0
    x = (lambda i: left + (w - left - 8) * (i / (n - 1) if n > 1 else 0.5))
    y = (lambda v: top + (h - top - bottom) * (1 - v / vmax))
    parts = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img">',
             f'<line x1="{left}" y1="{h - bottom}" x2="{w - 8}" y2="{h - bottom}" stroke="#ccd"/>']
    for frac in (0, 0.5, 1):
        v = vmax * frac
        label = f"{v:.0%}" if unit == "%" else f"{v:.3g} s"
        parts.append(f'<text x="{left - 4}" y="{y(v) + 3:.1f}" text-anchor="end">{label}</text>'
                     f'<line x1="{left}" y1="{y(v):.1f}" x2="{w - 8}" y2="{y(v):.1f}" stroke="#eef"/>')
    parts.append(f'<text x="{left}" y="{h - 4}">run 1</text><text x="{w - 8}" y="{h - 4}" text-anchor="end">run {n}</text>')
    for k, (name, vs) in enumerate(series.items()):
        color = _COLORS[k % len(_COLORS)]
        pts = [(x(i), y(v)) for i, v in enumerate(vs) if v is not None]
        if pts:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="'
                         + " ".join(f"{px:.1f},{py:.1f}" for px, py in pts) + '"/>')
            parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{color}"><title>{html.escape(name)}</title></circle>'
                      for px, py in pts]
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{_COLORS[k % len(_COLORS)]}"></i>{html.escape(name)}</span>'
                     for k, name in enumerate(series))
    return "".join(parts) + f'<div class="legend">{legend}</div>'


def _test_link(name: str, refs: Iterable[dict[str, Any]]) -> str:
    links = [f'<a href="{html.escape(r["url"])}">{html.escape((r.get("commit") or "run")[:8])}</a>'
             for r in refs if r.get("url")]
    return f"<code>{html.escape(name)}</code>" + (f' <span class="muted">{" ".join(links[:6])}</span>' if links else "")


def render_html(doc: dict[str, Any], title: str = "Test history") -> str:
    """One self-contained page (inline CSS and SVG, no scripts, nothing fetched)."""
    runs = doc["runs"]
    n = len(runs)
    cats = sorted({c["category"] for c in doc["categories"]})
    rate: dict[str, list[float | None]] = {c: [None] * n for c in cats}
    dur: dict[str, list[float | None]] = {c: [None] * n for c in cats}
    for c in doc["categories"]:
        rate[c["category"]][c["run"]] = c["pass_rate"]
        dur[c["category"]][c["run"]] = c["duration_s"]
    by_url = {r["index"]: r for r in runs}
    first, last = (runs[0], runs[-1]) if runs else ({}, {})
    sub = (f"{n} run(s) from {html.escape(str(first.get('time', ''))[:19])} to {html.escape(str(last.get('time', ''))[:19])}"
           if runs else "no recorded runs yet")
    out = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>",
           '<meta name="viewport" content="width=device-width,initial-scale=1">',
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
           f"<style>{_CSS}</style></head><body><header><h1>{html.escape(title)}</h1><p>{sub}: "
           f"{len(doc['flaky'])} flaky, {len(doc['broken'])} broken, {len(doc['slower'])} slower</p></header><main>"]
    if n:
        out.append(f"<section><h2>Pass rate per category</h2>{_chart(rate, n, '%', 1.0)}</section>")
        out.append(f"<section><h2>Duration per category</h2>{_chart(dur, n, 's')}</section>")
    rows = "".join(f"<tr><td>{_test_link(f['test'], f['runs'])}</td><td>{html.escape(f['category'])}</td>"
                   f"<td class='n bad'>{f['failed']}</td><td class='n ok'>{f['passed']}</td><td class='n'>{f['flips']}</td></tr>"
                   for f in doc["flaky"][:50])
    out.append("<section><h2>Flaky tests</h2>" + (f"<table><tr><th>test</th><th>category</th><th>failed</th><th>passed</th>"
                                                  f"<th>flips</th></tr>{rows}</table>" if rows else "<p class=muted>None.</p>")
               + "</section>")
    rows = "".join(f"<tr><td>{_test_link(b['test'], [b['since_run']])}</td><td>{html.escape(b['category'])}</td>"
                   f"<td class='n'><code>{html.escape((b['since_commit'] or '?')[:10])}</code></td><td class='n bad'>{b['failed_runs']}</td></tr>"
                   for b in doc["broken"][:50])
    out.append("<section><h2>Broken tests</h2>" + (f"<table><tr><th>test</th><th>category</th><th>since</th><th>runs</th></tr>"
                                                   f"{rows}</table>" if rows else "<p class=muted>None.</p>") + "</section>")
    rows = "".join(f"<tr><td>{html.escape(s['kind'])}</td><td><code>{html.escape(s['name'])}</code></td>"
                   f"<td class='n'>{s['before_s']} s</td><td class='n bad'>{s['after_s']} s</td></tr>" for s in doc["slower"][:50])
    out.append("<section><h2>Slower</h2>" + (f"<table><tr><th></th><th>name</th><th>before</th><th>after</th></tr>{rows}</table>"
                                             if rows else "<p class=muted>None.</p>") + "</section>")
    rows = "".join(f"<tr><td><code>{html.escape(s['test'])}</code></td><td>{html.escape(s['category'])}</td>"
                   f"<td class='n'>{s['median_s']} s</td></tr>" for s in doc.get("slowest", []))
    out.append("<section><h2>Slowest tests (median)</h2>" + (f"<table><tr><th>test</th><th>category</th><th>median</th></tr>"
                                                             f"{rows}</table>" if rows else "<p class=muted>None.</p>") + "</section>")
    rows = "".join(f"<tr><td class='n'>{r['index'] + 1}</td><td>"
                   + (f'<a href="{html.escape(r["url"])}">{html.escape(str(r["time"])[:19])}</a>' if r.get("url")
                      else html.escape(str(r["time"])[:19]))
                   + f"</td><td><code>{html.escape((r['commit'] or '')[:10])}</code></td><td>{html.escape(r['branch'] or '')}</td>"
                   f"<td class='n'>{r['passed']}/{r['total']}</td><td class='n bad'>{r['failed'] or ''}</td></tr>"
                   for r in reversed([by_url[i] for i in sorted(by_url)]))
    out.append("<section><h2>Runs</h2>" + (f"<table><tr><th>#</th><th>time</th><th>commit</th><th>branch</th><th>passed</th>"
                                           f"<th>failed</th></tr>{rows}</table>" if rows else "<p class=muted>None.</p>") + "</section>")
    out.append("</main></body></html>\n")
    return "".join(out)


def now_iso() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def repo_identity(root: Any) -> tuple[str | None, str | None]:
    """(commit, branch) of the repository at ``root``; (None, None) when it is not a git repository."""
    from gameops import git

    if not git.is_repo(root):
        return None, None
    return git.head(root), git.current_branch(root)
