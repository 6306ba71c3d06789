"""A release as an ordered list of small steps over one plan (GoReleaser's shape), no Prefect.

``make_plan`` does every check and computes everything before anything is written: the version
(given, or ``--bump`` from conventional commits), the repository checks (clean tree, allowed
branch, tag absent or at HEAD, shallow clone warned about), the presets and the engine, the notes
and the new CHANGELOG text, and what already exists (idempotency). Bad input raises
:class:`BadInput` (exit 2); a repository that must not be released raises :class:`JobFailed`
(exit 1). The steps (``dotnet_publish``, export in gameops.export, ``package``, ``finish``,
``update_changelog``, ``create_tag``, ``publish``) are what the Prefect tasks wrap.

Idempotency: a release folder whose manifest names HEAD is verified against its SHA256SUMS and
left alone; one that names another commit (or a tag at another commit) stops the run unless
``force``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from gameops import branch_rules, changelog, checks, dotnet, export, packaging, release_commit, tools
from gameops import git as gitops
from gameops import godot as godot_files
from gameops.config import Loaded
from gameops.errors import BadInput, JobFailed
from gameops.fileops import atomic_write_text, checkpoint, read_input_text, sha256_file
from gameops.release_tags import Releases
from gameops.version import Version, parse

NEW, EXISTING, REPLACE = "new", "existing", "replace"


@dataclass
class Request:
    version: str | None = None
    bump: bool = False
    platforms: list[str] | None = None
    out: str | None = None
    tag: bool = True
    force: bool = False
    dry_run: bool = False


@dataclass
class Plan:
    root: Path
    project: str
    version: str
    tag: str
    commit: str
    epoch: int
    out_dir: Path
    release_dir: Path
    exports_dir: Path
    jobs: dict[str, export.Job]
    archives: dict[str, str]
    status: str
    notes: changelog.Notes
    notes_md: str
    changelog_rel: str
    changelog_text: str | None  # the CHANGELOG with the new section; None when it already has it
    include: list[str]
    wrap: bool
    tag_enabled: bool
    tag_exists: bool
    force: bool
    dry_run: bool
    store: Path | None
    symlinks: str = packaging.REFUSE
    tracked: list[tuple[str, str]] = field(default_factory=list)
    commit_changelog: bool = False  # commit the CHANGELOG as `chore(release): VERSION` and tag that commit
    release_commit: str | None = None  # HEAD when it is this version's release commit already (a rerun)
    dotnet_projects: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bumped: bool = False

def concurrency_name(loaded: Loaded) -> str:
    """The Prefect global concurrency limit that lets one release of this project run at a time."""
    name = loaded.config.project.name or loaded.root.name
    return "gameops-release-" + (re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "project")


def _inside(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def repository_problems(loaded: Loaded, *, out_dir: Path, changelog_rel: str, changelog_text: str | None,
                        tag: str) -> tuple[list[str], list[str], str | None]:
    """(problems, warnings, commit the tag points at) of the repository for a release."""
    root = loaded.root
    problems: list[str] = []
    warnings: list[str] = []
    st = gitops.state(root)
    out_rel = _inside(out_dir, root)
    godot_rel = _inside(loaded.godot_dir, root)
    # What an export leaves that is not the project's: Godot's import cache, gameops' run state.
    caches = [c for c in ([f"{godot_rel}/.import", f"{godot_rel}/.godot"] if godot_rel else []) + [".gameops"]]
    caches = [c.removeprefix("./") for c in caches]
    dirty = []
    for p in st.dirty or []:
        if out_rel and (p == out_rel or p.startswith(out_rel.rstrip("/") + "/") or out_rel.startswith(p.rstrip("/") + "/")):
            continue  # our own output folder inside the repository
        if any(p.rstrip("/") == c or p.startswith(c + "/") for c in caches):
            continue  # Godot's import cache (untracked when the repository does not ignore it)
        if p == changelog_rel and _changelog_is_ours(root / changelog_rel, changelog_text):
            continue  # the CHANGELOG section a previous run of this release prepended
        dirty.append(p)
    if dirty:
        problems.append(f"the working tree is not clean ({len(dirty)} changed: {', '.join(dirty[:5])}{' ...' if len(dirty) > 5 else ''}); commit or stash first")
    allowed = loaded.config.release.allowed_branches
    if st.branch is None:
        problems.append("HEAD is detached; check out a release branch (" + ", ".join(allowed) + ")")
    elif not branch_rules.matches(st.branch, allowed):
        problems.append(f"branch {st.branch!r} may not release (release.allowed_branches: {', '.join(allowed)})")
    if st.shallow:
        warnings.append("this is a shallow clone: release notes and --bump only see the fetched history (git fetch --unshallow)")
    tagged = gitops.git(root, "rev-parse", "-q", "--verify", "--end-of-options", f"refs/tags/{tag}^{{commit}}", check=False) or None
    return problems, warnings, tagged


def _changelog_is_ours(path: Path, expected: str | None) -> bool:
    """The CHANGELOG on disk is HEAD's plus exactly the section this release adds."""
    try:
        return expected is not None and path.read_text(encoding="utf-8") == expected
    except (OSError, UnicodeDecodeError):
        return False


def _tracked(root: Path, subdir: Path) -> list[tuple[str, str]]:
    rel = _inside(subdir, root) or "."
    out = gitops.git(root, "ls-files", "-s", "-z", "--", rel, check=False)
    rows = []
    for rec in out.split("\0"):
        if not rec:
            continue
        meta, _, path = rec.partition("\t")
        parts = meta.split()
        rows.append((path if rel == "." else path[len(rel) + 1:], parts[1] if len(parts) > 1 else ""))
    # Changed files count by content, so a dirty dry run does not reuse a stale export.
    for p in gitops.changed_paths(root):
        f = root / p
        if f.is_file() and (rel == "." or p.startswith(rel + "/")):
            rows.append((p if rel == "." else p[len(rel) + 1:], "worktree:" + sha256_file(f)))
    return rows


def _dotnet_projects(loaded: Loaded, uses_csharp: bool) -> list[Path]:
    cfg = loaded.config.dotnet
    if cfg.publish_projects:
        paths = [loaded.path(p) for p in cfg.publish_projects]
        for p in paths:
            if not p.exists():
                raise BadInput(f"dotnet.publish_projects: {p.name} does not exist")
        return paths
    if not uses_csharp:
        return []
    found = sorted(loaded.godot_dir.glob("*.csproj"))
    if found:
        return found[:1]
    if cfg.solution and loaded.path(cfg.solution).exists():
        return [loaded.path(cfg.solution)]
    return []


def engine_for(loaded: Loaded) -> export.Engine:
    """The Godot that exports this project; BadInput (exit 2) when there is none or it does not fit
    the project (a Godot 3 binary for a Godot 4.4 project, no .NET build for a C# project)."""
    godot_tool = tools.require(tools.find_godot(loaded.config.godot.binary, loaded.root))
    misfit = checks.godot_misfit(loaded, godot_tool)
    if misfit:
        raise BadInput(misfit)
    return export.Engine(godot_tool.path or "godot", godot_tool.version or "")


def jobs_for(loaded: Loaded, platforms: list[str] | None = None, name: str | None = None) -> dict[str, export.Job]:
    """One export job per platform (all presets, or ``platforms``); BadInput for unknown ones,
    a missing Godot, a wrong engine version or missing export templates."""
    cfg = loaded.config
    godot_dir = loaded.godot_dir
    if name is None:
        name = cfg.project.name or godot_files.read_project(godot_dir).name
    presets = export.presets_by_platform(godot_dir, dict(cfg.godot.presets))
    if platforms:
        unknown = [p for p in platforms if p not in presets]
        if unknown:
            raise BadInput(f"--platform {unknown[0]}: no such platform (known: {', '.join(presets) or 'none'}; see godot.presets)")
        presets = {p: presets[p] for p in platforms}
    if not presets:
        raise BadInput(f"{godot_dir / 'export_presets.cfg'}: no export presets")
    engine = engine_for(loaded)
    protect = export.snapshot_protected(godot_dir)
    jobs: dict[str, export.Job] = {}
    for platform, preset in presets.items():
        job = export.Job(
            platform=platform, preset=preset, engine=engine, project_dir=godot_dir,
            output_name=export.output_name(preset, platform, name), debug=cfg.godot.export_debug,
            timeout_s=cfg.godot.timeout_s, import_timeout_s=cfg.godot.import_timeout_s,
            ignore_errors=list(cfg.godot.ignore_errors), secrets=loaded.secrets(),
            protect=protect, smoke_test=cfg.godot.smoke_test, smoke_timeout_s=cfg.godot.smoke_timeout_s,
        )
        export.check_templates(job)
        jobs[platform] = job
    return jobs


def tracked_inputs(loaded: Loaded) -> list[tuple[str, str]]:
    """The Godot project's files as (res:// path, git blob id or content hash): part of every export's cache key."""
    return _tracked(loaded.root, loaded.godot_dir)


def new_tag(releases: Releases, version: Version, commit: str) -> str:
    """The release's tag: the one ``commit`` already has for this version (a rerun, whatever its
    scheme), else ``<scheme prefix><version>``."""
    same = [t for t in releases.at(commit) if t.version.sort_key() == version.sort_key()]
    return same[0].name if same else releases.scheme.tag_for(version)


def _published(store: Path | None, version: str) -> bool:
    return store is not None and (store / version).is_dir()


def check_version(loaded: Loaded, text: str, *, force: bool = False) -> Version:
    """A given VERSION, checked before anything starts: semver, and not behind an existing release tag."""
    version = parse(text)
    commit = gitops.head(loaded.root) if gitops.is_repo(loaded.root) else None
    if commit:
        releases = changelog.NotesSource.from_loaded(loaded).releases()
        store = loaded.path(loaded.config.release.store) if loaded.config.release.store else None
        never_backwards(releases, version, new_tag(releases, version, commit), commit, force=force,
                        published=_published(store, str(version)))
    return version


def never_backwards(releases: Releases, version: Version, tag: str, commit: str, *, force: bool,
                    published: bool) -> None:
    """BadInput naming the highest existing release tag (any scheme, reachable or not) that
    ``version`` does not go beyond; a rerun at the tagged commit passes.

    ``force`` lets through only this very tag at another commit, and only while the version is
    not published (``release.store``); the tag check then warns that it moves the tag.
    """
    blockers = releases.not_above(version, commit)
    if not blockers:
        return
    top = blockers[0]
    if top.version.sort_key() > version.sort_key():
        above = replace(top.version, build=())
        raise BadInput(f"version {version}: goes backwards, release tag {top.name} ({top.commit[:12]}) is higher; "
                       f"release a version above {above}")
    movable = all(b.name == tag for b in blockers)
    if movable and force and not published:
        return
    if movable and force:
        raise BadInput(f"version {version}: release tag {top.name} ({top.commit[:12]}) is already published "
                       f"in release.store; --force cannot replace a published release, release a higher version")
    hint = "release a higher version, or --force to move it" if movable else "release a higher version"
    raise BadInput(f"version {version}: release tag {top.name} already exists at {top.commit[:12]}, "
                   f"not at HEAD ({commit[:12]}); {hint}")


def out_dir_for(loaded: Loaded, req: Request) -> Path | None:
    """Where the release folder goes: ``--out`` (anywhere: the user named it), else
    ``release.out_dir`` (inside the project: checked when the config loads); None for a dry run
    without --out (a scratch folder). BadInput when it names a file."""
    if req.dry_run and not req.out:
        return None
    out_dir = Path(req.out).expanduser() if req.out else Path(loaded.config.release.out_dir)
    if not out_dir.is_absolute():
        out_dir = loaded.root / out_dir
    shown = f"--out {req.out}" if req.out else f"release.out_dir {loaded.config.release.out_dir}"
    if out_dir.exists() and not out_dir.is_dir():
        raise BadInput(f"{shown}: is a file, expected a folder")
    return out_dir.resolve()


def check_inputs(loaded: Loaded, req: Request, tag: str | None = None) -> None:
    """What can be refused from the arguments and the repository's files alone, in milliseconds:
    the version and its tag name, the output folder, and every ``release.include`` file (a link
    leading out of the project is exit 2 before any export starts). ``make_plan`` repeats it with
    the tag it will create (``tag``; else the one ``release.tag_prefix`` names)."""
    rc = loaded.config.release
    if req.version:
        tag = tag or f"{rc.tag_prefix}{parse(req.version)}"
        why = gitops.ref_name_problem(tag)
        if why:
            raise BadInput(f"tag {tag!r} (release.tag_prefix + version): not a valid git tag name, it {why}")
    out_dir = out_dir_for(loaded, req)
    if out_dir is not None and req.version:
        release_dir = out_dir / str(parse(req.version))
        if release_dir.is_symlink() or (release_dir.exists() and not release_dir.is_dir()):
            raise BadInput(f"{release_dir}: is a link or a file, expected the release folder (or nothing)")
    packaging.glob_items(loaded.root, rc.include, symlinks=rc.symlinks)


def make_plan(loaded: Loaded, req: Request, environ: dict[str, str] | None = None) -> Plan:
    """Check everything and compute the release; writes nothing (a dry run's scratch folder aside)."""
    cfg = loaded.config
    rc = cfg.release
    root = loaded.root
    if req.version and req.bump:
        raise BadInput("give a VERSION or --bump, not both")
    if not req.version and not req.bump:
        raise BadInput("no version: give a VERSION (e.g. 1.4.0) or --bump")
    wanted = parse(req.version) if req.version else None
    if not gitops.is_repo(root):
        raise BadInput(f"{root}: not a git repository")
    commit = gitops.head(root)
    if not commit:
        raise BadInput(f"{root}: the repository has no commits")

    src = changelog.NotesSource.from_loaded(loaded)
    releases = src.releases()
    on_head = releases.at(commit)
    bumped = False
    if wanted is None:
        if on_head:
            wanted = on_head[0].version  # HEAD is released already: --bump means that release (a rerun)
        else:
            pending = changelog.unreleased(src, releases=releases)
            wanted = changelog.bumped(src, pending)
            if wanted is None:
                since = pending.previous_tag or "the first commit"
                raise JobFailed(f"nothing to release since {since}: no feat, fix, perf or breaking commits")
            bumped = True
    version = str(wanted)
    tag = new_tag(releases, wanted, commit)
    store = loaded.path(rc.store) if rc.store else None
    never_backwards(releases, wanted, tag, commit, force=req.force, published=_published(store, version))
    check_inputs(loaded, Request(version=version, out=req.out, dry_run=req.dry_run), tag=tag)
    head_commit = commit
    released_from = release_commit.release_commit_of(root, version, Path(rc.changelog).as_posix()) if rc.commit_changelog else None
    if released_from:  # HEAD is this version's `chore(release)` commit: the release is of its parent
        commit = released_from

    # Platforms, presets, engine: bad input before anything else happens.
    project = godot_files.read_project(loaded.godot_dir)
    name = cfg.project.name or project.name
    jobs = jobs_for(loaded, req.platforms, name)
    archives = {p: packaging.archive_name(rc.archive_name, project=name, version=version, platform=p) for p in jobs}
    epoch = packaging.source_date_epoch(gitops.commit_time(root, commit), environ)

    dotnet_projects = _dotnet_projects(loaded, project.uses_csharp)
    if dotnet_projects:
        dotnet.executable()  # no SDK: exit 2 now, before any work

    # Notes and the CHANGELOG text (computed, not written): since the previous release, the highest
    # version below this one reachable from HEAD (pre-releases only for a pre-release).
    previous = releases.previous(prerelease=bool(wanted.prerelease), below=wanted)
    entries = changelog.read_log(root, [f"{previous.commit}..HEAD" if previous else "HEAD"])
    notes = changelog.build_notes(entries, src.sections, version=version,
                                  previous_tag=previous.name if previous else None, date=epoch,
                                  bots=src.bot_pattern)
    notes_md = changelog.render_markdown(notes, src.links)
    changelog_rel = Path(rc.changelog).as_posix()
    cl_path = root / changelog_rel
    try:
        existing = read_input_text(cl_path, changelog_rel, within=root) if cl_path.is_file() else None
        head_blob = gitops.file_at_head(root, changelog_rel)
        head_text = head_blob.decode("utf-8") if head_blob is not None else None
    except UnicodeDecodeError:
        raise BadInput(f"{changelog_rel}: not UTF-8 text") from None
    changelog_text = changelog.prepend(existing, notes_md, version)
    # What an earlier run of this very release leaves on disk: HEAD's CHANGELOG plus this section.
    expected_on_disk = changelog.prepend(head_text, notes_md, version)

    # Where things go.
    out_dir = out_dir_for(loaded, req) or Path(tempfile.mkdtemp(prefix=f"gameops-release-{version}-")).resolve()
    release_dir = out_dir / version
    if release_dir.is_symlink() or (release_dir.exists() and not release_dir.is_dir()):
        raise BadInput(f"{release_dir}: is a link or a file, expected the release folder (or nothing)")

    problems, warnings, tagged = repository_problems(
        loaded, out_dir=out_dir, changelog_rel=changelog_rel, changelog_text=expected_on_disk, tag=tag)
    status = NEW
    manifest = packaging.read_manifest(release_dir)
    if manifest is not None:
        if manifest.get("commit") == commit:
            status = EXISTING
        elif req.force:
            status = REPLACE
            warnings.append(f"--force: replacing release {version} of commit {str(manifest.get('commit'))[:12]}")
        else:
            problems.append(f"release {version} already exists in {release_dir} for commit {str(manifest.get('commit'))[:12]}, "
                            f"HEAD is {commit[:12]}; release a new version, or --force to replace it")
    if tagged and tagged != head_commit:
        if req.force:
            warnings.append(f"--force: moving tag {tag} from {tagged[:12]} to HEAD")
        else:
            problems.append(f"tag {tag} already exists at {tagged[:12]}, not at HEAD ({commit[:12]}); --force to move it")
    if problems:
        if req.dry_run:
            warnings += [f"dry run: {p}" for p in problems]
        else:
            raise JobFailed("cannot release: " + "; ".join(problems), report={"version": version, "problems": problems})
    if req.dry_run:
        status = NEW

    return Plan(
        root=root, project=name, version=version, tag=tag, commit=commit, epoch=epoch, out_dir=out_dir,
        release_dir=release_dir, exports_dir=out_dir / ".exports", jobs=jobs, archives=archives, status=status,
        notes=notes, notes_md=notes_md, changelog_rel=changelog_rel, changelog_text=changelog_text,
        include=list(rc.include), wrap=rc.wrap_in_directory, tag_enabled=req.tag and not req.dry_run,
        tag_exists=tagged == head_commit, force=req.force, dry_run=req.dry_run, store=store, symlinks=rc.symlinks,
        tracked=tracked_inputs(loaded), dotnet_projects=dotnet_projects, warnings=warnings,
        bumped=bumped, commit_changelog=rc.commit_changelog and not req.dry_run,
        release_commit=head_commit if released_from else None,
    )


# ---------------------------------------------------------------------------
# Steps


def dotnet_publish(loaded: Loaded, plan: Plan, project: Path) -> Path:
    """``dotnet publish -c Release`` of one project into the build folder; JobFailed on failure."""
    out = plan.out_dir / ".build" / "dotnet" / project.stem
    result = dotnet.publish(loaded, project, out)
    if not result.ok:
        errors = [str(d) for d in result.diagnostics if d.severity == "error"][:20]
        raise JobFailed(f"dotnet publish {project.name} failed (exit {result.returncode})", report={"errors": errors})
    return out


def package(plan: Plan, platform: str, export_dir: Path) -> dict:
    """The platform's reproducible zip in the release folder; returns its manifest entry."""
    name = plan.archives[platform]
    overrides = {plan.changelog_rel: plan.changelog_text.encode("utf-8")} if plan.changelog_text is not None else {}
    items = (packaging.tree_items(export_dir, symlinks=plan.symlinks)
             + packaging.glob_items(plan.root, plan.include, overrides, symlinks=plan.symlinks))
    wrap = name[:-4] if plan.wrap and name.lower().endswith(".zip") else None
    dest = plan.release_dir / name
    packaging.write_zip(dest, items, plan.epoch, wrap=wrap)
    return packaging.artifact_entry(dest, platform)


def finish(plan: Plan, artifacts: list[dict]) -> dict:
    """RELEASE_NOTES.md, SHA256SUMS and release-manifest.json in the release folder."""
    atomic_write_text(plan.release_dir / packaging.NOTES, plan.notes_md, newline="\n")
    packaging.write_checksums(plan.release_dir, {a["name"]: a["sha256"] for a in artifacts})
    doc = packaging.manifest(project=plan.project, version=plan.version, tag=plan.tag, commit=plan.commit,
                             epoch=plan.epoch, artifacts=artifacts)
    packaging.write_manifest(plan.release_dir, doc)
    return doc


def verify_existing(plan: Plan) -> dict:
    """Check an existing release folder against its SHA256SUMS; JobFailed naming what differs."""
    problems = packaging.verify(plan.release_dir)
    manifest = packaging.read_manifest(plan.release_dir) or {}
    names = {a.get("name") for a in manifest.get("artifacts", [])}
    wanted = set(plan.archives.values())
    if not wanted <= names:
        problems.append(f"the release has no {', '.join(sorted(wanted - names))}; --force to rebuild it")
    if problems:
        raise JobFailed(f"release {plan.version} in {plan.release_dir} does not verify: " + "; ".join(problems),
                        report={"version": plan.version, "problems": problems})
    return manifest


def update_changelog(plan: Plan) -> bool:
    """Prepend the new section to the CHANGELOG (atomic); False when it already has it."""
    if plan.dry_run or plan.changelog_text is None:
        return False
    return atomic_write_text(plan.root / plan.changelog_rel, plan.changelog_text)


def commit_changelog(plan: Plan) -> str | None:
    """Commit the CHANGELOG as ``chore(release): VERSION`` (``release.commit_changelog``); returns the
    commit the tag goes on: the new commit, this version's release commit from an earlier run, or None
    (nothing to commit, or committing is off: the tag goes on the released commit)."""
    if not plan.commit_changelog:
        return None
    if plan.release_commit:
        return plan.release_commit
    on_disk = plan.root / plan.changelog_rel
    at_head = gitops.file_at_head(plan.root, plan.changelog_rel)
    if not on_disk.is_file() or on_disk.read_bytes() == at_head:
        return None
    return release_commit.commit(plan.root, plan.changelog_rel, plan.version)


def create_tag(plan: Plan, target: str | None = None) -> bool:
    """An annotated tag at ``target`` (the release commit) or the released commit, the notes as its
    message; False when it is already there."""
    if not plan.tag_enabled or plan.tag_exists:
        return False
    args = ["tag", "-a", "--cleanup=verbatim", "-F", "-"]
    if plan.force:
        args.append("-f")
    gitops.git(plan.root, *args, "--end-of-options", plan.tag, target or plan.commit, input=f"Release {plan.version}\n\n{plan.notes_md}")
    checkpoint(f"tag {plan.tag} created")
    return True


def sweep_temporary(loaded: Loaded, req: Request) -> list[Path]:
    """Remove what a killed run of this release left half-written: the temporary files of its
    atomic writes (``.<name>.<random>.tmp``) in the release folders, beside the CHANGELOG and
    Godot's project files (and their saved copies in ``.gameops/``), and the store's half-copied
    ``.<version>.*`` folders. Runs while the
    project's release slot is held, so no other release is writing them. Returns what it removed."""
    removed: list[Path] = []
    rc = loaded.config.release

    def drop(p: Path) -> None:
        if p.is_symlink() or p.is_file():
            p.unlink(missing_ok=True)
        elif p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        removed.append(p)

    out_dir = out_dir_for(loaded, req)
    folders: list[Path] = []
    if out_dir is not None and out_dir.is_dir():
        folders += [d for d in out_dir.iterdir() if d.is_dir() and not d.is_symlink()]
    for folder in folders:
        for p in folder.glob(".*.tmp"):
            drop(p)
    changelog_path = loaded.root / rc.changelog
    for p in changelog_path.parent.glob(f".{changelog_path.name}.*.tmp"):
        drop(p)
    state = loaded.godot_dir / ".gameops"  # the export's saved project files (gameops.export)
    for folder, names in ((loaded.godot_dir, export.PROTECTED), (state / "godot-protected", export.PROTECTED),
                          (state, (".gitignore",))):
        for name in names:
            for p in folder.glob(f".{name}.*.tmp"):
                drop(p)
    if rc.store and req.version and loaded.path(rc.store).is_dir():
        version = str(parse(req.version))
        for p in loaded.path(rc.store).glob(f".{version}.*"):
            drop(p)
    return removed


def publish(plan: Plan) -> Path | None:
    """Copy the release folder to ``release.store``/<version>; identical copies are left alone."""
    if plan.dry_run or plan.store is None:
        return None
    dest = plan.store / plan.version
    names = sorted(p.name for p in plan.release_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if dest.is_dir():
        same = all((dest / n).is_file() and sha256_file(dest / n) == sha256_file(plan.release_dir / n) for n in names)
        if same:
            return dest
        if not plan.force:
            raise JobFailed(f"release store {dest} already holds a different {plan.version}; --force to replace it")
    plan.store.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{plan.version}.", dir=plan.store))
    try:
        for n in names:
            shutil.copy2(plan.release_dir / n, tmp / n)
            checkpoint(f"copied {n} to the store")
        if dest.exists():
            old = dest.with_name(f".{plan.version}.old-{os.getpid()}")
            os.replace(dest, old)
            checkpoint(f"moved the old {plan.version} aside in the store")
            os.replace(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dest)
        checkpoint(f"published {plan.version} to the store")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
