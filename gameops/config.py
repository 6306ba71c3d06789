"""The game repository's configuration: ``gameops.yaml``, detection, ``GAMEOPS_*`` overrides.

Precedence, lowest first: built-in defaults, what detection finds in the repository,
the config file, environment variables ``GAMEOPS_<SECTION>__<KEY>[__<KEY>...]``.
Every effective value remembers where it came from (:attr:`Loaded.sources`), which is what
``gameops config show`` prints.

Errors name the file, the key path and, when YAML knows it, the line::

    gameops.yaml:12: godot.timeout_s: expected a number, got "fast"
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gameops import backlog as _backlog
from gameops.backlog import layout as _layouts
from gameops import branch_rules as _branch_rules
from gameops import CONFIG_FILE
from gameops import changelog as _changelog
from gameops import commit_rules as _commit_rules
from gameops import project_kind
from gameops.hooks.names import HOOKS as _HOOKS
from gameops.errors import BadInput, ConfigError
from gameops import redaction, yaml_input
from gameops.fileops import read_input_text, source_files
ENV_PREFIX = "GAMEOPS_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


class ProjectConfig(_Section):
    name: str = Field("", description="Project name, used in archive names and reports. Detected from project.godot or the folder.")


class TestCategory(_Section):
    name: str = Field(description="Category name as shown in reports, e.g. Architecture.")
    filter: str = Field(description='dotnet test --filter expression, e.g. "Category=Architecture".')
    quick: bool = Field(False, description="Part of the quick set (pre-push hook, --watch).")
    fail_fast: bool = Field(False, description="Stop the test run when this category fails.")
    on_request: bool = Field(False, description="Only run when asked for by name (e.g. Performance).")


def _default_categories() -> list[TestCategory]:
    return [
        TestCategory(name="Architecture", filter="Category=Architecture", quick=True, fail_fast=True),
        TestCategory(name="Unit", filter="Category!=Architecture&Category!=Performance", quick=True),
        TestCategory(name="Performance", filter="Category=Performance", on_request=True),
    ]


class ArchitectureRule(_Section):
    name: str = Field(description="Rule name shown in reports.")
    projects: str = Field(description="Glob of .csproj files the rule applies to, e.g. src/*.Core/*.csproj or src/*.Core.csproj.")
    forbid_packages: list[str] = Field(default_factory=list, description="PackageReference names that must not appear.")
    forbid_usings: list[str] = Field(default_factory=list, description="Namespaces that must not be imported with `using`.")
    forbid_apis: list[str] = Field(default_factory=list, description="Text (API names) that must not appear in the project's .cs files.")


class GatesConfig(_Section):
    coverage_min: float = Field(0.80, ge=0, le=1, description="Minimum line coverage (0..1) when coverage is collected.")
    architecture: list[ArchitectureRule] = Field(default_factory=list, description="Architecture rules over .csproj and .cs files.")
    secret_scan: bool = Field(True, description="Scan tracked files for committed secrets.")
    vulnerable_packages: bool = Field(True, description="Run `dotnet list package --vulnerable` when dotnet is available.")


class DotnetConfig(_Section):
    solution: str | None = Field(None, description="Solution file (.sln), relative to the project. Detected when there is one.")
    test_projects: list[str] = Field(default_factory=list, description="Test projects; empty means the solution.")
    publish_projects: list[str] = Field(default_factory=list, description="Projects to `dotnet publish` for a release.")
    configuration: str = Field("Debug", description="Build configuration for build/test.")
    min_version: str = Field("8.0", description="Minimum .NET SDK version.")
    warnings_as_errors: bool = Field(False, description="Build with -warnaserror.")
    properties: dict[str, str] = Field(default_factory=dict, description="Extra MSBuild properties (-p:Name=Value).")
    categories: list[TestCategory] = Field(default_factory=_default_categories, description="Test categories in run order.")
    results_dir: str = Field("TestResults", description="Folder for TRX, coverage and reports, relative to the project.")
    build_timeout_s: float = Field(1800, gt=0, description="Timeout of one dotnet build.")
    test_timeout_s: float = Field(1800, gt=0, description="Timeout of one dotnet test run.")
    restore_retries: int = Field(2, ge=0, le=10, description="Retries of a build that failed only because a package feed was unreachable (NU1301).")
    restore_retry_delay_s: float = Field(10, ge=0, description="Seconds between those retries.")
    quarantine: list[str] | Literal["auto"] = Field(
        default_factory=list,
        description="Tests (fully qualified names) run in a step of their own whose failures are reported but do not "
                    "fail test/ci; `auto`: the flaky tests of `gameops history`.")

    @field_validator("quarantine")
    @classmethod
    def _quarantine_names(cls, value: list[str] | str) -> list[str] | str:
        from gameops.testnames import NAME, method_name

        if isinstance(value, list):
            for name in value:
                if not NAME.match(method_name(name)):
                    raise ValueError(f"{name!r} is not a fully qualified test name (Namespace.Class.Method)")
        return value


class GodotConfig(_Section):
    binary: str | None = Field(None, description="Godot executable. Else $GODOT_BIN, else godot, godot4, godot3, godot3-server on PATH.")
    project_dir: str = Field(".", description="Folder holding project.godot, relative to the project.")
    version: str | None = Field(None, description='Engine version the project needs, e.g. "4.4" or "3.2": the Godot binary\'s major.minor must match. Detected from project.godot (config/features; Godot 3 projects give only "3").')
    presets: dict[str, str] = Field(default_factory=dict, description="Platform name -> export preset name. Detected from export_presets.cfg.")
    timeout_s: float = Field(600, gt=0, description="Timeout of one export; a hung Godot is killed with its process tree.")
    import_timeout_s: float = Field(600, gt=0, description="Timeout of the import pass (run before an export when the import cache is missing or stale).")
    export_debug: bool = Field(False, description="Export debug builds instead of release.")
    smoke_test: bool = Field(True, description="Start each Linux export headless before packaging (Godot 3: --main-pack PCK --quit; Godot 4: --headless --quit); it must exit 0 with no SCRIPT ERROR.")
    smoke_timeout_s: float = Field(60, gt=0, description="Timeout of the smoke test of one export.")
    ignore_errors: list[str] = Field(
        default_factory=lambda: [r"Invalid locale", r"Unsupported locale", r"move_child: Parent node is busy setting up children"],
        description="Regexes of harmless `ERROR:` lines in an export log (Godot 3.2 complains about the C locale, and its editor UI sometimes about move_child while it starts on a busy machine).",
    )


class ReleaseConfig(_Section):
    out_dir: str = Field("dist", description="Output folder; releases go to <out_dir>/<version>/.")
    include: list[str] = Field(default_factory=lambda: ["README*", "LICENSE*", "CHANGELOG*"], description="Globs of repository files added to every package.")
    archive_name: str = Field("{project}-{version}-{platform}.zip", description="Archive name template.")
    tag_prefix: str = Field(_changelog.DEFAULT_TAG_PREFIX, description="New release tags are <tag_prefix><version>. Detected from the repository's tags (v1.2.3, 1.2.3, game-1.2.3) when not set.")
    allowed_branches: list[str] = Field(default_factory=lambda: ["main", "master", "release/*"], description="Branches a release may be cut from (globs).")
    zero_major_bumps_minor: bool = Field(True, description="In 0.x, a breaking change bumps the minor version, not the major.")
    store: str | None = Field(None, description="Folder the release folder is copied to on publish (release store).")
    changelog: str = Field("CHANGELOG.md", description="Changelog the new notes are prepended to.")
    commit_changelog: bool = Field(True, description="Commit the CHANGELOG update as `chore(release): VERSION` and tag that commit (gameops' protected-branch hooks let exactly this commit through). false: leave the change for you to commit; the tag points at the released commit.")
    sections: dict[str, str] = Field(
        default_factory=lambda: dict(_changelog.DEFAULT_SECTIONS),
        description="Commit type -> release-notes section title, in display order.",
    )
    concurrency: Literal["wait", "exit"] = Field("wait", description="When another release of the project runs: wait for it, or exit.")
    distributed: bool = Field(False, description="Send each platform's export to a worker of that platform's work pool.")
    work_pools: dict[str, str] = Field(
        default_factory=lambda: {"linux": "godot-linux", "windows": "godot-windows", "macos": "godot-macos"},
        description="Platform -> work pool for distributed exports.",
    )
    shared_dir: str | None = Field(None, description="Shared location where distributed exports leave their artifacts.")
    work_item_url: str | None = Field(None, description="URL template of a work item in the notes ({id}, {id_lower}); default: its heading in the backlog.")
    bot_pattern: str = Field(_commit_rules.conventional.DEFAULT_BOT_PATTERN, description="Regex searched in 'Name <email>' of authors and Co-authored-by trailers: matches are bots, not contributors, in the notes.")
    wrap_in_directory: bool = Field(True, description="Put everything in an archive inside one folder named like the archive.")
    symlinks: Literal["refuse", "store"] = Field(
        "refuse", description="Symbolic links among packaged files: refuse (exit 2), or store them as links when they point inside. Never followed outward.")

    @field_validator("include")
    @classmethod
    def _include_inside(cls, v: list[str]) -> list[str]:
        from gameops.packaging import check_include_pattern

        for pattern in v:
            why = check_include_pattern(pattern)
            if why:
                raise ValueError(f"{pattern!r} {why}")
        return v

    @field_validator("archive_name")
    @classmethod
    def _plain_fields(cls, v: str) -> str:
        from gameops.packaging import check_archive_template

        try:
            check_archive_template(v)
        except BadInput as exc:
            raise ValueError(str(exc).split(": ", 1)[-1]) from None
        return v

    @field_validator("tag_prefix")
    @classmethod
    def _ref_name(cls, v: str) -> str:
        from gameops.git import ref_name_problem

        why = ref_name_problem(v + "1.0.0")
        if why:
            raise ValueError(f"tags {v + '1.0.0'!r} would not be valid git tag names: {why}")
        return v

    @field_validator("bot_pattern")
    @classmethod
    def _bot_regex(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return v


class BacklogConfig(_Section):
    layout: Literal["inline", "table"] = Field("inline", description="inline: one Backlog.md with ### blocks; table: tracker table + one file per item.")
    file: str = Field(_backlog.DEFAULT_FILE, description="The backlog file.")
    archive: str = Field(_backlog.DEFAULT_ARCHIVE, description="Archive that archived items go into (inline layout).")
    archives: list[str] = Field(default_factory=list, description="Every archive file read besides `archive` (inline layout): verify, duplicate checks, docs counts, release-note links. Detected: every *Completed*Backlog*.md beside `archive`.")
    items_dir: str = Field("Docs/Backlog/items", description="Item files (table layout).")
    archive_dir: str = Field("Docs/Backlog/archive", description="Quarter folders (table layout).")
    done_statuses: list[str] = Field(default_factory=lambda: ["done", "completed", "resolved"], description="Statuses that mean done (case-insensitive, emoji ignored).")
    rejected_statuses: list[str] = Field(default_factory=lambda: ["rejected"], description="Statuses that mean rejected.")

    def archive_files(self) -> list[str]:
        """``archive`` first, then every other archive file, each once (inline layout)."""
        return list(dict.fromkeys([self.archive, *self.archives]))


class DocsConfig(_Section):
    root: str = Field("Docs", description="Docs folder.")
    statistics_file: str | None = Field(None, description='File holding the "📊 Current Statistics" block.')
    summary_files: list[str] = Field(default_factory=list, description="Files whose summary blocks are recomputed from the backlog.")


class GitConfig(_Section):
    """Git workflow rules, enforced by the hooks (`gameops hooks install`); see docs/git-workflow.md.

    Defaults live in gameops.branch_rules / gameops.commit_rules / gameops.hooks.names,
    which the hooks read without pydantic.
    """

    protected_branches: list[str] = Field(default_factory=lambda: list(_branch_rules.DEFAULT_PROTECTED), description="No commits or pushes here (names or globs such as release/*).")
    branch_prefixes: list[str] = Field(
        default_factory=lambda: list(_branch_rules.DEFAULT_PREFIXES),
        description="Allowed branch prefixes (<prefix>/<rest>); empty: any branch name.",
    )
    branch_exceptions: list[str] = Field(default_factory=lambda: list(_branch_rules.DEFAULT_EXCEPTIONS), description="Branch names or globs exempt from the prefix rule (e.g. develop).")
    branch_requires_work_item: bool = Field(False, description="Branch names must hold a work item (feat/VS_003-grid).")
    commit_types: list[str] = Field(
        default_factory=lambda: list(_commit_rules.DEFAULT_TYPES),
        description="Conventional commit types.",
    )
    work_item_pattern: str = Field(_commit_rules.DEFAULT_WORK_ITEM, description="Regex of a work-item id (VS_003, BR_012, TD_042).")
    any_scope: bool = Field(False, description="Allow any commit scope, not only work items.")
    max_subject_length: int = Field(_commit_rules.DEFAULT_MAX_SUBJECT, ge=20, description="Longest first line of a commit message.")
    main_branch: str | None = Field(None, description="Branch post-checkout compares with; default: the first protected branch that exists.")
    behind_warn: int = Field(5, ge=0, description="post-checkout: note when this many commits behind main.")
    behind_alert: int = Field(20, ge=0, description="post-checkout: warn loudly when this many commits behind main.")
    pre_push_tests: bool = Field(True, description="pre-push: run the quick test categories when C# files changed.")
    hooks: list[str] = Field(
        default_factory=lambda: list(_HOOKS),
        description="Hooks `gameops hooks install` installs.",
    )
    push: bool = Field(False, description="Push maintenance branches after committing.")
    remote: str = Field("origin", description="Remote to push to.")

    @field_validator("work_item_pattern")
    @classmethod
    def _regex(cls, v: str) -> str:
        import re

        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return v

    @field_validator("hooks")
    @classmethod
    def _known_hooks(cls, v: list[str]) -> list[str]:
        known = _HOOKS
        for name in v:
            if name not in known:
                raise ValueError(f"unknown hook {name!r} (known: {', '.join(known)})")
        return v


class SchedulesConfig(_Section):
    timezone: str = Field("UTC", description="Time zone of the cron schedules.")
    docs_sync: str = Field("0 6 1 * *", description="Cron: docs sync (monthly).")
    backlog_archive: str = Field("0 2 * * *", description="Cron: backlog archive (daily).")
    metrics: str = Field("0 3 * * 1", description="Cron: test metrics (weekly).")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (expected an IANA name such as Europe/Berlin or UTC)") from None
        return v

    @field_validator("docs_sync", "backlog_archive", "metrics")
    @classmethod
    def _cron(cls, v: str) -> str:
        from datetime import datetime

        from cronsim import CronSim, CronSimError

        if len(v.split()) != 5:
            raise ValueError("expected a cron expression of 5 fields (minute hour day month weekday)")
        try:
            CronSim(v, datetime(2025, 1, 1))
        except CronSimError as exc:
            raise ValueError(f"invalid cron expression ({exc})") from None
        return v


class ManualMinutes(_Section):
    """How long each job takes by hand, in minutes (defaults from BlockLife's own numbers)."""

    check: float = Field(5, ge=0)
    build: float = Field(3, ge=0)
    test: float = Field(5, ge=0)
    ci: float = Field(20, ge=0)
    release: float = Field(60, ge=0)
    backlog_archive_per_item: float = Field(7.5, ge=0)
    docs_sync: float = Field(45, ge=0)
    metrics: float = Field(15, ge=0)
    setup: float = Field(120, ge=0)


class AlertsConfig(_Section):
    webhook_url: str | None = Field(None, description="Slack-compatible webhook notified of failed or crashed runs. A secret: masked by `config show`, redacted from every output and log.")
    notification_block: str | None = Field(None, description="Name of a Prefect notification block to use instead.")


class ServerConfig(_Section):
    host: str = Field("127.0.0.1", description="Host of `gameops server start`.")
    port: int = Field(4200, ge=1, le=65535, description="Port of `gameops server start`.")
    database: str | None = Field(None, description="Database URL (postgresql+asyncpg://...); default: Prefect's SQLite. Its password is masked by `config show` and redacted from every output and log.")


class ToolsConfig(_Section):
    git_min: str = Field("2.25", description="Minimum git version.")
    python_min: str = Field("3.11", description="Minimum Python version.")


class GameopsConfig(_Section):
    project: ProjectConfig = Field(default_factory=ProjectConfig)
    dotnet: DotnetConfig = Field(default_factory=DotnetConfig)
    godot: GodotConfig = Field(default_factory=GodotConfig)
    release: ReleaseConfig = Field(default_factory=ReleaseConfig)
    backlog: BacklogConfig = Field(default_factory=BacklogConfig)
    docs: DocsConfig = Field(default_factory=DocsConfig)
    git: GitConfig = Field(default_factory=GitConfig)
    gates: GatesConfig = Field(default_factory=GatesConfig)
    schedules: SchedulesConfig = Field(default_factory=SchedulesConfig)
    manual_minutes: ManualMinutes = Field(default_factory=ManualMinutes)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    tools: ToolsConfig = Field(default_factory=ToolsConfig)
    required_files: list[str] = Field(default_factory=list, description="Files `gameops check` insists on, relative to the project.")
    redact: list[str] = Field(
        default_factory=list,
        description="Names of environment variables whose values are secrets: replaced by *** in the output of every tool gameops runs (git included), every log record (the Prefect logs sent to the server too), state messages, artifacts, CLI output and JSON.",
    )

    @field_validator("required_files")
    @classmethod
    def _relative(cls, v: list[str]) -> list[str]:
        for p in v:
            if Path(p).is_absolute():
                raise ValueError(f"{p!r} must be relative to the project")
        return v


# Paths of the project gameops writes to or reads into its output, from the configuration. From
# gameops.yaml (the repository, untrusted) they must resolve inside the project; from the
# environment they are the operator's explicit choice (the command line's --out, too).
# release.shared_dir is the distributed exports' shared location: outside the checkout by
# nature, so it is not in this list; godot.binary is a tool, not a project file.
OUTPUT_PATHS = (
    "release.out_dir", "release.changelog", "release.store", "dotnet.results_dir",
    "backlog.file", "backlog.archive", "backlog.items_dir", "backlog.archive_dir",
    "docs.root", "docs.statistics_file", "docs.summary_files",
    "godot.project_dir", "dotnet.solution", "dotnet.test_projects", "dotnet.publish_projects",
)


def _outside(root: Path, value: str) -> bool:
    try:
        (root / value).resolve().relative_to(root)
    except ValueError:
        return True
    return False


def check_output_paths(root: Path, config: "GameopsConfig", sources: dict[str, str]) -> None:
    """ConfigError naming the key and its line when an output path from the config file leads out
    of the project (absolute, ``..``, or through a symbolic link)."""
    for key in OUTPUT_PATHS:
        section, name = key.split(".")
        value = getattr(getattr(config, section), name)
        source = sources.get(key, "default")
        if value is None or source.startswith("environment"):
            continue
        for v in value if isinstance(value, list) else [value]:
            if _outside(root, v):
                raise ConfigError(f"{source}: {key}: {v!r} leads outside the project; paths gameops writes to "
                                  f"must stay inside it (set GAMEOPS_{section.upper()}__{name.upper()} or a command-line option for another place)")


@dataclass
class Loaded:
    """The effective configuration of one game repository."""

    root: Path
    config: GameopsConfig
    file: Path | None
    sources: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)

    def path(self, relative: str | os.PathLike[str]) -> Path:
        """A path of the game repository from a config value."""
        return (self.root / relative).resolve()

    @property
    def godot_dir(self) -> Path:
        return self.path(self.config.godot.project_dir)

    @property
    def uses_csharp(self) -> bool:
        """The repository builds C# (decided by :mod:`gameops.project_kind`)."""
        return project_kind.uses_csharp(self.config.dotnet.solution)

    @property
    def uses_godot(self) -> bool:
        """The repository is a Godot game (decided by :mod:`gameops.project_kind`)."""
        return project_kind.uses_godot(self.godot_dir, self.config.godot.presets)

    def secrets(self) -> list[str]:
        """Values to redact from anything gameops prints or logs: the variables named in
        ``redact``, the alert webhook URL and the password of the server's database URL."""
        values = [v for name in self.config.redact if (v := os.environ.get(name))]
        if self.config.alerts.webhook_url:
            values.append(self.config.alerts.webhook_url)
        password = urlsplit(self.config.server.database or "").password
        if password:
            values.append(password)
        return values


# ---------------------------------------------------------------------------
# YAML with line numbers


def _yaml_with_lines(text: str, source: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Parse YAML, returning the data and the 1-based line of every mapping key path.

    Hostile YAML (alias bombs, deep nesting, duplicate keys, unsafe tags) is refused there.
    """
    return yaml_input.load(text, source)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_EXPECTED = {
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The valid keys at the mapping that holds ``loc[-1]``."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(str(part))
        if info is None:
            return []
        ann = info.annotation
        args = getattr(ann, "__args__", ())
        current = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _validation_message(err: Mapping[str, Any], where_of: Any) -> str:
    loc = tuple(err["loc"])
    dotted = ".".join(str(p) for p in loc) or "(top level)"
    where = where_of(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        keys = _known_keys(GameopsConfig, loc)
        hint = difflib.get_close_matches(str(loc[-1]), keys, n=1)
        suggestion = f' (did you mean "{hint[0]}"?)' if hint else (f" (known keys: {', '.join(keys)})" if keys else "")
        return f"{where}: {dotted}: unknown key{suggestion}"
    if kind == "missing":
        return f"{where}: {dotted}: required key is missing"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{where}: {dotted}: expected one of {expected}, got {_describe(err.get('input'))}"
    if kind in _EXPECTED:
        return f"{where}: {dotted}: {_EXPECTED[kind]}, got {_describe(err.get('input'))}"
    msg = err.get("msg", "invalid value").removeprefix("Value error, ")
    return f"{where}: {dotted}: {msg}, got {_describe(err.get('input'))}"


# ---------------------------------------------------------------------------
# Detection


ARCHIVE_FILE_RE = _backlog.ARCHIVE_FILE_RE
DEFAULT_ARCHIVE = _backlog.DEFAULT_ARCHIVE


def _detect_archives(root: Path, put: Any) -> None:
    """Archive files of the inline layout (``backlog.detect_archives``)."""
    found = _backlog.detect_archives(root)
    if found is None:
        return
    main, others = found
    if main != DEFAULT_ARCHIVE:
        put("backlog.archive", main, f"found {main}")
    if others:
        put("backlog.archives", others, "more archive files in " + Path(DEFAULT_ARCHIVE).parent.as_posix())


def detect(root: Path, *, tags: bool = True) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """What the repository says about itself, as a config dict with sources and notes.

    ``tags``: also detect ``release.tag_prefix`` from the release tags (one ``git for-each-ref``);
    off when the config file or the environment sets it.
    """
    data: dict[str, Any] = {}
    sources: dict[str, str] = {}
    notes: list[str] = []

    def put(path: str, value: Any, why: str) -> None:
        section, key = path.split(".", 1)
        data.setdefault(section, {})[key] = value
        sources[path] = f"detected: {why}"
        notes.append(f"{path} = {value!r} ({why})")

    slns = project_kind.find_solutions(root)
    if slns:
        rel = slns[0].relative_to(root).as_posix()
        put("dotnet.solution", rel, f"found {rel}" + (f", first of {len(slns)}" if len(slns) > 1 else ""))
        tests = sorted(p.relative_to(root).as_posix() for p in source_files(root, (".csproj",)) if "test" in p.name.lower())
        if tests:
            put("dotnet.test_projects", tests, "test projects by name")
    godots = project_kind.find_godot_projects(root)
    if godots:
        gdir = godots[0].parent.relative_to(root).as_posix() or "."
        if gdir != ".":
            put("godot.project_dir", gdir, f"found {gdir}/project.godot")
        from gameops import godot

        try:
            project = godot.read_project(godots[0].parent)
        except BadInput:  # `gameops check` reports an unreadable project.godot
            project = None
        name = project.name if project else None
        if name and name != godots[0].parent.name:  # else read_project fell back to the folder
            put("project.name", name, "config/name in project.godot")
        if project is not None and project.config_version:
            put("godot.version", project.engine_version, project.engine_version_source)
        presets_file = godots[0].parent / "export_presets.cfg"
        if presets_file.is_file():
            try:
                presets = godot.read_export_presets(presets_file)
            except BadInput:
                presets = []
            mapping = {key: p.name for key, p in godot.default_presets(presets).items()}
            if mapping:
                put("godot.presets", mapping, "export_presets.cfg")
    if "project" not in data:
        put("project.name", root.name, "folder name")
    found = _layouts.detect(root)
    if found:
        put("backlog.file", found[0], f"found {found[0]}")
        if found[1] is _layouts.TABLE:
            put("backlog.layout", _layouts.TABLE.name, "tracker-table era layout")
        else:
            _detect_archives(root, put)
    if tags:
        from gameops import release_tags

        scheme = release_tags.detect_prefix(root)
        if scheme is not None:
            put("release.tag_prefix", scheme.prefix, scheme.why)
    return data, sources, notes


# ---------------------------------------------------------------------------
# Loading


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in top.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict) and v and key.count(".") < 1:
                out.update(_flatten(v, key))
            else:
                out[key] = v
        return out
    return {prefix: data}


def _env_overrides(environ: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    data: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX):].split("__")]
        if any(not p for p in parts):
            raise ConfigError(f"environment {name}: malformed name, expected GAMEOPS_<SECTION>__<KEY>")
        raw = environ[name]
        try:
            value = yaml_input.load(raw, f"environment {name}")[0] if raw.strip() else ""
        except ConfigError as exc:
            if "YAML syntax error" not in str(exc):
                raise  # hostile YAML (alias bomb, unsafe tag, ...) is refused here too
            value = raw
        if not isinstance(value, (int, float, bool, list, dict)):
            value = raw  # text stays exactly as written (no YAML dates, nulls or quotes)
        cursor = data
        for p in parts[:-1]:
            cursor = cursor.setdefault(p, {})
            if not isinstance(cursor, dict):
                raise ConfigError(f"environment {name}: conflicts with another GAMEOPS_ variable")
        cursor[parts[-1]] = value
        sources[".".join(parts)] = f"environment {name}"
    return data, sources


def load(project: str | os.PathLike[str] | None = None, config_file: str | os.PathLike[str] | None = None,
         environ: dict[str, str] | None = None) -> Loaded:
    """Load the effective configuration of the game repository at ``project``.

    Raises :class:`ConfigError` / :class:`BadInput` (exit 2) with one clear line.
    Reads only; never writes.
    """
    root = Path(project or ".").expanduser()
    if not root.exists():
        raise BadInput(f"{root}: project folder does not exist")
    if not root.is_dir():
        raise BadInput(f"{root}: --project must be a folder, this is a file")
    root = root.resolve()
    environ = dict(os.environ if environ is None else environ)

    explicit = config_file is not None
    cfg_path = Path(config_file).expanduser() if config_file is not None else root / CONFIG_FILE
    if explicit and not cfg_path.is_absolute() and not cfg_path.exists():
        cfg_path = root / cfg_path

    file_data: dict[str, Any] = {}
    lines: dict[tuple[str, ...], int] = {}
    shown = cfg_path.name if cfg_path.parent == root else str(cfg_path)
    used_file: Path | None = None
    if cfg_path.exists() or cfg_path.is_symlink():  # a dangling or looping link is an error, not "no file"
        # the project's own gameops.yaml must not lead out of it; a --config FILE is the user's choice
        text = read_input_text(cfg_path, shown, within=None if explicit else root, kind="config", expect="a YAML file")
        parsed, lines = _yaml_with_lines(text, shown)
        if parsed is None:
            parsed = {}
        if not isinstance(parsed, dict):
            raise ConfigError(f"{shown}:1: expected a mapping of sections (project:, dotnet:, godot:, ...), got {_describe(parsed)}")
        file_data = parsed
        used_file = cfg_path
    elif explicit:
        raise BadInput(f"{shown}: config file not found")

    env_data, env_sources = _env_overrides(environ)
    prefix_set = any(isinstance(d.get("release"), dict) and "tag_prefix" in d["release"] for d in (file_data, env_data))
    detected, sources, notes = detect(root, tags=not prefix_set)

    merged = _merge(_merge(detected, file_data), env_data)

    def where_of(loc: tuple[Any, ...]) -> str:
        key = tuple(str(p) for p in loc)
        dotted = ".".join(key)
        for src, src_name in env_sources.items():
            if dotted == src or dotted.startswith(src + "."):
                return src_name
        while key:
            if key in lines:
                return f"{shown}:{lines[key]}"
            key = key[:-1]
        return shown if used_file else "configuration"

    try:
        config = GameopsConfig.model_validate(merged)
    except ValidationError as exc:
        # A misspelt key also makes the right key "missing": name the typo, it explains both.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]
        raise ConfigError(_validation_message(first, where_of)) from None

    all_sources: dict[str, str] = {}
    all_sources.update(sources)
    for key in _flatten(file_data):
        line = lines.get(tuple(key.split(".")))
        all_sources[key] = f"{shown}:{line}" if line else shown
    all_sources.update(env_sources)
    check_output_paths(root, config, all_sources)
    assumptions = [] if used_file else [f"no {CONFIG_FILE}; assumed " + n for n in notes]
    loaded = Loaded(root=root, config=config, file=used_file, sources=all_sources, assumptions=assumptions)
    redaction.remember(loaded.secrets())  # from now on nothing this process prints or logs shows them
    return loaded


# Settings that hold secrets: `config show` masks them (and Loaded.secrets() redacts them everywhere).
SECRET_SETTINGS = ("alerts.webhook_url", "server.database")


def mask_secret_url(url: str) -> str:
    """A URL that says where it points but not how to get in: the password of
    ``scheme://user:password@host/db`` and the path and query of a webhook become ***."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return redaction.REDACTED
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}:{redaction.REDACTED}@{hostport}"
        return f"{parts.scheme}://{netloc}{parts.path}"
    return f"{parts.scheme}://{netloc}/{redaction.REDACTED}" if (parts.path.strip("/") or parts.query) else url


def public_dump(loaded: Loaded) -> dict[str, Any]:
    """The effective config as JSON data with every secret masked (``config show``)."""
    dumped = loaded.config.model_dump(mode="json")
    for dotted in SECRET_SETTINGS:
        section, key = dotted.split(".")
        value = dumped.get(section, {}).get(key)
        if isinstance(value, str) and value:
            dumped[section][key] = mask_secret_url(value)
    secrets = loaded.secrets()

    def clean(v: Any) -> Any:
        if isinstance(v, str):
            return redaction.redact(v, secrets)
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return clean(dumped)


def effective(loaded: Loaded) -> list[tuple[str, Any, str]]:
    """(key, value, source) for every leaf of the effective config, for ``config show`` (secrets masked)."""
    dumped = public_dump(loaded)
    rows: list[tuple[str, Any, str]] = []
    for section, values in dumped.items():
        if not isinstance(values, dict):
            rows.append((section, values, loaded.sources.get(section, "default")))
            continue
        for key, value in values.items():
            dotted = f"{section}.{key}"
            source = loaded.sources.get(dotted) or next(
                (s for k, s in loaded.sources.items() if k.startswith(dotted + ".")), None
            ) or loaded.sources.get(section, "default")
            rows.append((dotted, value, source))
    return rows


def json_schema() -> dict[str, Any]:
    schema = GameopsConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "gameops.yaml"
    return schema
