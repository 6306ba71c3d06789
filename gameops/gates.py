"""Quality gates: coverage, architecture rules, vulnerable packages, committed secrets.

Each gate is a plain function returning a :class:`Gate` (name, ok, one-line detail, findings).
``gameops ci`` runs each as a Prefect task and fails (exit 1) naming every gate that failed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gameops import dotnet
from gameops.config import ArchitectureRule, Loaded
from gameops.errors import BadInput
from gameops.fileops import OUTPUT_DIRS, read_input_bytes, source_files
from gameops.results.model import Coverage

MAX_FINDINGS = 200


@dataclass
class Gate:
    name: str
    ok: bool
    detail: str
    findings: list[str] = field(default_factory=list)
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------ coverage

def coverage_gate(coverage: Coverage | None, minimum: float, collected: bool = True,
                  not_collected: str = "not collected (run with --coverage)") -> Gate:
    if not collected:
        return Gate("coverage", True, not_collected, skipped=True)
    if coverage is None or coverage.line_rate is None:
        return Gate("coverage", False, "no coverage report was written (is coverlet.collector referenced by the test project?)")
    rate = coverage.line_rate
    ok = rate + 1e-9 >= minimum
    detail = (f"line coverage {rate:.1%} ({coverage.lines_covered}/{coverage.lines_valid} lines), "
              f"{'at or above' if ok else 'below'} the minimum {minimum:.0%}")
    findings: list[str] = []
    if not ok:
        worst = sorted((c for p in coverage.packages for c in p.classes if c.lines_valid),
                       key=lambda c: (c.lines_covered / c.lines_valid, -c.lines_valid))[:10]
        findings = [f"{c.name}: {c.lines_covered}/{c.lines_valid} lines ({c.lines_covered / c.lines_valid:.0%})"
                    + (f" in {c.filename}" if c.filename else "") for c in worst if c.lines_covered < c.lines_valid]
    return Gate("coverage", ok, detail, findings)


# ------------------------------------------------------------------ architecture

_PKG = re.compile(r"<PackageReference\b[^>]*\bInclude\s*=\s*\"([^\"]+)\"", re.I)
_SDK = re.compile(r"<Project\b[^>]*\bSdk\s*=\s*\"([^\"/]+)", re.I)
_USING = re.compile(r"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?([A-Za-z_][\w.]*)\s*;")
_COMMENT = re.compile(r"//.*$")


def _sources(project_dir: Path) -> list[Path]:
    return list(source_files(project_dir, (".cs",)))


def _projects(root: Path, pattern: str) -> list[Path]:
    return sorted(p for p in root.glob(pattern) if p.is_file() and p.suffix == ".csproj"
                  and not any(part.startswith(".") or part in OUTPUT_DIRS for part in p.relative_to(root).parts))


def check_rule(root: Path, rule: ArchitectureRule) -> list[str]:
    findings: list[str] = []
    projects = _projects(root, rule.projects)
    if not projects:
        return [f"rule \"{rule.name}\": no project matches {rule.projects}"]
    forbidden_pkgs = {p.lower() for p in rule.forbid_packages}
    for proj in projects:
        rel = proj.relative_to(root).as_posix()
        text = read_input_bytes(proj, rel, within=root).decode("utf-8-sig", errors="replace")
        refs = _PKG.findall(text) + _SDK.findall(text)
        for ref in refs:
            if ref.lower() in forbidden_pkgs:
                findings.append(f"{rel}: references {ref} (rule \"{rule.name}\")")
        if not rule.forbid_usings and not rule.forbid_apis:
            continue
        for src in _sources(proj.parent):
            srel = src.relative_to(root).as_posix()
            text = read_input_bytes(src, srel, within=root).decode("utf-8-sig", errors="replace")
            for n, line in enumerate(text.splitlines(), 1):
                m = _USING.match(line)
                if m:
                    ns = m.group(1)
                    for bad in rule.forbid_usings:
                        if ns == bad or ns.startswith(bad + "."):
                            findings.append(f"{srel}:{n}: using {ns} (rule \"{rule.name}\")")
                code = _COMMENT.sub("", line)
                for api in rule.forbid_apis:
                    if api in code and not m:
                        findings.append(f"{srel}:{n}: uses {api} (rule \"{rule.name}\")")
    return findings


def architecture_gate(root: Path, rules: list[ArchitectureRule]) -> Gate:
    if not rules:
        return Gate("architecture", True, "no architecture rules configured (gates.architecture)", skipped=True)
    findings = [f for rule in rules for f in check_rule(root, rule)]
    if findings:
        return Gate("architecture", False, f"{len(findings)} violation(s) of {len(rules)} rule(s)", findings[:MAX_FINDINGS])
    return Gate("architecture", True, f"{len(rules)} rule(s) hold")


# ------------------------------------------------------------------ vulnerable packages

def vulnerable_gate(packages: list[Any] | None, problems: list[str] | None = None, reason_skipped: str | None = None) -> Gate:
    """``packages``: :class:`gameops.dotnet.VulnerablePackage` items (None: not checked)."""
    if packages is None:
        return Gate("vulnerable packages", True, reason_skipped or "not checked", skipped=True)
    findings = [f"{Path(p.project).name}: {p.package} {p.version} ({p.severity}{', transitive' if p.transitive else ''}) {p.advisory}"
                for p in packages]
    findings += [f"could not check: {p}" for p in problems or []]
    if findings:
        return Gate("vulnerable packages", False,
                    f"{len(packages)} vulnerable package(s)" + (f", {len(problems or [])} project(s) not checked" if problems else ""),
                    findings[:MAX_FINDINGS])
    return Gate("vulnerable packages", True, "no known vulnerable packages")


def vulnerable_packages_gate(loaded: Loaded) -> Gate:
    """``dotnet list package --vulnerable`` when it applies (turned on, a solution, dotnet present)."""
    if not loaded.config.gates.vulnerable_packages:
        return vulnerable_gate(None, reason_skipped="turned off (gates.vulnerable_packages)")
    if not loaded.config.dotnet.solution:
        return vulnerable_gate(None, reason_skipped="no .NET solution")
    if not dotnet.available():
        return vulnerable_gate(None, reason_skipped="dotnet not found: skipped")
    try:
        packages, problems = dotnet.list_vulnerable(loaded)
    except BadInput as exc:
        return Gate("vulnerable packages", False, str(exc))
    return vulnerable_gate(packages, problems)


# ------------------------------------------------------------------ secrets

# Detectors for things that are secrets by their shape. Keyword and entropy detectors are left
# out: in a game repository they flag GUIDs in .sln/.csproj files, asset hashes and test data.
NOISY_DETECTORS = {"KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}
MAX_SCAN_BYTES = 2 * 1024 * 1024


def _plugins() -> list[dict[str, str]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    names = sorted({cls.__name__ for cls in get_mapping_from_secret_type_to_class().values()})
    return [{"name": n} for n in names if n not in NOISY_DETECTORS]


def scan_secrets(root: Path, files: list[str]) -> list[str]:
    """``path:line: <kind>`` for every secret detect-secrets finds in ``files`` (relative to root)."""
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import transient_settings

    wanted = []
    for rel in files:
        p = root / rel
        try:
            if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_SCAN_BYTES:
                wanted.append(rel)
        except OSError:
            continue
    collection = SecretsCollection(root=str(root))
    with transient_settings({"plugins_used": _plugins()}):
        for name in wanted:  # scan_files would fork a process pool; one by one is fast enough here
            collection.scan_file(name)
    found = []
    for filename, secret in collection:
        path = Path(filename)
        shown = path.relative_to(root) if path.is_absolute() else path
        found.append(f"{shown.as_posix()}:{secret.line_number}: {secret.type}")
    return sorted(set(found))


def secrets_gate(root: Path, enabled: bool = True) -> Gate:
    from gameops import git as gitmod

    if not enabled:
        return Gate("secrets", True, "secret scan turned off (gates.secret_scan)", skipped=True)
    if not gitmod.is_repo(root):
        return Gate("secrets", True, "not a git repository: no tracked files to scan", skipped=True)
    files = gitmod.tracked_files(root)  # relative to root, where git ran
    found = scan_secrets(root, files)
    if found:
        return Gate("secrets", False, f"{len(found)} committed secret(s) in tracked files", found[:MAX_FINDINGS])
    return Gate("secrets", True, f"no secrets in {len(files)} tracked file(s)")
