"""A release as an ordered list of small steps over one plan (GoReleaser's shape), no Prefect.

``make_plan`` does every check and computes everything before anything is written, as a list of
small plan steps (``PLAN_STEPS``) sharing one :class:`PlanContext`: each reads what earlier steps
put there and adds its own part. In order: the request and the repository, the output folder and
the ``release.include`` files, the CHANGELOG, the version (given, or ``--bump`` from conventional
commits), its tag, never backwards, the release folder (``INPUT_STEPS``: what the command line
checks before Prefect starts), then the released commit, the Godot project, the export jobs and
the engine, the archive names, the date, the .NET SDK, the notes and the new CHANGELOG text, the
scratch folder of a dry run, and last the repository checks (clean tree, allowed branch, tag
absent or at HEAD, shallow clone warned about) and what already exists (idempotency). Bad input
raises :class:`BadInput` (exit 2) before any slow work (git log over the history, Godot, dotnet)
where it can; a repository that must not be released raises :class:`JobFailed` (exit 1). The
release steps (``dotnet_publish``, export in gameops.export, ``package``, ``finish``,
``update_changelog``, ``create_tag``, ``publish``) are what the Prefect tasks wrap.

Idempotency: a release folder whose manifest names HEAD is verified against its SHA256SUMS and
left alone; one that names another commit (or a tag at another commit) stops the run unless
``force``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from gameops import slugs
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
    return "gameops-release-" + slugs.slug(name, "project", keep_dashes=True)


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


# ---------------------------------------------------------------------------
# The plan: an ordered list of small steps sharing one context


@dataclass(eq=False, repr=False)
class PlanContext:
    """What the plan steps share. The request comes in; each step reads what earlier steps put
    here and adds its own part (the comments name the step that sets a field). A field no step
    has set yet is missing (AttributeError), so a step moved before the one it needs fails at once."""

    loaded: Loaded
    req: Request
    environ: dict[str, str] | None = None
    given: Version | None = field(init=False)  # check_request: the VERSION argument, parsed
    head: str = field(init=False)  # read_repository: HEAD's commit
    notes_source: changelog.NotesSource = field(init=False)  # read_repository
    releases: Releases = field(init=False)  # read_repository: the release tags
    out_dir: Path | None = field(init=False)  # choose_out_dir; None: a dry run's scratch folder (choose_scratch_dir)
    changelog_rel: str = field(init=False)  # read_changelog
    changelog_on_disk: str | None = field(init=False)  # read_changelog
    changelog_at_head: str | None = field(init=False)  # read_changelog
    version: Version = field(init=False)  # choose_version
    bumped: bool = field(init=False)  # choose_version: computed by --bump
    tag: str = field(init=False)  # name_tag
    store: Path | None = field(init=False)  # refuse_going_backwards: release.store
    release_dir: Path = field(init=False)  # check_release_dir, or choose_scratch_dir
    commit: str = field(init=False)  # find_released_commit: the commit the artifacts are built from
    release_commit: str | None = field(init=False)  # find_released_commit: HEAD when it is this version's release commit
    name: str = field(init=False)  # read_godot_project: the project's name
    uses_csharp: bool = field(init=False)  # read_godot_project
    jobs: dict[str, export.Job] = field(init=False)  # plan_exports
    archives: dict[str, str] = field(init=False)  # name_archives
    epoch: int = field(init=False)  # date_release
    dotnet_projects: list[Path] = field(init=False)  # find_dotnet_projects
    notes: changelog.Notes = field(init=False)  # compose_notes
    notes_md: str = field(init=False)  # compose_notes
    changelog_text: str | None = field(init=False)  # prepare_changelog: the CHANGELOG to write
    changelog_expected: str | None = field(init=False)  # prepare_changelog: what an earlier run of this release left
    problems: list[str] = field(init=False, default_factory=list)  # check_repository, check_existing_*
    warnings: list[str] = field(init=False, default_factory=list)  # check_repository, check_existing_*, settle_problems
    tagged: str | None = field(init=False)  # check_repository: the commit the tag points at now
    status: str = field(init=False, default=NEW)  # check_existing_release, settle_problems
    tracked: list[tuple[str, str]] = field(init=False)  # track_inputs

    def plan(self) -> Plan:
        """The Plan the release flow runs, from a context every plan step has filled."""
        rc = self.loaded.config.release
        req = self.req
        assert self.out_dir is not None, "choose_scratch_dir has not run"
        return Plan(
            root=self.loaded.root, project=self.name, version=str(self.version), tag=self.tag, commit=self.commit,
            epoch=self.epoch, out_dir=self.out_dir, release_dir=self.release_dir, exports_dir=self.out_dir / ".exports",
            jobs=self.jobs, archives=self.archives, status=self.status, notes=self.notes, notes_md=self.notes_md,
            changelog_rel=self.changelog_rel, changelog_text=self.changelog_text, include=list(rc.include),
            wrap=rc.wrap_in_directory, tag_enabled=req.tag and not req.dry_run, tag_exists=self.tagged == self.head,
            force=req.force, dry_run=req.dry_run, store=self.store, symlinks=rc.symlinks, tracked=self.tracked,
            dotnet_projects=self.dotnet_projects, warnings=self.warnings, bumped=self.bumped,
            commit_changelog=rc.commit_changelog and not req.dry_run, release_commit=self.release_commit,
        )


Step = Callable[[PlanContext], None]


def check_request(ctx: PlanContext) -> None:
    """A VERSION or --bump, not both; the VERSION parsed (semver, exit 2 otherwise). Adds ``given``."""
    req = ctx.req
    if req.version and req.bump:
        raise BadInput("give a VERSION or --bump, not both")
    if not req.version and not req.bump:
        raise BadInput("no version: give a VERSION (e.g. 1.4.0) or --bump")
    ctx.given = parse(req.version) if req.version else None


def read_repository(ctx: PlanContext) -> None:
    """A git repository with a commit; its release tags. Adds ``head``, ``notes_source``, ``releases``."""
    root = ctx.loaded.root
    if not gitops.is_repo(root):
        raise BadInput(f"{root}: not a git repository")
    head = gitops.head(root)
    if not head:
        raise BadInput(f"{root}: the repository has no commits")
    ctx.head = head
    ctx.notes_source = changelog.NotesSource.from_loaded(ctx.loaded)
    ctx.releases = ctx.notes_source.releases()


def choose_out_dir(ctx: PlanContext) -> None:
    """The output folder (``--out`` or ``release.out_dir``), refused when it is a file; None for a
    dry run without --out. Adds ``out_dir``."""
    ctx.out_dir = out_dir_for(ctx.loaded, ctx.req)


def check_include(ctx: PlanContext) -> None:
    """Every ``release.include`` file: a link leading out of the project (or, by default, any link)
    is exit 2 before any export starts. Adds nothing."""
    rc = ctx.loaded.config.release
    packaging.glob_items(ctx.loaded.root, rc.include, symlinks=rc.symlinks)


def read_changelog(ctx: PlanContext) -> None:
    """The CHANGELOG on disk and at HEAD (UTF-8 text, inside the project). Adds ``changelog_rel``,
    ``changelog_on_disk``, ``changelog_at_head``."""
    root = ctx.loaded.root
    rel = Path(ctx.loaded.config.release.changelog).as_posix()
    path = root / rel
    try:
        on_disk = read_input_text(path, rel, within=root) if path.is_file() else None
        head_blob = gitops.file_at_head(root, rel)
        at_head = head_blob.decode("utf-8") if head_blob is not None else None
    except UnicodeDecodeError:
        raise BadInput(f"{rel}: not UTF-8 text") from None
    ctx.changelog_rel, ctx.changelog_on_disk, ctx.changelog_at_head = rel, on_disk, at_head


def choose_version(ctx: PlanContext) -> None:
    """The version: the VERSION given; with --bump the release already at HEAD (a rerun), else the
    next version from the conventional commits since the previous release (git log over the
    history: slow, so after every check of the arguments). Adds ``version``, ``bumped``."""
    ctx.bumped = False
    if ctx.given is not None:
        ctx.version = ctx.given
        return
    on_head = ctx.releases.at(ctx.head)
    if on_head:
        ctx.version = on_head[0].version  # HEAD is released already: --bump means that release (a rerun)
        return
    pending = changelog.unreleased(ctx.notes_source, releases=ctx.releases)
    bumped = changelog.bumped(ctx.notes_source, pending)
    if bumped is None:
        since = pending.previous_tag or "the first commit"
        raise JobFailed(f"nothing to release since {since}: no feat, fix, perf or breaking commits")
    ctx.version, ctx.bumped = bumped, True


def name_tag(ctx: PlanContext) -> None:
    """The release's tag (HEAD's own tag of this version on a rerun, else the scheme's). Adds ``tag``."""
    ctx.tag = new_tag(ctx.releases, ctx.version, ctx.head)


def refuse_going_backwards(ctx: PlanContext) -> None:
    """Exit 2 for a version that does not go beyond an existing release tag (:func:`never_backwards`;
    ``--force`` moves an unpublished tag of this very version). Adds ``store``."""
    rc = ctx.loaded.config.release
    ctx.store = ctx.loaded.path(rc.store) if rc.store else None
    never_backwards(ctx.releases, ctx.version, ctx.tag, ctx.head, force=ctx.req.force,
                    published=_published(ctx.store, str(ctx.version)))


def check_tag_name(ctx: PlanContext) -> None:
    """The tag is a valid git tag name. Adds nothing."""
    why = gitops.ref_name_problem(ctx.tag)
    if why:
        raise BadInput(f"tag {ctx.tag!r} (release.tag_prefix + version): not a valid git tag name, it {why}")


def check_release_dir(ctx: PlanContext) -> None:
    """The release folder ``<out>/<version>``: a folder or nothing, never a link or a file. Adds
    ``release_dir`` (a dry run without --out: choose_scratch_dir)."""
    if ctx.out_dir is None:
        return
    release_dir = ctx.out_dir / str(ctx.version)
    if release_dir.is_symlink() or (release_dir.exists() and not release_dir.is_dir()):
        raise BadInput(f"{release_dir}: is a link or a file, expected the release folder (or nothing)")
    ctx.release_dir = release_dir


def find_released_commit(ctx: PlanContext) -> None:
    """The commit the release is built from: HEAD, or its parent when HEAD is this version's
    ``chore(release)`` commit (a rerun after it). Adds ``commit``, ``release_commit``."""
    rc = ctx.loaded.config.release
    released_from = (release_commit.release_commit_of(ctx.loaded.root, str(ctx.version), ctx.changelog_rel)
                     if rc.commit_changelog else None)
    ctx.commit = released_from or ctx.head
    ctx.release_commit = ctx.head if released_from else None


def read_godot_project(ctx: PlanContext) -> None:
    """project.godot: the project's name (``project.name`` first) and whether it uses C#. Adds
    ``name``, ``uses_csharp``."""
    project = godot_files.read_project(ctx.loaded.godot_dir)
    ctx.name = ctx.loaded.config.project.name or project.name
    ctx.uses_csharp = project.uses_csharp


def plan_exports(ctx: PlanContext) -> None:
    """One export job per platform: unknown platforms, no presets, no fitting Godot, missing export
    templates are exit 2 (:func:`jobs_for`). Adds ``jobs``."""
    ctx.jobs = jobs_for(ctx.loaded, ctx.req.platforms, ctx.name)


def name_archives(ctx: PlanContext) -> None:
    """Each platform's zip name from ``release.archive_name``. Adds ``archives``."""
    template = ctx.loaded.config.release.archive_name
    ctx.archives = {p: packaging.archive_name(template, project=ctx.name, version=str(ctx.version), platform=p)
                    for p in ctx.jobs}


def date_release(ctx: PlanContext) -> None:
    """The archives' timestamps: ``SOURCE_DATE_EPOCH``, else the released commit's time. Adds ``epoch``."""
    ctx.epoch = packaging.source_date_epoch(gitops.commit_time(ctx.loaded.root, ctx.commit), ctx.environ)


def find_dotnet_projects(ctx: PlanContext) -> None:
    """What ``dotnet publish`` builds (C# projects); no .NET SDK then is exit 2, before any work.
    Adds ``dotnet_projects``."""
    ctx.dotnet_projects = _dotnet_projects(ctx.loaded, ctx.uses_csharp)
    if ctx.dotnet_projects:
        dotnet.executable()


def compose_notes(ctx: PlanContext) -> None:
    """The release notes: the commits since the previous release, the highest version below this
    one reachable from HEAD (pre-releases only for a pre-release). Adds ``notes``, ``notes_md``."""
    src = ctx.notes_source
    previous = ctx.releases.previous(prerelease=bool(ctx.version.prerelease), below=ctx.version)
    entries = changelog.read_log(ctx.loaded.root, [f"{previous.commit}..HEAD" if previous else "HEAD"])
    ctx.notes = changelog.build_notes(entries, src.sections, version=str(ctx.version),
                                      previous_tag=previous.name if previous else None, date=ctx.epoch,
                                      bots=src.bot_pattern)
    ctx.notes_md = changelog.render_markdown(ctx.notes, src.links)


def prepare_changelog(ctx: PlanContext) -> None:
    """The CHANGELOG with the new section (computed, not written; None when it has it already), and
    what an earlier run of this very release leaves on disk: HEAD's CHANGELOG plus this section.
    Adds ``changelog_text``, ``changelog_expected``."""
    version = str(ctx.version)
    ctx.changelog_text = changelog.prepend(ctx.changelog_on_disk, ctx.notes_md, version)
    ctx.changelog_expected = changelog.prepend(ctx.changelog_at_head, ctx.notes_md, version)


def choose_scratch_dir(ctx: PlanContext) -> None:
    """A dry run without --out: a new scratch folder (the one thing a plan creates, after every
    check of the input). Adds ``out_dir`` and ``release_dir`` then."""
    if ctx.out_dir is not None:
        return
    ctx.out_dir = Path(tempfile.mkdtemp(prefix=f"gameops-release-{ctx.version}-")).resolve()
    ctx.release_dir = ctx.out_dir / str(ctx.version)


def check_repository(ctx: PlanContext) -> None:
    """Clean tree (our own output, Godot's cache and this release's CHANGELOG section aside),
    allowed branch, shallow clone (a warning) (:func:`repository_problems`). Adds ``problems``,
    ``warnings``, ``tagged``."""
    assert ctx.out_dir is not None, "choose_scratch_dir has not run"
    problems, warnings, tagged = repository_problems(ctx.loaded, out_dir=ctx.out_dir, changelog_rel=ctx.changelog_rel,
                                                     changelog_text=ctx.changelog_expected, tag=ctx.tag)
    ctx.problems += problems
    ctx.warnings += warnings
    ctx.tagged = tagged


def check_existing_release(ctx: PlanContext) -> None:
    """A release folder with a manifest: of this commit, ``existing`` (verified, left alone); of
    another, a problem (``--force``: replaced, with a warning). Sets ``status``."""
    manifest = packaging.read_manifest(ctx.release_dir)
    if manifest is None:
        return
    made_from = str(manifest.get("commit"))[:12]
    if manifest.get("commit") == ctx.commit:
        ctx.status = EXISTING
    elif ctx.req.force:
        ctx.status = REPLACE
        ctx.warnings.append(f"--force: replacing release {ctx.version} of commit {made_from}")
    else:
        ctx.problems.append(f"release {ctx.version} already exists in {ctx.release_dir} for commit {made_from}, "
                            f"HEAD is {ctx.commit[:12]}; release a new version, or --force to replace it")


def check_existing_tag(ctx: PlanContext) -> None:
    """The tag at another commit: a problem (``--force``: moved, with a warning). Adds to
    ``problems`` or ``warnings``."""
    if not ctx.tagged or ctx.tagged == ctx.head:
        return
    if ctx.req.force:
        ctx.warnings.append(f"--force: moving tag {ctx.tag} from {ctx.tagged[:12]} to HEAD")
    else:
        ctx.problems.append(f"tag {ctx.tag} already exists at {ctx.tagged[:12]}, not at HEAD ({ctx.commit[:12]}); "
                            "--force to move it")


def settle_problems(ctx: PlanContext) -> None:
    """Problems stop the release (JobFailed, exit 1); a dry run shows them as warnings and always
    builds anew (status ``new``)."""
    if ctx.problems:
        if not ctx.req.dry_run:
            raise JobFailed("cannot release: " + "; ".join(ctx.problems),
                            report={"version": str(ctx.version), "problems": ctx.problems})
        ctx.warnings += [f"dry run: {p}" for p in ctx.problems]
    if ctx.req.dry_run:
        ctx.status = NEW


def track_inputs(ctx: PlanContext) -> None:
    """The Godot project's files, part of every export's cache key (:func:`tracked_inputs`). Adds ``tracked``."""
    ctx.tracked = tracked_inputs(ctx.loaded)


# What the arguments and the repository's files alone can refuse, in milliseconds (exit 2), up to
# the release folder. choose_version is slow only for --bump (git log over the history), so the
# command line's check before Prefect stops before it then (check_inputs).
INPUT_STEPS: tuple[Step, ...] = (
    check_request, read_repository, choose_out_dir, check_include, read_changelog,
    choose_version, name_tag, refuse_going_backwards, check_tag_name, check_release_dir,
)
# The whole plan, in order: the input steps, then the slow ones (Godot, dotnet, git log), then the
# scratch folder, and the repository's state last (a problem there is exit 1, or a dry run's warning).
PLAN_STEPS: tuple[Step, ...] = INPUT_STEPS + (
    find_released_commit, read_godot_project, plan_exports, name_archives, date_release, find_dotnet_projects,
    compose_notes, prepare_changelog, choose_scratch_dir,
    check_repository, check_existing_release, check_existing_tag, settle_problems, track_inputs,
)


def run_steps(ctx: PlanContext, steps: Sequence[Step]) -> PlanContext:
    """Run ``steps`` in order over ``ctx``; the first refusal (BadInput, JobFailed) stops them."""
    for step in steps:
        step(ctx)
    return ctx


def check_inputs(loaded: Loaded, req: Request) -> PlanContext:
    """The plan's input steps, for the command line before Prefect starts: bad input is exit 2 in
    milliseconds. With --bump they stop before choose_version (the flow's plan computes it)."""
    steps = INPUT_STEPS if req.version else INPUT_STEPS[:INPUT_STEPS.index(choose_version)]
    return run_steps(PlanContext(loaded, req), steps)


def make_plan(loaded: Loaded, req: Request, environ: dict[str, str] | None = None) -> Plan:
    """Check everything and compute the release (PLAN_STEPS); writes nothing (a dry run's scratch folder aside)."""
    return run_steps(PlanContext(loaded, req, environ), PLAN_STEPS).plan()


# ---------------------------------------------------------------------------
# The release steps, what the Prefect tasks wrap


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
