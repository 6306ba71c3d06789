"""gameops release VERSION | --bump: a verified, reproducible, tagged release."""

from __future__ import annotations

from dataclasses import asdict

from gameops.console import esc
from gameops.errors import EXIT_FAILED, JobFailed


def register(sub, parents) -> None:
    p = sub.add_parser(
        "release", parents=parents, help="export, package, checksum, notes, tag and publish a version",
        description="Release VERSION (semver; a leading v and pre-releases such as 1.4.0-rc.1 accepted) or the "
                    "--bump'ed version: repository checks, dotnet publish (C#), Godot export per platform, reproducible "
                    "zips, SHA256SUMS, release-manifest.json, RELEASE_NOTES.md and CHANGELOG.md, annotated tag, publish "
                    "to release.store. Rerunning a released version at the same commit verifies it and changes nothing.",
    )
    p.add_argument("version", nargs="?", metavar="VERSION", help="version to release, e.g. 1.4.0")
    p.add_argument("--bump", action="store_true", help="next version from conventional commits since the previous release (highest release tag reachable from HEAD)")
    p.add_argument("--platform", dest="platforms", action="append", metavar="NAME", help="export only this platform (repeatable)")
    p.add_argument("--out", metavar="DIR", help="output folder (default release.out_dir); the release goes to DIR/VERSION")
    p.add_argument("--no-tag", dest="tag", action="store_false", help="do not create the release tag")
    p.add_argument("--force", action="store_true", help="replace a release (and move its tag) made from another commit")
    p.set_defaults(handler=run)


def print_report(ctx, report: dict) -> None:
    for w in report.get("warnings") or []:
        ctx.warn(w)
    cached = {e["platform"]: e["cached"] for e in report.get("exports") or []}
    ctx.table(f"{report.get('project')} {report.get('version')} ({report.get('status')})", ["artifact", "platform", "bytes", "sha256", "export"], [
        (a["name"], a["platform"], f"{a['size']:,}", a["sha256"][:16] + "...",
         "cached" if cached.get(a["platform"]) else ("built" if a["platform"] in cached else "-"))
        for a in report.get("artifacts", [])
    ])
    ctx.say(f"release folder: {esc(report.get('release_dir'))}")
    done = []
    if report.get("tagged"):
        done.append(f"tagged {report.get('tag')}")
    if report.get("release_commit"):
        done.append(f"CHANGELOG committed as {str(report['release_commit'])[:12]} (chore(release): {report.get('version')})")
    elif report.get("changelog_updated"):
        done.append("CHANGELOG.md updated (commit it)")
    if report.get("published"):
        done.append(f"published to {report['published']}")
    if done:
        ctx.say(esc(", ".join(done)))
    if report.get("status") == "verified":
        ctx.say("[green]already released at this commit: verified against SHA256SUMS, nothing changed[/green]")


def run(args, ctx) -> int:
    loaded = ctx.loaded()
    from gameops import release

    req = release.Request(version=args.version, bump=bool(args.bump), platforms=args.platforms, out=args.out,
                          tag=bool(args.tag), force=bool(args.force), dry_run=ctx.dry_run)
    # exit 2 before Prefect starts: the plan's input steps (VERSION or --bump, the repository, --out,
    # release.include files, the CHANGELOG, the version's tag, never backwards, the release folder)
    release.check_inputs(loaded, req)
    if (loaded.godot_dir / "project.godot").is_file():
        release.engine_for(loaded)  # no Godot, or one that does not fit the project: exit 2 before Prefect starts
    try:
        report = ctx.run_flow("gameops.flows.release:release", project=str(loaded.root),
                              config=str(loaded.file) if loaded.file else None, **asdict(req))
    except JobFailed as exc:
        if ctx.json and isinstance(exc.report, dict):
            ctx.emit_json(exc.report)
        raise
    if ctx.json:
        ctx.emit_json(report)
    else:
        print_report(ctx, report)
    return 0 if report else EXIT_FAILED
