"""ROI: time saved per job from real completed runs; no run history, no savings claimed."""

from __future__ import annotations

import pytest

from gameops.config import ManualMinutes
from gameops.roi import RunRecord, compute, to_markdown


def test_savings_per_run_and_per_month_from_recorded_runs():
    manual = ManualMinutes(release=60, check=5)
    runs = [RunRecord("release", 120.0), RunRecord("release", 240.0), RunRecord("check", 30.0),
            RunRecord("roi", 5.0), RunRecord("export-platform", 50.0)]
    report = compute(runs, manual, days=15)
    by_job = {j["job"]: j for j in report["jobs"]}
    assert set(by_job) == {"release", "check"}, "roi itself and export subflows are not manual jobs"
    rel = by_job["release"]
    assert (rel["runs"], rel["manual_minutes"], rel["actual_minutes"]) == (2, 60.0, 3.0)
    assert rel["saved_per_run_minutes"] == 57.0 and rel["saved_minutes"] == 114.0
    assert rel["saved_per_month_minutes"] == 228.0  # 15-day window scaled to 30 days
    assert by_job["check"]["saved_minutes"] == 4.5
    assert report["saved_minutes"] == 118.5 and report["claimed"] is True and report["runs"] == 3
    md = to_markdown(report, "BlockLife")
    assert "| release | 2 | 60.0 min | 3.00 min | 57.0 min | 1.9 h | 3.8 h |" in md
    assert "| **total** | 3 |" in md


def test_no_history_claims_nothing():
    report = compute([RunRecord("roi", 3.0)], ManualMinutes(), days=30)
    assert report["claimed"] is False and report["jobs"] == [] and report["saved_per_month_minutes"] == 0.0
    assert "no savings claimed" in report["notes"][0]
    assert "no savings claimed" in to_markdown(report)


def test_per_item_job_says_what_it_assumed_and_slow_runs_show_a_loss():
    report = compute([RunRecord("backlog-archive", 6.0), RunRecord("backlog-archive", 6.0, items=3),
                      RunRecord("metrics", 20 * 60.0)], ManualMinutes(backlog_archive_per_item=10, metrics=15), days=30)
    by_job = {j["job"]: j for j in report["jobs"]}
    assert by_job["backlog-archive"]["saved_minutes"] == pytest.approx(40 - 0.2)
    assert "counted as 1 item each" in report["notes"][0]
    assert by_job["metrics"]["saved_minutes"] == -5.0


@pytest.mark.prefect
def test_roi_reads_real_runs_of_this_project_only(prefect, sample_repo, tmp_path, gameops_cli):
    from gameops.flows.check import check
    from gameops.flows.roi import roi
    from conftest import SAMPLE_GAME, make_repo

    # No history for this repository yet: nothing claimed (other tests' runs on the server don't count).
    empty = roi(project=str(sample_repo), days=7)
    assert empty["claimed"] is False and empty["jobs"] == []

    states = [check(project=str(sample_repo), return_state=True) for _ in range(2)]
    check(project=str(make_repo(SAMPLE_GAME, tmp_path / "other" / "another-game")), return_state=True)  # another game: not ours

    out = gameops_cli("--project", str(sample_repo), "--json", "roi", "--days", "7", process=True)
    assert out.code == 0, out.stderr
    report = out.json
    completed = [j for j in report["jobs"] if j["job"] == "check"]
    assert completed and [j["job"] for j in report["jobs"]] == ["check"], report
    assert completed[0]["runs"] == sum(1 for s in states if s.is_completed())  # failed runs save nothing
    assert completed[0]["manual_minutes"] == 5.0 and 0 < completed[0]["actual_seconds"] < 300
    assert report["claimed"] is True and report["project"] == "sample-game"

    human = gameops_cli("--project", str(sample_repo), "roi", "--days", "7")
    assert human.code == 0 and "check" in human.stderr and "a month" in human.stderr


def test_bad_days_is_bad_input(gameops_cli, sample_repo):
    out = gameops_cli("--project", str(sample_repo), "roi", "--days", "0")
    assert out.code == 2 and "--days 0: must be a positive number" in out.stderr


@pytest.mark.prefect
def test_backlog_archive_runs_report_their_items_to_roi(prefect, tmp_path, gameops_cli):
    from tests.backlog_helpers import copy_fixture
    from tests.conftest import git

    root = copy_fixture("inline", tmp_path / "game")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "chore: import backlog")
    archived = gameops_cli("--project", str(root), "--json", "backlog", "archive", "--date", "2025-08-29")
    assert archived.code == 0, archived.stderr
    count = len(archived.json["archived"])
    assert count >= 2
    again = gameops_cli("--project", str(root), "--json", "backlog", "archive", "--date", "2025-08-29")
    assert again.code == 0 and again.json["archived"] == []

    out = gameops_cli("--project", str(root), "--json", "roi", "--days", "1")
    job = next(j for j in out.json["jobs"] if j["job"] == "backlog-archive")
    per_item = 7.5  # manual_minutes.backlog_archive_per_item default
    assert job["runs"] == 2
    # manual minutes per run: the first run's items by hand, the empty second run nothing
    assert job["manual_minutes"] == pytest.approx(per_item * count / 2, abs=0.1)  # report rounds to 0.1
    assert not any("did not report how many items" in n for n in out.json["notes"])


def test_same_project_by_path_or_by_folder_name(tmp_path):
    from gameops.roi import same_project

    game = (tmp_path / "game").resolve()
    game.mkdir()
    assert same_project(str(game), game)                         # a local run
    assert same_project("/srv/worker/checkouts/game", game)      # a deployed run on another machine
    assert not same_project(str(tmp_path / "other"), game)
    assert not same_project(None, game) and not same_project("", game)
