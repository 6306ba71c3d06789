"""MSBuild / ``dotnet build`` console output -> diagnostics.

MSBuild's canonical format is ``Origin : Subcategory Category Code : Text``, e.g.
``src/Main.cs(17,20): warning CS0168: text [/repo/src/Game.csproj]``. Real logs add quirks, all
handled here:

- ANSI colour escapes and parallel-build node prefixes (``  2>``, ``17:4>``) are stripped;
- the console logger wraps long lines at the console width (even inside ``error`` / ``CS1056`` or
  the project path): a line that starts a diagnostic but does not parse completely is joined with
  the following lines until it does;
- the end-of-build summary repeats every warning and error: diagnostics are de-duplicated;
- origins without a file (``MSBUILD :``, ``EXEC :``, ``CSC :``), locations ``(line)``,
  ``(line,col)``, ``(line,col-col)``, ``(line,col,line,col)``, codes written inside the text
  (``EXEC : warning : NU1902: ...``) and a UTF-8 BOM at the start.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
NODE_PREFIX = re.compile(r"^\s*\d+(?::\d+)?>")
_ORIGIN = r"(?P<origin>(?:[A-Za-z]:)?[^:\[\]]*?)"
_LOC = r"(?:\((?P<loc>\d+(?:[,-]\d+){0,3})\))?"
DIAGNOSTIC = re.compile(
    r"^\s*(?:" + _ORIGIN + r"\s*" + _LOC + r"\s*:\s*)?"
    r"(?:(?P<sub>[^:]*?)\s+)?"
    r"(?P<severity>error|warning|info)"
    r"(?:\s+(?P<code>[A-Za-z]+\d+))?\s*:\s*"
    r"(?P<message>.*?)"
    r"(?:\s+\[(?P<project>[^\[\]]+)\])?\s*$"
)
# The start of a diagnostic, to recognise a line the console logger wrapped.
HEAD = re.compile(r"^\s*" + _ORIGIN + r"\s*" + _LOC + r"\s*:\s*(?:[^:]*?\s+)?(?:error|warning)(?:\s+[A-Za-z]+\d+|\s*:|\s*$)")
CODE_IN_TEXT = re.compile(r"^(?P<code>[A-Z]{1,4}\d{3,5})\s*:\s*(?P<rest>.*)$")
MAX_WRAP = 6

# NuGet restore failures worth a retry: the feed was unreachable, not the code broken.
TRANSIENT_CODES = {"NU1301"}
TRANSIENT_TEXT = re.compile(
    r"Unable to load the service index|The SSL connection could not be established|"
    r"A connection attempt failed|No such host is known|Name or service not known|"
    r"Response status code does not indicate success: 5\d\d|The operation was canceled",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Diagnostic:
    file: str | None
    line: int | None
    column: int | None
    severity: str  # error | warning | info
    code: str | None
    message: str
    project: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        where = self.file or "(build)"
        if self.line is not None:
            where += f"({self.line}" + (f",{self.column}" if self.column is not None else "") + ")"
        return f"{where}: {self.severity} {self.code or ''}: {self.message}".replace("  ", " ")


def clean(line: str) -> str:
    """Strip a BOM, ANSI escapes and a parallel-build node prefix."""
    line = ANSI.sub("", line.lstrip("\ufeff")).rstrip("\r\n")
    return NODE_PREFIX.sub("", line, count=1)


def _parse(line: str) -> Diagnostic | None:
    m = DIAGNOSTIC.match(line)
    if not m:
        return None
    origin = (m["origin"] or "").strip()
    code = m["code"]
    message = m["message"].strip()
    if not code:
        c = CODE_IN_TEXT.match(message)
        if c:
            code, message = c["code"], c["rest"].strip()
    line_no = col = None
    if m["loc"]:
        nums = [int(n) for n in re.split(r"[,-]", m["loc"])]
        line_no = nums[0]
        if "," in m["loc"] and len(nums) > 1:
            col = nums[1]
    file = origin or None
    if file and m["loc"] is None and " " not in file and not re.search(r"[\\/.]", file):
        file = None  # MSBUILD, EXEC, CSC: a tool, not a file
    project = m["project"]
    if project:
        project = project.split("::", 1)[0].strip()
    if m["project"] is None and "[" in message and "]" not in message[message.rindex("["):]:
        return None  # the project path was cut by a wrap
    return Diagnostic(file, line_no, col, m["severity"], code, message, project)


SUMMARY_START = re.compile(r"^\s*(Build succeeded\.|Build FAILED\.)\s*$")


def parse_lines(lines: Iterable[str]) -> list[Diagnostic]:
    """Every diagnostic of a build log, in order of appearance, without the summary's repeats.

    After ``Build succeeded.`` / ``Build FAILED.`` MSBuild lists every warning and error again;
    each summary line cancels one earlier identical diagnostic (the same warning raised by two
    configurations is still reported twice, as MSBuild counts it), and only summary lines with
    no earlier twin are added.
    """
    out: list[Diagnostic] = []
    unmatched: Counter[Diagnostic] = Counter()
    in_summary = False
    buffered: list[str] = []

    def emit(d: Diagnostic | None) -> None:
        if d is None:
            return
        if in_summary and unmatched[d] > 0:
            unmatched[d] -= 1
            return
        out.append(d)
        if not in_summary:
            unmatched[d] += 1

    for raw in lines:
        line = clean(raw)
        if SUMMARY_START.match(line):
            in_summary = True
            buffered = []
            continue
        if buffered:
            if HEAD.match(line) or not line.strip():
                buffered = []  # the pending start never completed; start afresh
            else:
                buffered.append(line)
                d = _parse("".join(buffered))
                if d is not None:
                    emit(d)
                    buffered = []
                elif len(buffered) >= MAX_WRAP:
                    buffered = []
                continue
        d = _parse(line)
        if d is not None:
            emit(d)
        elif HEAD.match(line):
            buffered = [line]
    return out


def parse_text(text: str) -> list[Diagnostic]:
    return parse_lines(text.splitlines())


def errors(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.severity == "error"]


def is_transient(diags: Iterable[Diagnostic], lines: Iterable[str] = ()) -> bool:
    """True when the build failed only because a package feed was unreachable (retry it).

    A compile error (or any other error) is never transient: it fails at once.
    """
    errs = errors(diags)
    if errs:
        return all(d.code in TRANSIENT_CODES or TRANSIENT_TEXT.search(d.message) for d in errs)
    return any(TRANSIENT_TEXT.search(clean(ln)) for ln in lines)
