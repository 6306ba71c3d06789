"""The Prefect UI as the team's window: every run named after its job and project and tagged so
the UI's filters find it; a status board of keyed artifacts per project that each run updates;
deployments whose Run form explains itself."""

from __future__ import annotations

import inspect
from datetime import date

from pathlib import Path

import pytest

from gameops import run_labels
from tests.conftest import SAMPLE_GAME, git, make_repo


def test_run_names_and_tags_say_job_project_branch_and_version():
    labels = run_labels.RunLabels(job="release", project="Block Life", branch="release/1.4", version="1.4.0")
    assert labels.name == "release-Block-Life-1.4.0"
    assert labels.tags == ["gameops", "project:Block-Life", "job:release", "branch:release/1.4", "version:1.4.0"]
    daily = run_labels.RunLabels(job="backlog-archive", project="BlockLife", day=date(2026, 11, 30))
    assert daily.name == "backlog-archive-BlockLife-2026-11-30"
    assert daily.tags == ["gameops", "project:BlockLife", "job:backlog-archive"]  # detached HEAD: no branch tag
    export = run_labels.RunLabels(job="export-platform", project="BlockLife", version="1.4.0", detail="windows")
    assert export.name == "export-platform-BlockLife-windows-1.4.0"


def test_tags_of_others_are_kept_and_ours_replaced():
    labels = run_labels.RunLabels(job="release", project="BlockLife", branch="main", version="1.0.1")
    merged = run_labels.merged_tags(["gameops", "version:bump", "project:Old", "items:3", "nightly"], labels)
    assert merged == [*labels.tags, "items:3", "nightly"]


def test_board_keys_are_valid_artifact_keys():
    assert run_labels.board_key("Block Life (C#)", "ci") == "block-life-c-ci"
    assert run_labels.board_key("BlockLife", "release") == "blocklife-release"
    with pytest.raises(ValueError):
        run_labels.board_key("BlockLife", "tests")


def test_labels_from_a_broken_config_fall_back_to_the_folder(tmp_path):
    game = tmp_path / "Space Game"
    game.mkdir()
    (game / "gameops.yaml").write_text("project: [not, a, mapping\n", encoding="utf-8")
    labels = run_labels.for_parameters("check", str(game), None)
    assert labels.name == "check-Space-Game"


def test_labels_read_the_project_name_and_branch(tmp_path):
    repo = make_repo(SAMPLE_GAME, tmp_path / "folder-name")
    git(repo, "checkout", "-q", "-b", "feat/VS_001-menu")
    labels = run_labels.for_parameters("release", str(repo), None, version="v0.3.0")
    assert labels.name == "release-sample-game-0.3.0"
    assert "branch:feat/VS_001-menu" in labels.tags and "version:0.3.0" in labels.tags


def test_every_flow_documents_its_parameters_for_the_run_form():
    """The deployment's description and the Run form's field help come from the flow."""
    from prefect.utilities.callables import parameter_schema

    from gameops.flows import (backlog_archive, build, check, ci, docs_sync, export, metrics, release, roi, setup,
                               test)

    flows = [check.check, build.build, test.test, ci.ci, release.release, export.export_platform,
             docs_sync.docs_sync, backlog_archive.backlog_archive, metrics.metrics, setup.setup, roi.roi]
    for f in flows:
        assert f.description, f.name
        schema = parameter_schema(f.fn)
        params = inspect.signature(f.fn).parameters
        undocumented = [p for p in params if not schema.properties[p].get("description")]
        assert not undocumented, f"{f.name}: no description for {undocumented}"


JOBS = [("check", ["check"]), ("ci", ["ci"]), ("release", ["release", "VERSION"]),
        ("docs-sync", ["docs", "sync"]), ("backlog-archive", ["backlog", "archive"])]


@pytest.mark.prefect
def test_runs_are_named_and_tagged_and_boards_keep_history(sample_repo, gameops_cli, prefect):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterTags,
    )

    def run_all(version: str) -> None:
        for job, args in JOBS:
            argv = [a.replace("VERSION", version) for a in args]
            r = gameops_cli("--project", str(sample_repo), *argv, timeout=600)
            assert r.code in (0, 1) and "Traceback" not in r.stderr, f"{job}: {r.stderr[-2000:]}"
            if job == "release":
                assert r.code == 0, r.stderr[-2000:]

    run_all("0.1.0")
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-q", "-m", "chore: docs and backlog maintenance")
    run_all("0.2.0")

    today = date.today().isoformat()
    with get_client(sync_client=True) as client:
        # This test's runs: other tests of the session run the sample game too.
        runs = [r for r in client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    tags=FlowRunFilterTags(all_=["gameops", "project:sample-game"])))
                if Path(r.parameters.get("project", "")).resolve() == sample_repo.resolve()]
        mine = {r.id for r in runs}
        by_job: dict[str, list] = {}
        for run in runs:
            job = next(t.removeprefix("job:") for t in run.tags if t.startswith("job:"))
            by_job.setdefault(job, []).append(run)
            assert run.name.startswith(f"{job}-sample-game"), run.name
            assert "branch:main" in run.tags, run.tags
        assert {j: len(r) for j, r in by_job.items()} == {job: 2 for job, _ in JOBS}
        assert sorted(r.name for r in by_job["release"]) == ["release-sample-game-0.1.0", "release-sample-game-0.2.0"]
        assert {t for r in by_job["release"] for t in r.tags if t.startswith("version:")} == {"version:0.1.0", "version:0.2.0"}
        assert {r.name for r in by_job["docs-sync"]} == {f"docs-sync-sample-game-{today}"}
        assert {r.name for r in by_job["check"]} == {"check-sample-game"}

        # Task runs read per platform.
        release_run = next(r for r in by_job["release"] if r.name.endswith("0.2.0"))
        task_names = {t.name for t in client.read_task_runs(flow_run_filter=FlowRunFilter(id={"any_": [release_run.id]}))}
        assert {"export-linux", "package-linux"} <= task_names, task_names

        latest = {}
        for board in run_labels.BOARDS:
            key = f"sample-game-{board}"
            versions = [a for a in client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
                        if a.flow_run_id in mine]
            assert len(versions) == 2, (key, len(versions))
            latest[key] = max(versions, key=lambda a: a.created)
        assert "sample-game-0.2.0-linux.zip" in latest["sample-game-release"].data
        assert "By status" in latest["sample-game-backlog"].data
        assert "Done" in latest["sample-game-backlog"].data or "Rejected" in latest["sample-game-backlog"].data
        assert "internal link(s) checked" in latest["sample-game-docs"].data
        assert "gameops ci: sample-game" in latest["sample-game-ci"].data
        assert latest["sample-game-ci"].description.startswith("ci of sample-game: ")


def test_ci_board_lists_each_category_with_its_coverage():
    from gameops import reports

    runs = [{"category": "Architecture", "ok": True, "passed": 12, "failed": 0, "skipped": 0, "coverage": None,
             "duration_s": 1.5},
            {"category": "Unit", "ok": False, "passed": 40, "failed": 2, "skipped": 1, "coverage": 0.8125,
             "duration_s": 9.0}]
    doc = reports.ci_document("BlockLife", [], None, None, runs, ["Integration"], [])
    md = reports.ci_markdown(doc, None)
    rows = [line for line in md.splitlines() if line.startswith("| ") and ("Unit" in line or "Architecture" in line
                                                                          or "Integration" in line)]
    assert rows[0].startswith("| ✅ | Architecture | 12 | 0 | 0 | - |")
    assert rows[1].startswith("| ❌ | Unit | 40 | 2 | 1 | 81.2% |")
    assert rows[2] == "| ⏭️ | Integration | | | | | not run |"
