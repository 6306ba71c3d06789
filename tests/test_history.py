"""Test history: records, flaky / broken / slower answers, the page, `report --record` + `history`."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from gameops import history, results
from gameops.cli import main
from gameops.errors import BadInput
from history_helpers import BROKEN, COMMITS, FLAKY, SLOWER, write_runs


def _runs(tmp_path) -> list[history.Run]:
    out = []
    for i, path in enumerate(write_runs(tmp_path)):
        out.append(history.from_summary(results.read_many([path]), COMMITS[i], "main", f"2026-01-{i + 1:02d}T10:00:00+00:00"))
    return out


def test_record_round_trips_through_its_table(tmp_path):
    run = _runs(tmp_path)[0]
    back = history.from_table(json.loads(json.dumps(run.as_table())), run.describe(), run_id="r1")
    assert back.tests == run.tests and back.outcomes == run.outcomes and back.durations_ms == run.durations_ms
    assert (back.commit, back.branch, back.run_id) == (COMMITS[0], "main", "r1")
    assert set(back.categories) == {"Unit"}
    with pytest.raises(BadInput, match="not a gameops-history"):
        history.from_table(run.as_table(), "something else")


def test_analyze_names_exactly_the_flaky_broken_and_slower_tests(tmp_path):
    doc = history.analyze(_runs(tmp_path))
    assert [f["test"] for f in doc["flaky"]] == [FLAKY]
    assert doc["flaky"][0]["failed"] == 3 and doc["flaky"][0]["mixed_commits"] == [COMMITS[4]]
    assert [(b["test"], b["since_commit"], b["failed_runs"]) for b in doc["broken"]] == [(BROKEN, COMMITS[6], 4)]
    assert [(s["kind"], s["name"]) for s in doc["slower"]] == [("test", SLOWER)]
    assert doc["slower"][0]["before_s"] == pytest.approx(0.2, abs=0.002)
    assert doc["slower"][0]["after_s"] == pytest.approx(0.6, abs=0.002)
    assert len(doc["runs"]) == 10
    last = [c for c in doc["categories"] if c["run"] == 9]
    assert [c["category"] for c in last] == ["Unit"] and last[0]["failed"] == 1
    assert history.analyze(_runs(tmp_path), category="Nope")["flaky"] == []


def test_a_category_that_slows_down_is_named(tmp_path):
    runs = _runs(tmp_path)
    for run in runs[5:]:
        run.durations_ms = [d * 3 for d in run.durations_ms]
    doc = history.analyze(runs)
    assert ("category", "Unit") in [(s["kind"], s["name"]) for s in doc["slower"]]


def test_page_is_self_contained(tmp_path):
    page = history.render_html(history.analyze(_runs(tmp_path)))
    assert "<svg" in page and FLAKY in page and BROKEN in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "<script" not in page


def test_report_record_then_history(prefect, sample_repo, tmp_path, capsys, gameops_cli):
    for i, path in enumerate(write_runs(tmp_path)):
        code = main(["--project", str(sample_repo), "report", "--record", "--commit", COMMITS[i], str(path)])
        assert code in (0, 1)
    capsys.readouterr()
    page = tmp_path / "history.html"
    out = gameops_cli("--project", str(sample_repo), "--json", "history", "--last", "10", "--html", str(page))
    assert out.code == 0, out.stderr
    doc = out.json
    assert set(doc) >= {"runs", "flaky", "broken", "slower", "categories"}
    assert [f["test"] for f in doc["flaky"]] == [FLAKY]
    assert [(b["test"], b["since_commit"]) for b in doc["broken"]] == [(BROKEN, COMMITS[6])]
    assert [s["name"] for s in doc["slower"]] == [SLOWER]
    assert all(r["url"] and "/runs/flow-run/" in r["url"] for r in doc["runs"])
    assert "/runs/flow-run/" in page.read_text()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on this machine")
    shot = tmp_path / "page.png"
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          "--no-first-run", "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert FLAKY in dom.stdout and "<svg" in dom.stdout
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    "--window-size=1200,900", f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_history_bad_input(gameops_cli, sample_repo):
    out = gameops_cli("--project", str(sample_repo), "history", "--last", "0")
    assert out.code == 2 and "--last 0" in out.stderr and "Traceback" not in out.stderr




def test_quarantined_failure_is_reported_and_does_not_fail_ci(prefect, gameops_cli, tmp_path):
    from ci_helpers import GODOT44, game_repo, standin_path

    repo = game_repo(tmp_path)
    scoring = repo / "tests" / "Lumen.Core.Tests" / "ScoringTests.cs"
    scoring.write_text(scoring.read_text(encoding="utf-8").replace(
        "Assert.Equal(200, Scoring.Combo(3, 100));", 'Assert.Fail("combo bonus is wrong");', 1), encoding="utf-8")
    config = repo / "gameops.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  solution: Lumen.sln\n", (
        "  solution: Lumen.sln\n  quarantine:\n    - Lumen.Core.Tests.ScoringTests.Combo_adds_fifty_per_extra_streak\n"), 1),
        encoding="utf-8")
    r = gameops_cli("--project", str(repo), "--json", "ci", env={"PATH": standin_path(), "GITHUB_STEP_SUMMARY": "",
                                                            "GODOT_BIN": GODOT44},
                    timeout=900)
    assert "Traceback" not in r.stderr and r.stdout, r.stderr[-3000:]
    doc = json.loads(r.stdout)
    assert r.code == 0, doc["failures"]
    q = doc["quarantine"]
    assert q["tests"] == ["Lumen.Core.Tests.ScoringTests.Combo_adds_fifty_per_extra_streak"]
    assert q["failed"] == 1 and q["passed"] == 0 and q["failures"][0].endswith("Combo_adds_fifty_per_extra_streak")
    assert doc["failed"] == 0 and doc["total"] == 8  # the other tests ran as usual, without it
    md = (repo / "TestResults" / "test-summary.md").read_text(encoding="utf-8")
    assert "Quarantine" in md and "do not fail the run" in md and "Combo_adds_fifty_per_extra_streak" in md


def test_quarantine_names_are_checked(tmp_path):
    from gameops.config import load

    (tmp_path / "gameops.yaml").write_text("dotnet:\n  quarantine:\n    - '--logger x'\n", encoding="utf-8")
    with pytest.raises(BadInput, match="quarantine"):
        load(tmp_path, None)


def test_compact_record_round_trips_and_shares_its_name_list(tmp_path):
    runs = _runs(tmp_path)
    digest = history.names_digest(runs[0])
    assert all(history.names_digest(r) == digest for r in runs)  # same tests: one name list for all runs
    names = {digest: history.names_from_data(json.loads(json.dumps(history.names_data(runs[0]))), digest)}
    back = [history.from_compact(json.loads(json.dumps(history.compact_data(r))), history.describe_compact(r, digest),
                                 names) for r in runs]
    for r, b in zip(runs, back):
        assert (b.tests, b.categories, b.outcomes, b.durations_ms) == (r.tests, r.categories, r.outcomes, r.durations_ms)
        assert (b.commit, b.branch, b.time) == (r.commit, r.branch, r.time)
    assert history.analyze(back) == history.analyze(runs)
    assert "| Unit |" in history.run_markdown(runs[0])
    with pytest.raises(BadInput, match="name list .* is missing"):
        history.from_compact(history.compact_data(runs[0]), history.describe_compact(runs[0], "0" * 20), names)
    damaged = {**history.compact_data(runs[0]), "outcomes": "not base64!"}
    with pytest.raises(BadInput, match="damaged"):
        history.from_compact(damaged, history.describe_compact(runs[0], digest), names)


def test_test_run_is_recorded_and_auto_quarantine_reads_the_flaky_list(prefect, gameops_cli, tmp_path):
    """A plain `gameops test` leaves a record `history` reads back; a pass recorded at the same commit
    makes the test flaky; `ci` with `quarantine: auto` then quarantines it (failure reported, ci green)
    and attaches the history summary; `history --category` keeps to that category."""
    from ci_helpers import GODOT44, game_repo, standin_path
    from prefect.client.orchestration import get_client

    from gameops.tasks.artifacts import artifact_key

    combo = "Lumen.Core.Tests.ScoringTests.Combo_adds_fifty_per_extra_streak"
    repo = game_repo(tmp_path)
    config = repo / "gameops.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("name: Lumen", "name: LumenAuto", 1), encoding="utf-8")
    scoring = repo / "tests" / "Lumen.Core.Tests" / "ScoringTests.cs"
    scoring.write_text(scoring.read_text(encoding="utf-8").replace(
        "Assert.Equal(200, Scoring.Combo(3, 100));", 'Assert.Fail("combo bonus is wrong");', 1), encoding="utf-8")
    env = {"PATH": standin_path(), "GITHUB_STEP_SUMMARY": "", "GODOT_BIN": GODOT44}
    r = gameops_cli("--project", str(repo), "--json", "test", env=env, timeout=900)
    assert r.code == 1 and "Traceback" not in r.stderr, r.stderr[-3000:]
    out = gameops_cli("--project", str(repo), "--json", "history")
    assert out.code == 0, out.stderr
    assert len(out.json["runs"]) == 1 and out.json["runs"][0]["failed"] == 1
    assert [b["test"] for b in out.json["broken"]] == [combo]  # one run, failed: broken since this commit
    # The same test passed elsewhere at the same commit (a CI job's own TRX): now it is flaky.
    trx = [p for p in sorted((repo / "TestResults").rglob("*.trx")) if "Combo_adds_fifty" in p.read_text(encoding="utf-8")]
    assert len(trx) == 1
    passed = tmp_path / "elsewhere.trx"
    text = trx[0].read_text(encoding="utf-8")
    passed.write_text(text.replace('outcome="Failed"', 'outcome="Passed"'), encoding="utf-8")
    assert gameops_cli("--project", str(repo), "report", "--record", str(passed)).code in (0, 1)
    out = gameops_cli("--project", str(repo), "--json", "history")
    assert [f["test"] for f in out.json["flaky"]] == [combo] and out.json["broken"] == []
    cats = {c["category"] for c in out.json["categories"]}
    assert len(cats) > 1
    only = sorted(cats)[0]
    out = gameops_cli("--project", str(repo), "--json", "history", "--category", only)
    assert out.code == 0 and {c["category"] for c in out.json["categories"]} == {only}
    assert all(f["category"] == only for f in out.json["flaky"])

    config.write_text(config.read_text(encoding="utf-8").replace(
        "  solution: Lumen.sln\n", "  solution: Lumen.sln\n  quarantine: auto\n", 1), encoding="utf-8")
    r = gameops_cli("--project", str(repo), "--json", "ci", env=env, timeout=900)
    assert "Traceback" not in r.stderr and r.stdout, r.stderr[-3000:]
    doc = json.loads(r.stdout)
    assert r.code == 0, doc["failures"]
    assert doc["quarantine"]["tests"] == [combo] and doc["quarantine"]["failed"] == 1
    assert doc["quarantine"]["source"].startswith("auto")
    with get_client(sync_client=True) as client:
        resp = client.request("POST", "/artifacts/filter", json={
            "artifacts": {"key": {"any_": [artifact_key("test-history-summary-LumenAuto")]}}, "sort": "CREATED_DESC",
            "limit": 1})
        resp.raise_for_status()
        summary = resp.json()
    assert summary and summary[0]["type"] == "markdown"
    body = summary[0]["data"]
    assert "## Flaky tests (1)" in body and combo in body and "over 3 run(s)" in summary[0]["description"]


def _reference_durations(runs, factor=2.0, min_growth_s=0.05, slowest=10):
    """slower tests and slowest tests computed the plain way: every median by statistics.median."""
    import statistics

    per_test: dict[str, list[int]] = {}
    cat: dict[str, str] = {}
    for run in runs:
        for name, c, out, ms in zip(run.tests, run.categories, run.outcomes, run.durations_ms):
            cat[name] = c
            if out == "p":
                per_test.setdefault(name, []).append(ms)
    slower, medians = [], []
    for name in cat:  # in the order tests first appear, as ties are listed
        ds = per_test.get(name)
        if not ds:
            continue
        if len(ds) >= 4:
            before, after = statistics.median(ds[:len(ds) // 2]), statistics.median(ds[len(ds) // 2:])
            if after - before >= min_growth_s * 1000 and after >= factor * max(before, 1e-9):
                slower.append((name, round(before / 1000, 4), round(after / 1000, 4)))
        medians.append((name, statistics.median(ds)))
    top = sorted(medians, key=lambda x: -x[1])[:slowest]
    return sorted(slower), [(name, round(m / 1000, 4)) for name, m in top]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_slower_and_slowest_tests_match_plain_medians(seed):
    """Many tests, ties in duration, a few that got slower and a few that are slow throughout:
    the named slowdowns and the 10 slowest (ties in test order) are exactly what plain medians give."""
    import random

    rnd = random.Random(seed)
    names = [f"Game.Tests.T{k}" for k in range(400)]
    slow_always = set(rnd.sample(range(400), 6))
    slowing = set(rnd.sample(range(400), 8))
    runs = []
    for i in range(rnd.choice([9, 10, 24])):
        outcomes = "".join(rnd.choice("ppppppppfs") for _ in names)
        durations = []
        for k in range(len(names)):
            ms = rnd.choice([5, 6, 7, 40, 41]) if k not in slow_always else rnd.randint(30, 60)
            if k in slowing and i >= 5:
                ms = ms * rnd.choice([2, 3, 4]) + rnd.choice([0, 30, 60])
            durations.append(ms)
        runs.append(history.Run(time=f"t{i}", commit=f"c{i}", branch="main", tests=names,
                                categories=["Unit"] * len(names), outcomes=outcomes, durations_ms=durations))
    doc = history.analyze(runs)
    slower, slowest = _reference_durations(runs)
    assert sorted((s["name"], s["before_s"], s["after_s"]) for s in doc["slower"] if s["kind"] == "test") == slower
    assert [(s["test"], s["median_s"]) for s in doc["slowest"]] == slowest
    assert slower and len(slowest) == 10
