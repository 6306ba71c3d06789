"""Conventional commit messages: ``type(scope)!: description`` plus body and footers.

One parser for everyone: release notes and ``--bump`` read commits with :func:`parse`; the
commit-msg hook validates with the same grammar, made strict. History is read as it is: extra
spaces after the colon, ``BREAKING:`` / ``BREAKING CHANGE:`` subjects (breaking, no type),
breaking footers repeated by a squash body (each note once) and ``Co-authored-by:`` trailers. Work-item ids (VS_010, BR_016, TD_089,
VS_000.3) are found in the scope, the subject and the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A work-item id: VS_010, BR_016, TD_089, sub-ids VS_000.3, sub-slices VS_003A and their parts
# VS_003B-1 (VS_003B is another item). The commit-msg hook's default scope rule
# (git.work_item_pattern) is this same pattern.
WORK_ITEM_PATTERN = r"[A-Z]{2,3}_\d{3}(?:\.\d+)?[A-Z]?(?:-\d{1,2})?"
WORK_ITEM = re.compile(rf"\b({WORK_ITEM_PATTERN})(?!\w|[.\-]\d)")
_HEADER = re.compile(
    r"^(?P<type>[A-Za-z]+)"
    r"(?:\((?P<scope>[^()\r\n]*)\))?"
    r"(?P<breaking>!)?"
    r":[ \t]+(?P<description>\S.*)$"  # extra spaces after the colon are tolerated
)
# ``BREAKING: ...`` / ``BREAKING CHANGE: ...`` as a subject (history written without a type)
_BREAKING_SUBJECT = re.compile(r"^BREAKING(?:[ -]CHANGE)?[ \t]*:[ \t]*(?P<description>\S.*)$")
# footers, also as squash bodies repeat them (``* BREAKING CHANGE: ...``)
_BREAKING_FOOTER = re.compile(r"^(?:[*-][ \t]+)?BREAKING[ -]CHANGE[ \t]*:[ \t]*(?P<text>.*)$", re.M)
# Who is not a contributor: GitHub apps ("dependabot[bot]"), update bots and AI assistants
# (BlockLife's history has "Co-authored-by: Claude <noreply@anthropic.com>" in most commits).
# The default of release.bot_pattern, searched in "Name <email>".
DEFAULT_BOT_PATTERN = (r"(?i)\[bot\]|^(dependabot|renovate|github-actions|copilot|claude)\b"
                       r"|noreply@(anthropic\.com|github\.com)>")
_CO_AUTHOR = re.compile(r"^[ \t]*Co-authored-by:[ \t]*(?P<who>.+?)[ \t]*$", re.M | re.I)


@dataclass
class Commit:
    """A parsed commit message. ``type`` is lowercase; None when the subject is not conventional."""

    subject: str
    body: str = ""
    type: str | None = None
    scope: str | None = None
    description: str = ""
    breaking: bool = False
    breaking_notes: list[str] = field(default_factory=list)  # each once, in order
    work_items: list[str] = field(default_factory=list)
    co_authors: list[str] = field(default_factory=list)  # "Name <email>" of Co-authored-by trailers

    @property
    def conventional(self) -> bool:
        return self.type is not None

    @property
    def breaking_note(self) -> str | None:
        return self.breaking_notes[0] if self.breaking_notes else None


def parse(message: str) -> Commit:
    """Parse a full commit message (subject line, blank line, body, footers)."""
    lines = message.replace("\r\n", "\n").split("\n")
    subject = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    commit = Commit(subject=subject, body=body, description=subject)
    m = _HEADER.match(subject)
    if m:
        commit.type = m.group("type").lower()
        scope = m.group("scope")
        commit.scope = scope.strip() if scope and scope.strip() else None
        commit.description = m.group("description").strip()
        commit.breaking = bool(m.group("breaking"))
    b = None if m and m.group("type").upper() != "BREAKING" else _BREAKING_SUBJECT.match(subject)
    if b:  # "BREAKING: drop the old save format": breaking, no type
        commit.type, commit.scope, commit.breaking = None, None, True
        commit.description = b.group("description").strip()
    for footer in _BREAKING_FOOTER.finditer(body):
        commit.breaking = True
        note = " ".join(footer.group("text").split())
        if note and note != commit.description and note not in commit.breaking_notes:
            commit.breaking_notes.append(note)
    for who in _CO_AUTHOR.finditer(body):
        name = " ".join(who.group("who").split())
        if name not in commit.co_authors:
            commit.co_authors.append(name)
    seen: list[str] = []
    for text in (commit.scope or "", subject, body):
        for item in WORK_ITEM.findall(text):
            if item not in seen:
                seen.append(item)
    commit.work_items = seen
    return commit


def is_merge(subject: str) -> bool:
    return subject.startswith("Merge ")


def is_revert(subject: str) -> bool:
    return subject.startswith('Revert "') or subject.startswith("Revert ")


def is_fixup(subject: str) -> bool:
    return subject.startswith(("fixup! ", "squash! ", "amend! "))
