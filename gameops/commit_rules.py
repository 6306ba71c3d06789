"""Commit-message rules: the commit-msg hook's validation and its analysis of a rejected message.

The grammar is the conventional-commit header of :mod:`gameops.conventional`, made strict:
a lowercase configured type, an optional work-item scope (``feat(VS_003): ...``), an optional
``!``, a colon, one space and a description, the first line at most 72 characters, and a
blank second line when there is a body. Merge, Revert, fixup!/squash!/amend! messages pass.

A rejected message gets an analysis that names each problem (uppercase type, missing colon,
unknown type, bad scope, too long, no space after the colon, empty description) and, when the
problems are mechanical, the corrected first line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gameops import conventional

# Defaults shared with gameops.config.GitConfig (the hooks read them without pydantic).
DEFAULT_TYPES = ("feat", "fix", "tech", "docs", "test", "perf", "build", "ci", "chore", "refactor", "style", "revert")
DEFAULT_WORK_ITEM = conventional.WORK_ITEM_PATTERN
DEFAULT_MAX_SUBJECT = 72

SCISSORS = "------------------------ >8 ------------------------"
# Words people type instead of a configured type.
TYPE_ALIASES = {"feature": "feat", "features": "feat", "bugfix": "fix", "bug": "fix", "hotfix": "fix", "doc": "docs",
                "tests": "test", "testing": "test", "refactoring": "refactor", "performance": "perf", "chores": "chore"}


@dataclass
class Rules:
    types: tuple[str, ...] = DEFAULT_TYPES
    work_item_pattern: str = DEFAULT_WORK_ITEM
    max_subject_length: int = DEFAULT_MAX_SUBJECT
    any_scope: bool = False  # True: any scope without spaces, not only work items


@dataclass
class Problem:
    code: str  # uppercase-type, missing-colon, unknown-type, bad-scope, too-long, no-space-after-colon, empty-description, ...
    text: str


@dataclass
class Verdict:
    ok: bool
    kind: str  # conventional, merge, revert, fixup, empty, rejected
    subject: str = ""
    problems: list[Problem] = field(default_factory=list)
    suggestion: str | None = None  # corrected first line, when the fix is mechanical
    commit: conventional.Commit | None = None

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def clean(message: str, comment_char: str = "#") -> str:
    """The message as git will store it: comment lines and everything below the scissors dropped."""
    lines: list[str] = []
    for line in message.replace("\r\n", "\n").split("\n"):
        if comment_char and line.startswith(comment_char):
            if line[len(comment_char):].strip() == SCISSORS:
                break
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip("\n")


def _scope_ok(scope: str, rules: Rules) -> bool:
    if rules.any_scope:
        return bool(scope) and not any(ch.isspace() for ch in scope)
    return re.fullmatch(rules.work_item_pattern, scope) is not None


# The release commit gameops writes (CHANGELOG.md of a release): the conventional-changelog
# convention, accepted although "release" is not a work item. Exactly this form, nothing else.
RELEASE_SUBJECT = re.compile(r"chore\(release\): v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.\-]+)?(?:\+[0-9A-Za-z.\-]+)?")


def release_subject(version: str) -> str:
    """The subject of gameops' release commit: ``chore(release): 1.4.0``."""
    return f"chore(release): {version}"


# Stricter than conventional's parser (which reads history as it is): lowercase types only.
_HEADER = re.compile(r"^(?P<type>[a-z]+)(?:\((?P<scope>[^()]*)\))?(?P<bang>!)?: (?P<desc>\S.*)$")


def validate(message: str, rules: Rules | None = None, comment_char: str = "#") -> Verdict:
    """Check a whole commit message (as found in the commit-msg hook's file)."""
    rules = rules or Rules()
    text = clean(message, comment_char)
    lines = text.split("\n")
    subject = lines[0].strip() if text else ""
    if not subject:
        # git aborts an empty message by itself ("Aborting commit due to empty commit message").
        return Verdict(True, "empty")
    if conventional.is_merge(subject):
        return Verdict(True, "merge", subject)
    if conventional.is_revert(subject):
        return Verdict(True, "revert", subject)
    if conventional.is_fixup(subject):
        return Verdict(True, "fixup", subject)
    problems, suggestion = analyze(subject, rules)
    if len(lines) > 1 and lines[1].strip():
        problems.append(Problem("body-not-separated", "the second line must be empty: the body starts after a blank line"))
    if problems:
        return Verdict(False, "rejected", subject, problems, suggestion if suggestion != subject else None)
    return Verdict(True, "conventional", subject, commit=conventional.parse(text))


def analyze(subject: str, rules: Rules | None = None) -> tuple[list[Problem], str | None]:
    """Every problem of a first line, and the corrected line when the fix is mechanical."""
    rules = rules or Rules()
    problems: list[Problem] = []
    m = _HEADER.match(subject)
    scope_ok = m is not None and (m.group("scope") is None or _scope_ok(m.group("scope"), rules)
                                  or ("chore" in rules.types and RELEASE_SUBJECT.fullmatch(subject) is not None))
    if m and m.group("type") in rules.types and scope_ok:
        if len(subject) > rules.max_subject_length:
            problems.append(_too_long(subject, rules))
        return problems, None

    fixable = True
    word = re.match(r"[A-Za-z]+", subject)
    if not word:
        problems.append(Problem("no-type", f"the first line must start with a type ({', '.join(rules.types)}), then a colon"))
        return problems, None
    typ = word.group(0)
    after_word = subject[len(typ):].lstrip()
    if typ.lower() not in rules.types and typ.lower() not in TYPE_ALIASES and not after_word.startswith(("(", "!", ":")):
        problems.append(Problem("no-type", f"the first line must start with a type and a colon, e.g. "
                                           f"'{rules.types[0] if rules.types else 'feat'}: {subject[:40]}'"))
        if len(subject) > rules.max_subject_length:
            problems.append(_too_long(subject, rules))
        return problems, None
    fixed_type = typ
    if typ.lower() in rules.types:
        if typ != typ.lower():
            problems.append(Problem("uppercase-type", f"the type '{typ}' must be lowercase: '{typ.lower()}'"))
            fixed_type = typ.lower()
    else:
        alias = TYPE_ALIASES.get(typ.lower())
        import difflib

        close = [alias] if alias in rules.types else difflib.get_close_matches(typ.lower(), rules.types, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(Problem("unknown-type", f"'{typ}' is not a commit type{hint}; use one of: {', '.join(rules.types)}"))
        if close:
            fixed_type = close[0]
        else:
            fixable = False
    rest = subject[len(typ):]

    fixed_scope = ""
    if rest.startswith("("):
        close_at = rest.find(")")
        if close_at < 0:
            problems.append(Problem("bad-scope", "the scope is not closed: a ')' is missing"))
            return problems, None
        scope = rest[1:close_at]
        rest = rest[close_at + 1:]
        if not scope.strip():
            problems.append(Problem("bad-scope", "the scope '()' is empty: put a work item in it (e.g. VS_003) or drop the parentheses"))
        elif not _scope_ok(scope, rules):
            if not rules.any_scope and re.fullmatch(rules.work_item_pattern, scope.strip().upper()):
                problems.append(Problem("bad-scope", f"the scope '{scope}' must be written '{scope.strip().upper()}'"))
                fixed_scope = f"({scope.strip().upper()})"
            else:
                what = "without spaces" if rules.any_scope else "a work item like VS_003, BR_012 or TD_042 (git.work_item_pattern)"
                problems.append(Problem("bad-scope", f"the scope '{scope}' is not {what}; use one or leave the scope out"))
                fixable = False
        else:
            fixed_scope = f"({scope})"
    bang = ""
    if rest.startswith("!"):
        bang, rest = "!", rest[1:]

    if rest.startswith(":"):
        after = rest[1:]
    elif rest.lstrip().startswith(":"):
        problems.append(Problem("space-before-colon", "no space before the colon: write 'type: description'"))
        after = rest.lstrip()[1:]
    else:
        problems.append(Problem("missing-colon", f"a colon must follow the type{' and scope' if fixed_scope else ''}: "
                                                 f"'{fixed_type}{fixed_scope}{bang}: description'"))
        after = " " + re.sub(r"^[\s\-:]+", "", rest)

    description = after.strip()
    if not description:
        problems.append(Problem("empty-description", "the description after the colon is empty: say what the commit does"))
        fixable = False
    elif not after.startswith(" "):
        problems.append(Problem("no-space-after-colon", "put one space after the colon: 'type: description'"))

    suggestion = f"{fixed_type}{fixed_scope}{bang}: {description}" if fixable else None
    if len(subject) > rules.max_subject_length:
        problems.append(_too_long(subject, rules))
    if suggestion and len(suggestion) > rules.max_subject_length:
        suggestion = None
    return problems, suggestion


def _too_long(subject: str, rules: Rules) -> Problem:
    return Problem("too-long", f"the first line is {len(subject)} characters, at most {rules.max_subject_length} are allowed "
                               "(git.max_subject_length): move details to the body, after a blank line")


def rejection_text(verdict: Verdict, rules: Rules | None = None, message_file: str | None = None) -> str:
    """What the commit-msg hook prints when it refuses a message."""
    rules = rules or Rules()
    out = ["Commit message refused: it is not a conventional commit.", f"    {verdict.subject}", "What is wrong:"]
    out += [f"  - {p.text}" for p in verdict.problems]
    if verdict.suggestion:
        out += ["Did you mean:", f"    {verdict.suggestion}"]
    scope = "any word without spaces" if rules.any_scope else "a work item (VS_003, BR_012, TD_042) or none"
    out += [
        f"Expected: <type>(<scope>): <description>, first line at most {rules.max_subject_length} characters",
        f"  types: {', '.join(rules.types)}",
        f"  scope: {scope}; '!' before the colon marks a breaking change",
        "Examples:",
        "    feat(VS_003): snap blocks to the grid",
        "    fix(BR_012): keep the score when a merge fails",
        "    docs: explain the release flow",
    ]
    if message_file:
        out.append(f"Your message is kept: edit it with  git commit -e -F {message_file}")
    return "\n".join(out)
