"""``gameops release``: version -> checks -> dotnet publish -> export per platform -> package ->
checksums and manifest -> notes and CHANGELOG -> `chore(release)` commit -> tag -> publish.

One release per project at a time (a Prefect global concurrency limit, created when missing);
the run is named after the version; a markdown artifact lists the artifacts and the notes.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from prefect import flow, runtime, unmapped

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import release as core
from gameops import release_slot, run_labels
from gameops.config import load
from gameops.errors import JobFailed
from gameops.tasks import artifacts
from gameops.tasks import export as export_tasks
from gameops.tasks import package as package_tasks
from gameops.tasks import release as release_tasks


def _say(message: str) -> None:
    sys.stderr.write(f"gameops: {message}\n")
    sys.stderr.flush()


def _ensure_limit(name: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
            except Exception:  # created by a concurrent release in between: fine
                client.read_global_concurrency_limit_by_name(name)


def _free_dead_holders(name: str) -> int:
    """Release the slot leases of releases on this machine whose process is gone (kill -9), and
    mark their flow runs Crashed; returns how many were freed."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    freed = 0
    for h in release_slot.dead_holders(name):
        with get_client(sync_client=True) as client:
            try:
                client.release_concurrency_slots_with_lease(UUID(h.lease_id))
            except Exception:  # already expired and taken back by the server: nothing to free
                pass
            if h.flow_run_id:
                try:
                    client.set_flow_run_state(UUID(h.flow_run_id), Crashed(message=f"the release process (pid {h.pid}) was killed; "
                                                                                 "its slot was freed by the next release"), force=True)
                except Exception:
                    pass
        release_slot.forget(h.path)
        freed += 1
        _say(f"freed the release slot of a killed release (pid {h.pid} on this machine)")
    return freed


@contextlib.contextmanager
def one_release_at_a_time(name: str, mode: str):
    """Hold the project's release slot (a Prefect concurrency lease that expires with its holder);
    free the slot of a killed release on this machine; wait for a live one or exit, as
    ``release.concurrency`` says."""
    from prefect.client.schemas.objects import ConcurrencyLeaseHolder
    from prefect.concurrency._leases import maintain_concurrency_lease
    from prefect.concurrency._sync import acquire_concurrency_slots_with_lease, release_concurrency_slots_with_lease

    _ensure_limit(name)
    run_id = runtime.flow_run.id
    holder = ConcurrencyLeaseHolder(type="flow_run", id=run_id) if run_id else None

    def acquire(timeout: float | None):
        try:
            return acquire_concurrency_slots_with_lease([name], 1, timeout_seconds=timeout, strict=True,
                                                        lease_duration=release_slot.LEASE_S, holder=holder)
        except TimeoutError:
            return None

    lease = acquire(2)
    if lease is None and _free_dead_holders(name):
        lease = acquire(30)
    if lease is None:
        if mode == "exit":
            raise JobFailed(f"another release of this project is running (Prefect concurrency limit {name!r}); "
                            "release.concurrency is 'exit'")
        _say(f"another release of this project is running; waiting for it (concurrency limit {name!r})")
        lease = acquire(None)
    record = release_slot.record(name, str(lease.lease_id), str(run_id) if run_id else None)
    try:
        with maintain_concurrency_lease(lease.lease_id, release_slot.LEASE_S, raise_on_lease_renewal_failure=False):
            yield
    finally:
        try:
            release_concurrency_slots_with_lease(lease.lease_id)
        finally:
            release_slot.forget(record)


def export_all(plan: core.Plan, distributed: bool = False, loaded=None) -> dict[str, Any]:
    """Every platform's export, in parallel: platform -> future of ``{"platform", "dir", "files"}``.

    The one place exports start, so a distributed branch (run_deployment of flows/export.py's
    ``export_platform`` on each platform's work pool) goes here.
    """
    if distributed and loaded is not None:
        from gameops.flows import distributed as remote  # run_deployment on each platform's work pool

        return remote.export_all(plan, loaded)
    return {p: export_tasks.submit(job, plan.tracked, plan.exports_dir) for p, job in plan.jobs.items()}


def _markdown(plan: core.Plan, manifest: dict, status: str) -> str:
    # Inside the project the folder reads as the project sees it (dist/1.4.0); elsewhere in full.
    folder = plan.release_dir.relative_to(plan.root) if plan.release_dir.is_relative_to(plan.root) else plan.release_dir
    rows = "\n".join(f"| {a['name']} | {a['platform']} | {a['size']:,} | `{a['sha256']}` |" for a in manifest["artifacts"])
    return (
        f"# {plan.project} {plan.version} ({status})\n\n"
        f"Commit `{plan.commit[:12]}`, tag `{plan.tag}`, release folder `{folder.as_posix()}`\n\n"
        f"| artifact | platform | bytes | sha256 |\n|---|---|---:|---|\n{rows}\n\n{plan.notes_md}"
    )


@alerting
@flow(name="release", flow_run_name=run_name("release", version_param="version", no_version="bump"),
      description="Release a version: checks, dotnet publish, Godot export per platform, reproducible zips, SHA256SUMS, notes, tag, publish.")
def release(project: str = ".", config: str | None = None, version: str | None = None, bump: bool = False,
            platforms: list[str] | None = None, out: str | None = None, tag: bool = True, force: bool = False,
            dry_run: bool = False) -> dict:
    """Release the game repository at `project`.

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        version: Version to release (semver, a leading v accepted, e.g. 1.4.0 or 1.4.0-rc.1). Leave empty with bump.
        bump: Compute the version from conventional commits since the last release tag.
        platforms: Platforms to export (keys of godot.presets); default all.
        out: Output folder; the release goes to <out>/<version>/. Default release.out_dir.
        tag: Create the annotated release tag with the notes as its message.
        force: Replace a release (and move a tag) made from another commit.
        dry_run: Build, export and package into a scratch folder; tag, publish and CHANGELOG untouched.
    """
    loaded = load(project, config)
    tag_run("release", loaded, version=version)
    request = core.Request(version=version, bump=bump, platforms=platforms, out=out, tag=tag, force=force, dry_run=dry_run)
    name = core.concurrency_name(loaded)
    with one_release_at_a_time(name, loaded.config.release.concurrency):
        release_tasks.sweep(loaded, request)  # what a killed run of this release left half-written
        plan = release_tasks.plan(loaded, request)
        if plan.bumped or not version:
            tag_run("release", loaded, version=plan.version, rename=True)
        report: dict = {"status": "", "release_dir": str(plan.release_dir), "exports": [], "warnings": plan.warnings}
        if plan.status == core.EXISTING:
            manifest = package_tasks.verify_existing(plan)
            report["status"] = "verified"
        else:
            for proj in plan.dotnet_projects:
                release_tasks.dotnet_publish(loaded, plan, proj)
            futures = export_all(plan, loaded.config.release.distributed, loaded)
            platforms_list = list(futures)
            packaged = package_tasks.package.map(unmapped(plan), platforms_list, [futures[p] for p in platforms_list])
            artifact_entries = [f.result() for f in packaged]
            report["exports"] = [{"platform": p, "cached": futures[p].state.name == "Cached"} for p in platforms_list]
            manifest = package_tasks.finish(plan, artifact_entries)
            report["status"] = "dry-run" if plan.dry_run else "created"
        report["changelog_updated"] = release_tasks.update_changelog(plan)
        report["release_commit"] = release_tasks.commit_changelog(plan)
        report["tagged"] = release_tasks.tag(plan, report["release_commit"])
        report["published"] = release_tasks.publish(plan)
        artifacts.markdown(run_labels.board_key(plan.project, "release"), _markdown(plan, manifest, report["status"]),
                           description=f"{plan.project} {plan.version}: {report['status']}")
    return {**manifest, **report}
