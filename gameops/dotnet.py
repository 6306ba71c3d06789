"""The .NET SDK as gameops drives it: command lines, and running build / test / list package /
publish through :mod:`gameops.process`.

Everything here is plain Python (no Prefect). Results are data: :class:`BuildResult` with parsed
MSBuild diagnostics, :class:`TestRun` with the parsed TRX/Cobertura files, a list of
:class:`VulnerablePackage`. Output is forced to English (``DOTNET_CLI_UI_LANGUAGE=en``) and
plain (no terminal logger), so the parsers see the formats they know.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameops import slugs
from gameops import msbuild, process, results, tools
from gameops.config import Loaded, TestCategory
from gameops.errors import BadInput, JobFailed
from gameops.results.model import ResultFile, Summary

ENV = {
    "DOTNET_CLI_UI_LANGUAGE": "en",
    "DOTNET_NOLOGO": "1",
    "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
    "DOTNET_SKIP_FIRST_TIME_EXPERIENCE": "1",
    "MSBUILDTERMINALLOGGER": "off",
    "NUGET_XMLDOC_MODE": "skip",
}
COVERAGE_COLLECTOR = "XPlat Code Coverage"
TAIL_LINES = 40

LineSink = Callable[[str], None] | None


class TransientBuildFailure(JobFailed):
    """The build failed only because a package feed was unreachable (NU1301): worth a retry."""


def executable() -> str:
    """The ``dotnet`` on PATH, or exit 2 with the install hint."""
    return str(tools.require(_find()).path)


def _find() -> tools.Tool:
    path = shutil.which("dotnet")
    return tools.Tool("dotnet", path, source="PATH", error=None if path else "not on PATH")


def available() -> bool:
    return shutil.which("dotnet") is not None


def target(loaded: Loaded) -> Path:
    """The solution (or project) to build and test."""
    sol = loaded.config.dotnet.solution
    if not sol:
        raise BadInput("no .NET solution: set dotnet.solution in gameops.yaml (no *.sln was found in the project)")
    path = loaded.root / sol
    if not path.is_file():
        raise BadInput(f"{sol}: solution not found (dotnet.solution in gameops.yaml)")
    return path


def slug(text: str) -> str:
    return slugs.slug(text, "tests")


def results_dir(loaded: Loaded) -> Path:
    return loaded.path(loaded.config.dotnet.results_dir)


# ------------------------------------------------------------------ command lines

def build_command(exe: str, target: Path, configuration: str, *, warnings_as_errors: bool = False,
                  properties: dict[str, str] | None = None) -> list[str]:
    cmd = [exe, "build", str(target), "-c", configuration, "-nologo"]
    if warnings_as_errors:
        cmd.append("-warnaserror")
    for k, v in sorted((properties or {}).items()):
        cmd.append(f"-p:{k}={v}")
    return cmd


def test_command(exe: str, target: Path, configuration: str, *, filter_expr: str | None, results: Path,
                 trx_name: str, coverage: bool = False, no_build: bool = False) -> list[str]:
    cmd = [exe, "test", str(target), "-c", configuration, "--nologo"]
    if no_build:
        cmd.append("--no-build")
    if filter_expr:
        cmd += ["--filter", filter_expr]
    cmd += ["--results-directory", str(results), "--logger", f"trx;LogFileName={trx_name}"]
    if coverage:
        cmd.append(f"--collect:{COVERAGE_COLLECTOR}")
    return cmd


def list_vulnerable_command(exe: str, target: Path) -> list[str]:
    return [exe, "list", str(target), "package", "--vulnerable", "--include-transitive", "--format", "json"]


def publish_command(exe: str, project: Path, configuration: str, output: Path) -> list[str]:
    return [exe, "publish", str(project), "-c", configuration, "-o", str(output), "-nologo"]


# ------------------------------------------------------------------ build

@dataclass
class BuildResult:
    command: list[str]
    returncode: int
    diagnostics: list[msbuild.Diagnostic]
    duration_s: float
    tail: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def errors(self) -> list[msbuild.Diagnostic]:
        return msbuild.errors(self.diagnostics)

    @property
    def warnings(self) -> list[msbuild.Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def ok(self) -> bool:
        # dotnet/sdk#3865: a failed build may exit 0, so errors count even then.
        return self.returncode == 0 and not self.errors and not self.timed_out

    @property
    def transient(self) -> bool:
        return not self.ok and not self.timed_out and msbuild.is_transient(self.diagnostics, self.tail)

    def summary_line(self) -> str:
        if self.timed_out:
            return f"build timed out after {self.duration_s:.0f} s"
        state = "succeeded" if self.ok else "FAILED"
        return f"build {state}: {len(self.errors)} error(s), {len(self.warnings)} warning(s) in {self.duration_s:.1f} s"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "returncode": self.returncode, "duration_s": round(self.duration_s, 3),
            "errors": [d.as_dict() for d in self.errors], "warnings": [d.as_dict() for d in self.warnings],
            "timed_out": self.timed_out, "transient": self.transient,
            "tail": self.tail if not self.ok and not self.errors else [],
        }


def build(loaded: Loaded, configuration: str | None = None, *, on_line: LineSink = None,
          log_path: Path | None = None) -> BuildResult:
    cfg = loaded.config.dotnet
    cmd = build_command(executable(), target(loaded), configuration or cfg.configuration,
                        warnings_as_errors=cfg.warnings_as_errors, properties=cfg.properties)
    proc = process.run(cmd, cwd=loaded.root, env=ENV, timeout_s=cfg.build_timeout_s, on_line=on_line,
                       secrets=loaded.secrets(), log_path=log_path)
    return BuildResult(cmd, proc.returncode, msbuild.parse_lines(proc.lines), proc.duration_s,
                       proc.lines[-TAIL_LINES:], proc.timed_out)


# ------------------------------------------------------------------ tests

@dataclass
class TestRun:
    category: str
    filter: str | None
    returncode: int
    files: list[ResultFile]
    duration_s: float
    tail: list[str] = field(default_factory=list)
    coverage: bool = False

    @property
    def summary(self) -> Summary:
        return Summary(self.files)

    @property
    def ok(self) -> bool:
        s = self.summary
        return s.ok and s.has_tests

    def as_dict(self) -> dict[str, Any]:
        s = self.summary
        cov = s.coverage
        rate = cov.line_rate if cov is not None else None  # None: no lines measured
        return {"category": self.category, "filter": self.filter, "ok": self.ok, "returncode": self.returncode,
                "total": s.total, "passed": s.passed, "failed": s.failed, "skipped": s.skipped,
                "duration_s": round(self.duration_s, 3), "run_errors": s.run_errors,
                "coverage": round(rate, 4) if rate is not None else None,
                "files": [f.path for f in self.files]}


def categories_to_run(loaded: Loaded, names: list[str] | None = None, filter_expr: str | None = None,
                      quick_only: bool = False) -> list[TestCategory]:
    """The category runs in order: the config's order, on-request ones only when named."""
    cats = loaded.config.dotnet.categories
    if filter_expr:
        return [TestCategory(name="Filter", filter=filter_expr)]
    if names:
        known = {c.name.lower(): c for c in cats}
        out = []
        for n in names:
            c = known.get(n.lower())
            out.append(c if c else TestCategory(name=n, filter=f"Category={n}"))
        return out
    chosen = [c for c in cats if not c.on_request]
    if quick_only:
        chosen = [c for c in chosen if c.quick]
    return chosen


def collects_coverage(category: TestCategory) -> bool:
    """Coverage is collected in the broad runs, not in the fail-fast or on-request ones."""
    return not category.fail_fast and not category.on_request


def run_in_order(cats: list[TestCategory], run_one) -> tuple[list[TestRun], list[str]]:
    """Run ``run_one(index, category)`` for each category in order; a fail-fast category that
    fails stops the rest. Returns (runs, names of the categories not run)."""
    runs: list[TestRun] = []
    for i, cat in enumerate(cats):
        run = run_one(i, cat)
        runs.append(run)
        if cat.fail_fast and not run.ok:
            return runs, [c.name for c in cats[i + 1:]]
    return runs, []


def run_tests(loaded: Loaded, category: TestCategory, *, coverage: bool = False, no_build: bool = False,
              configuration: str | None = None, on_line: LineSink = None) -> TestRun:
    """One ``dotnet test`` per test project (or the solution) for one category.

    The category's results go to ``<results_dir>/<category>/``, which is emptied first so old
    files never mix with new ones.
    """
    cfg = loaded.config.dotnet
    exe = executable()
    out_dir = results_dir(loaded) / slug(category.name)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [loaded.root / p for p in cfg.test_projects] or [target(loaded)]
    started = time.monotonic()
    files: list[ResultFile] = []
    rc = 0
    tail: list[str] = []
    for t in targets:
        if not t.exists():
            raise BadInput(f"{t.relative_to(loaded.root)}: test project not found (dotnet.test_projects)")
        name = slug(category.name) + ("" if len(targets) == 1 else "-" + slug(t.stem)) + ".trx"
        cmd = test_command(exe, t, configuration or cfg.configuration, filter_expr=category.filter, results=out_dir,
                           trx_name=name, coverage=coverage, no_build=no_build)
        proc = process.run(cmd, cwd=loaded.root, env=ENV, timeout_s=cfg.test_timeout_s, on_line=on_line,
                           secrets=loaded.secrets())
        rc = rc or proc.returncode
        tail = proc.lines[-TAIL_LINES:]
        trx_path = out_dir / name
        if trx_path.is_file():
            try:
                rf = results.read(trx_path)
            except BadInput as exc:
                rf = ResultFile(path=str(trx_path), kind="trx", run_errors=[f"unreadable TRX: {exc}"])
        else:
            errs = msbuild.errors(msbuild.parse_lines(proc.lines))
            why = (f"dotnet test timed out after {cfg.test_timeout_s:.0f} s" if proc.timed_out else
                   f"dotnet test exited {proc.returncode} without writing {name}")
            if errs:
                why += ": " + "; ".join(str(e) for e in errs[:5])
            rf = ResultFile(path=str(trx_path), kind="trx", run_errors=[why])
        rf.category = category.name
        files.append(rf)
    if coverage:
        for cov in sorted(out_dir.glob("*/coverage.cobertura.xml")):
            try:
                rf = results.read(cov)
            except BadInput as exc:
                rf = ResultFile(path=str(cov), kind="cobertura", run_errors=[f"unreadable coverage: {exc}"])
            rf.category = category.name
            files.append(rf)
    return TestRun(category.name, category.filter, rc, files, time.monotonic() - started, tail, coverage)


# ------------------------------------------------------------------ list package --vulnerable

@dataclass
class VulnerablePackage:
    project: str
    framework: str
    package: str
    version: str
    severity: str
    advisory: str
    transitive: bool = False

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def parse_vulnerable_json(text: str) -> tuple[list[VulnerablePackage], list[str]]:
    """``dotnet list package --vulnerable --format json`` -> (packages, problems)."""
    start = text.find("{")
    if start < 0:
        raise BadInput("dotnet list package printed no JSON (needs .NET SDK 7.0.200 or newer)")
    try:
        doc = json.loads(text[start:])
    except json.JSONDecodeError as exc:
        raise BadInput(f"dotnet list package: unreadable JSON ({exc.msg} at line {exc.lineno})") from None
    found: list[VulnerablePackage] = []
    problems = [f"{p.get('project', '')}: {p.get('text', '')}".strip(": ") for p in doc.get("problems", [])]
    for proj in doc.get("projects", []):
        for fw in proj.get("frameworks", []) or []:
            for key, transitive in (("topLevelPackages", False), ("transitivePackages", True)):
                for pkg in fw.get(key, []) or []:
                    for v in pkg.get("vulnerabilities", []) or []:
                        found.append(VulnerablePackage(
                            proj.get("path", ""), fw.get("framework", ""), pkg.get("id", ""),
                            pkg.get("resolvedVersion") or pkg.get("requestedVersion") or "",
                            v.get("severity", ""), v.get("advisoryurl", ""), transitive))
    return found, problems


def list_vulnerable(loaded: Loaded) -> tuple[list[VulnerablePackage], list[str]]:
    proc = process.run(list_vulnerable_command(executable(), target(loaded)), cwd=loaded.root, env=ENV,
                       timeout_s=600, secrets=loaded.secrets())
    if proc.returncode != 0 and "{" not in proc.output:
        return [], [f"dotnet list package exited {proc.returncode}: " + " ".join(proc.lines[-3:])]
    return parse_vulnerable_json(proc.output)


# ------------------------------------------------------------------ publish

@dataclass
class PublishResult:
    project: str
    output: Path
    ok: bool
    diagnostics: list[msbuild.Diagnostic]
    files: list[str]
    returncode: int


def publish(loaded: Loaded, project: str | Path, output: Path, configuration: str = "Release",
            on_line: LineSink = None) -> PublishResult:
    """``dotnet publish PROJECT -c Release -o OUTPUT`` (the release flow uses it)."""
    path = loaded.root / project
    if not path.is_file():
        raise BadInput(f"{project}: project not found (dotnet.publish_projects)")
    proc = process.run(publish_command(executable(), path, configuration, output), cwd=loaded.root, env=ENV,
                       timeout_s=loaded.config.dotnet.build_timeout_s, on_line=on_line, secrets=loaded.secrets())
    diags = msbuild.parse_lines(proc.lines)
    files = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()) if output.is_dir() else []
    ok = proc.returncode == 0 and not msbuild.errors(diags) and bool(files)
    return PublishResult(str(project), output, ok, diags, files, proc.returncode)



