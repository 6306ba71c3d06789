"""Conventional commit messages: ``type(scope)!: description`` plus body and footers.

One parser for everyone: release notes and ``--bump`` read commits with :func:`parse`; the
commit-msg hook validates with the same grammar. Work-item ids (VS_010, BR_016, TD_089,
VS_000.3) are found in the scope, the subject and the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A work-item id: VS_010, BR_016, TD_089, sub-ids VS_000.3 and sub-slices VS_003A. The commit-msg
# hook's default scope rule (git.work_item_pattern) is this same pattern.
WORK_ITEM_PATTERN = r"[A-Z]{2,3}_\d{3}(?:\.\d+)?[A-Z]?"
WORK_ITEM = re.compile(rf"\b({WORK_ITEM_PATTERN})\b")
_HEADER = re.compile(
    r"^(?P<type>[A-Za-z]+)"
    r"(?:\((?P<scope>[^()\r\n]*)\))?"
    r"(?P<breaking>!)?"
    r": (?P<description>\S.*)$"
)
_BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE: ?(?P<text>.*)$", re.M)


@dataclass
class Commit:
    """A parsed commit message. ``type`` is lowercase; None when the subject is not conventional."""

    subject: str
    body: str = ""
    type: str | None = None
    scope: str | None = None
    description: str = ""
    breaking: bool = False
    breaking_note: str | None = None
    work_items: list[str] = field(default_factory=list)

    @property
    def conventional(self) -> bool:
        return self.type is not None


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
    footer = _BREAKING_FOOTER.search(body)
    if footer:
        commit.breaking = True
        commit.breaking_note = footer.group("text").strip() or None
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
