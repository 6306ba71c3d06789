"""Release notes from conventional commits, and the CHANGELOG.md they are prepended to.

Speed is part of the contract (``gameops notes`` answers without Prefect): the whole history is
read with ONE ``git log`` call whose custom format carries the sha, author, time, parents, tag
decorations and message of every commit, so releases are found by walking that one stream, not
by one git call per tag. ``--unreleased`` reads only the commits after the previous release: the
highest release version reachable from HEAD, whatever its tag scheme (gameops/release_tags.py).

Grouping: ``release.sections`` maps a commit type to a section title, in display order.
Breaking changes come first, whatever their type. Noise is skipped: merges, fixup!/squash!,
``chore(release)``, ``chore(deps)``, types without a section, messages that are not
conventional. Work-item ids (VS_010, BR_016, TD_089, VS_003B-1) link to the item's heading in the
backlog or any archive file (VS_003B never links to VS_003B-1). Contributors: authors and
``Co-authored-by:`` co-authors, bots excluded (``release.bot_pattern``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameops import conventional, release_tags
from gameops import git as gitops
from gameops.errors import BadInput
from gameops.git import git
from gameops.version import Version, next_version

_F, _R = "\x1f", "\x1e"
LOG_FORMAT = "%H%x1f%an%x1f%at%x1f%P%x1f%D%x1f%B%x1e"
BREAKING_TITLE = "Breaking Changes"


@dataclass
class LogEntry:
    sha: str
    author: str
    time: int
    merge: bool
    tags: list[str]
    message: str


def read_log(root: Path, revs: Sequence[str] = ("HEAD",)) -> list[LogEntry]:
    """Commits of ``revs`` (newest first) with their tag decorations: one ``git log`` call."""
    if not revs:
        return []
    out = git(root, "-c", "log.showSignature=false", "log", "--decorate-refs=refs/tags/", f"--format={LOG_FORMAT}", "--end-of-options", *revs, "--")
    entries: list[LogEntry] = []
    for record in out.split(_R):
        record = record.lstrip("\n")
        if not record:
            continue
        sha, author, at, parents, deco, message = record.split(_F, 5)
        tags = [d[5:] for d in deco.split(", ") if d.startswith("tag: ")] if deco else []
        entries.append(LogEntry(sha, author, int(at or 0), " " in parents.strip(), tags, message.rstrip("\n")))
    return entries


# ---------------------------------------------------------------------------
# Work items


def _anchor(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation and emoji dropped, spaces to dashes."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


class WorkItemLinks:
    """Links for work-item ids: a configured URL template, else the item's heading in the backlog."""

    def __init__(self, root: Path, files: Sequence[str] = (), template: str | None = None) -> None:
        self.root = root
        self.files = list(files)
        self.template = template
        self._headings: dict[str, str] | None = None

    def _scan(self) -> dict[str, str]:
        if self._headings is None:
            self._headings = {}
            for rel in self.files:
                try:
                    from gameops.fileops import read_input_bytes  # only when a backlog is read

                    text = read_input_bytes(self.root / rel, rel, within=self.root).decode("utf-8-sig", errors="replace")
                except BadInput:  # a link to a missing heading is better than a refused release
                    continue
                for m in re.finditer(r"^#{1,6}\s+(.*)$", text, re.M):
                    heading = m.group(1)
                    for item in conventional.WORK_ITEM.findall(heading):
                        self._headings.setdefault(item, f"{Path(rel).as_posix()}#{_anchor(heading)}")
        return self._headings

    def url(self, item: str) -> str | None:
        if self.template:
            return self.template.format(id=item, id_lower=item.lower())
        if not self.files:
            return None
        return self._scan().get(item) or Path(self.files[0]).as_posix()

    def markdown(self, item: str) -> str:
        url = self.url(item)
        return f"[{item}]({url})" if url else item


# ---------------------------------------------------------------------------
# Notes


@dataclass
class Entry:
    sha: str
    subject: str
    description: str
    type: str | None
    scope: str | None
    breaking: bool
    breaking_notes: list[str]
    work_items: list[str]
    author: str

    @property
    def breaking_note(self) -> str | None:
        return self.breaking_notes[0] if self.breaking_notes else None

    def as_dict(self) -> dict[str, Any]:
        return {"sha": self.sha, "subject": self.subject, "scope": self.scope, "breaking": self.breaking,
                "work_items": list(self.work_items), "type": self.type, "author": self.author}


@dataclass
class Section:
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Notes:
    version: str | None
    previous_tag: str | None
    date: int | None = None
    sections: list[Section] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    commits: list[conventional.Commit] = field(default_factory=list)  # every conventional commit, noise too (for --bump)
    base: Version | None = None  # what --bump counts from (release_tags.Releases.bump_base)

    @property
    def empty(self) -> bool:
        return not any(s.entries for s in self.sections)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "previous_tag": self.previous_tag,
            "date": _iso_date(self.date),
            "sections": [{"title": s.title, "entries": [e.as_dict() for e in s.entries]} for s in self.sections],
            "contributors": list(self.contributors),
        }


def _iso_date(epoch: int | None) -> str | None:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch)) if epoch else None


def is_noise(entry: LogEntry, commit: conventional.Commit) -> bool:
    subject = commit.subject
    if entry.merge or conventional.is_merge(subject) or conventional.is_fixup(subject):
        return True
    if commit.type == "chore" and commit.scope and (commit.scope == "release" or commit.scope.startswith("deps")):
        return True
    return False


DEFAULT_BOT_PATTERN = conventional.DEFAULT_BOT_PATTERN
_NAME_EMAIL = re.compile(r"^(?P<name>.*?)\s*(?:<(?P<email>[^>]*)>)?$")


def _person(who: str) -> str:
    """The name of ``Name <email>`` (the email when there is no name)."""
    m = _NAME_EMAIL.match(who.strip())
    return (m.group("name") or m.group("email") or "").strip() if m else who.strip()


def build_notes(entries: Sequence[LogEntry], sections: dict[str, str], *, version: str | None = None,
                previous_tag: str | None = None, date: int | None = None, bots: str | None = None) -> Notes:
    """Group ``entries`` (newest first, as git log gives them) into sections, oldest first within each.

    Contributors are the authors and the ``Co-authored-by:`` co-authors of the listed commits,
    each name once, less those matching ``bots`` (a regex searched in ``Name <email>``; default
    :data:`DEFAULT_BOT_PATTERN`). A breaking note already shown is not shown again."""
    bot = re.compile(bots if bots is not None else DEFAULT_BOT_PATTERN)
    titles = list(dict.fromkeys(sections.values()))
    by_title: dict[str, list[Entry]] = {t: [] for t in titles}
    breaking: list[Entry] = []
    authors: dict[str, str] = {}
    parsed: list[conventional.Commit] = []
    shown_notes: set[str] = set()
    for le in reversed(entries):
        if le.merge:
            continue  # merges are noise: skip them before paying for a parse
        c = conventional.parse(le.message)
        if not (c.conventional or c.breaking) or is_noise(le, c):
            continue
        parsed.append(c)
        title = sections.get(c.type or "")
        if title is None and not c.breaking:
            continue
        notes = [n for n in c.breaking_notes if n not in shown_notes]
        shown_notes.update(notes)
        e = Entry(le.sha, c.subject, c.description, c.type, c.scope, c.breaking, notes, c.work_items, le.author)
        (breaking if c.breaking else by_title[title]).append(e)  # type: ignore[index]
        for who in [le.author, *c.co_authors]:
            name = _person(who)
            if name and not bot.search(who) and not bot.search(name):
                authors.setdefault(name.casefold(), name)
    out = [Section(BREAKING_TITLE, breaking)] if breaking else []
    out += [Section(t, by_title[t]) for t in titles if by_title[t]]
    return Notes(version=version, previous_tag=previous_tag, date=date, sections=out,
                 contributors=sorted(authors.values(), key=str.casefold), commits=parsed)


def _item_re(item: str) -> re.Pattern[str]:
    """``item`` as a whole id: VS_003B is not the start of VS_003B-1."""
    return re.compile(rf"(?<![\w.\-]){re.escape(item)}(?!\w|[.\-]\d)")


def render_markdown(notes: Notes, links: WorkItemLinks | None = None, *, heading_level: int = 2) -> str:
    """The notes as a Markdown section: ``## [1.4.0] - 2026-01-31`` then ``### Features`` ..."""
    h = "#" * heading_level
    title = f"[{notes.version}]" if notes.version else "[Unreleased]"
    date = _iso_date(notes.date)
    lines = [f"{h} {title}" + (f" - {date}" if date else ""), ""]
    if notes.empty:
        lines += ["No notable changes.", ""]
    for section in notes.sections:
        lines += [f"{h}# {section.title}", ""]
        for e in section.entries:
            text = e.description
            if links is not None:
                for item in e.work_items:
                    text = _item_re(item).sub(lambda _m, i=item: links.markdown(i), text, count=1)
                missing = [i for i in e.work_items if not _item_re(i).search(e.description)]
                if missing:
                    text += " (" + ", ".join(links.markdown(i) for i in missing) + ")"
            scope = f"**{e.scope}:** " if e.scope else ""
            lines.append(f"- {scope}{text} ({e.sha[:7]})")
            if e.breaking:
                lines.extend(f"  {note}" for note in e.breaking_notes)
        lines.append("")
    if notes.contributors:
        lines += [f"{h}# Contributors", ""] + [f"- {a}" for a in notes.contributors] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------
# Whole history, one release, unreleased


DEFAULT_TAG_PREFIX = "v"
DEFAULT_SECTIONS = {
    "feat": "Features",
    "fix": "Bug Fixes",
    "perf": "Performance",
    "refactor": "Refactoring",
    "tech": "Technical",
    "docs": "Documentation",
    "test": "Tests",
}


@dataclass
class NotesSource:
    """What notes need from the config: the tag prefix, sections and work-item links.

    ``prefix`` None: the tag scheme is detected from the repository's tags.
    """

    root: Path
    prefix: str | None = DEFAULT_TAG_PREFIX
    sections: dict[str, str] = field(default_factory=dict)
    links: WorkItemLinks | None = None
    zero_major_bumps_minor: bool = True
    bot_pattern: str | None = None  # None: DEFAULT_BOT_PATTERN

    @classmethod
    def defaults(cls, root: Path) -> NotesSource:
        """The notes settings of a repository with no gameops.yaml and no ``GAMEOPS_*__*``
        override: the config's defaults and the detected backlog, without loading (or even
        importing) the config model. ``tests/test_notes_cmd.py`` pins it to ``from_loaded``."""
        from gameops import backlog
        from gameops.backlog import layout

        found = layout.detect(root)
        files = found[1].detected_files(root, found[0]) if found else [backlog.DEFAULT_FILE, backlog.DEFAULT_ARCHIVE]
        return cls(root=root, prefix=None, sections=dict(DEFAULT_SECTIONS), links=WorkItemLinks(root, files, None))

    @classmethod
    def from_loaded(cls, loaded) -> NotesSource:
        rc = loaded.config.release
        bl = loaded.config.backlog
        from gameops.backlog import layout

        files = layout.of(bl.layout).files(bl)
        return cls(root=loaded.root, prefix=configured_tag_prefix(loaded), sections=dict(rc.sections),
                   links=WorkItemLinks(loaded.root, files, rc.work_item_url),
                   zero_major_bumps_minor=rc.zero_major_bumps_minor, bot_pattern=rc.bot_pattern)

    def releases(self, rev: str = "HEAD") -> release_tags.Releases:
        """The project's release tags, and which of them ``rev`` reaches."""
        return release_tags.read(self.root, self.prefix, rev)

    def scheme(self) -> release_tags.Scheme:
        return release_tags.detect(release_tags.from_names(gitops.tag_names(self.root)), self.prefix)


def configured_tag_prefix(loaded) -> str | None:
    """``release.tag_prefix`` when the user set it (file or environment), None when detected or default."""
    source = loaded.sources.get("release.tag_prefix")
    return loaded.config.release.tag_prefix if source and not source.startswith("detected") else None


def history(src: NotesSource, rev: str = "HEAD") -> list[Notes]:
    """Notes of every release reachable from ``rev``, newest first, Unreleased on top when not empty."""
    entries = read_log(src.root, [rev])
    scheme = src.scheme()
    buckets: list[tuple[release_tags.ReleaseTag | None, int | None, list[LogEntry]]] = [(None, None, [])]
    for e in entries:
        tag = scheme.highest_of(e.tags) if e.tags else None
        if tag:
            buckets.append((tag, e.time, []))
        buckets[-1][2].append(e)
    out: list[Notes] = []
    for i, (tag, when, commits) in enumerate(buckets):
        if tag is None and not commits:
            continue
        previous = buckets[i + 1][0] if i + 1 < len(buckets) else None
        out.append(build_notes(commits, src.sections, version=str(tag.version) if tag else None,
                               previous_tag=previous.name if previous else None, date=when, bots=src.bot_pattern))
    return out


def for_range(src: NotesSource, rev_range: str, *, version: str | None = None, date: int | None = None) -> Notes:
    """Notes of the commits in ``A..B`` (or everything reachable from ``B``)."""
    start, sep, end = rev_range.partition("..")
    if not sep:
        start, end = "", rev_range
    end = end.lstrip(".") or "HEAD"
    entries = read_log(src.root, [rev_range if start else end])
    if version is None:
        scheme = src.scheme()
        named = scheme.highest_of([end])
        tagged = scheme.highest_of(entries[0].tags) if entries else None
        version = str(named.version) if named else (str(tagged.version) if tagged else None)
    if date is None and entries:
        date = entries[0].time
    return build_notes(entries, src.sections, version=version, previous_tag=start or None, date=date,
                       bots=src.bot_pattern)


def unreleased(src: NotesSource, rev: str = "HEAD", *, releases: release_tags.Releases | None = None) -> Notes:
    """Notes of the commits after the previous release: the highest final release reachable from ``rev``."""
    releases = releases or src.releases(rev)
    previous = releases.previous()
    entries = read_log(src.root, [f"{previous.commit}..{rev}" if previous else rev])
    notes = build_notes(entries, src.sections, previous_tag=previous.name if previous else None,
                        bots=src.bot_pattern)
    notes.base = releases.bump_base()
    return notes


def bumped(src: NotesSource, notes: Notes) -> Version | None:
    """The version ``--bump`` releases for ``notes`` (unreleased commits after ``previous_tag``)."""
    return next_version(notes.base, notes.commits, zero_major_bumps_minor=src.zero_major_bumps_minor)


# ---------------------------------------------------------------------------
# CHANGELOG.md

DEFAULT_HEADER = "# Changelog\n\nAll notable changes to this project are documented here.\n"


def has_section(text: str, version: str) -> bool:
    return re.search(rf"^##\s+\[?v?{re.escape(version)}\]?(?:\s|$)", text, re.M) is not None


def prepend(existing: str | None, section: str, version: str) -> str | None:
    """``existing`` with ``section`` inserted above the newest release; None when already there.

    Only the new section is added: running twice adds nothing.
    """
    if existing is not None and has_section(existing, version):
        return None
    text = existing if existing is not None else DEFAULT_HEADER
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    m = re.search(r"^## ", text, re.M)
    if m:
        new = text[: m.start()] + section.rstrip("\n") + "\n\n" + text[m.start():]
    else:
        new = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    return new.replace("\n", newline) if newline != "\n" else new
