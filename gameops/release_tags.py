"""A repository's release tags: which tags name versions, the scheme new tags follow, the previous
release, and the tags a new release may not go back behind.

A release tag is ``<prefix><semantic version>``: no prefix (``3.6.0``), ``v``/``V`` (``v1.2.3``),
or a project prefix (letters first, ending in ``-``, ``_`` or ``/``, optionally then ``v``:
``game-1.2.3``, ``release/v1.2.3``). Pre-release and build text are part of the version
(``v1.0.0-alpha+build.5``). Every other tag (``latest``, ``demo``, ``1.2``, ``godot-4.4``) is not a
release and is ignored.

The scheme: a configured ``release.tag_prefix`` names it; else it is detected from the tags
(the prefix of the highest release tag, ``v`` when there is none). Tags count as this project's
releases when their prefix is ``v``, ``V``, none, or the scheme's; when detected, also the
repository's one project prefix (``game-``) of an earlier era. Several project prefixes look like
a monorepo: only the highest one's counts and the reason says to configure ``release.tag_prefix``.

Order is semver precedence (build text ignored), never the date: the previous release is the
highest version reachable from HEAD, and a pre-release counts as the previous release only for
a pre-release. One ``git for-each-ref`` lists the tags; reachability is asked of git for the
highest candidates only (``merge-base --is-ancestor``, usually once), falling back to one
``for-each-ref --merged`` when many higher tags are on other branches.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from gameops import git as gitops
from gameops.version import Version, try_parse

GENERIC = frozenset({"", "v", "V"})
DEFAULT_PREFIX = "v"
_PROJECT_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*[-_/][vV]?")


@lru_cache(maxsize=8192)
def split(name: str) -> tuple[str, Version] | None:
    """``(prefix, version)`` of a release tag name, or None when the tag names no version.

    Cached: config loading, notes and release each look at every tag name of the repository.
    """
    for i, ch in enumerate(name):
        if not ch.isdigit() or (i and name[i - 1] not in "-_/vV"):
            continue
        prefix = name[:i]
        if prefix not in GENERIC and not _PROJECT_PREFIX.fullmatch(prefix):
            continue
        rest = name[i:]
        if rest.strip() != rest:
            continue
        version = try_parse(rest)
        if version is not None:
            return prefix, version
    return None


def shown(prefix: str) -> str:
    """A prefix as a tag pattern, for messages: ``v1.2.3``, ``1.2.3``, ``game-1.2.3``."""
    return f"{prefix}1.2.3"


@dataclass(frozen=True)
class ReleaseTag:
    name: str
    prefix: str
    version: Version
    commit: str  # "" when only the name was read

    def order(self) -> tuple:
        """By semver precedence; the same version (``v3.6.0`` and ``3.6.0``): by name, so the
        choice never depends on dates or listing order."""
        return (self.version.sort_key(), self.name)


def from_refs(refs: Iterable[gitops.TagRef]) -> list[ReleaseTag]:
    """The refs that name a version (any prefix), as release tags."""
    out = []
    for r in refs:
        found = split(r.name)
        if found:
            out.append(ReleaseTag(r.name, found[0], found[1], r.commit))
    return out


def from_names(names: Iterable[str]) -> list[ReleaseTag]:
    return from_refs(gitops.TagRef(n, "") for n in names)


def highest(tags: Iterable[ReleaseTag]) -> ReleaseTag | None:
    return max(tags, key=ReleaseTag.order, default=None)


@dataclass(frozen=True)
class Scheme:
    """How this project's release tags are written, and which tags count as its releases."""

    prefix: str  # new tags are <prefix><version>
    accepted: frozenset[str]
    configured: bool
    why: str  # how the prefix was decided: what `config show` prints

    def accepts(self, tag: ReleaseTag) -> bool:
        return tag.prefix in self.accepted

    def tag_for(self, version: Version | str) -> str:
        return f"{self.prefix}{version}"

    def highest_of(self, names: Iterable[str]) -> ReleaseTag | None:
        """The highest of the tag ``names`` that is one of this project's releases (commit unknown)."""
        return highest(t for t in from_names(names) if self.accepts(t))


def detect(tags: Sequence[ReleaseTag], configured: str | None = None) -> Scheme:
    """The scheme: ``configured`` when given, else the prefix of the highest release tag."""
    if configured is not None:
        return Scheme(configured, GENERIC | {configured}, True, "configured")
    if not tags:
        return Scheme(DEFAULT_PREFIX, GENERIC, False, "no release tags yet")
    top = highest(tags)
    assert top is not None
    project = sorted({t.prefix for t in tags} - GENERIC)
    accepted = GENERIC | ({project[0]} if len(project) == 1 else {top.prefix})
    counts = Counter(t.prefix for t in tags if t.prefix in accepted)
    styles = ", ".join(f"{n} like {shown(p)}" for p, n in sorted(counts.items(), key=lambda pn: (-pn[1], pn[0])))
    why = f"highest release tag {top.name}, of {sum(counts.values())}: {styles}"
    ignored = [p for p in project if p not in accepted]
    if ignored:
        why += f"; other prefixes ignored: {', '.join(ignored)} (set release.tag_prefix to choose)"
    return Scheme(top.prefix, accepted, False, why)


# More higher tags than this on other branches: ask git for every reachable tag at once.
_ANCESTRY_CHECKS = 8


@dataclass
class Releases:
    """The project's release tags (all of the repository) and which are reachable from ``rev``."""

    scheme: Scheme
    tags: list[ReleaseTag] = field(default_factory=list)
    root: Path | None = None
    rev: str = "HEAD"
    _reachable: dict[str, bool] = field(default_factory=dict, repr=False)
    _all_known: bool = False

    def reaches(self, tag: ReleaseTag) -> bool:
        """Whether ``rev`` reaches ``tag``; asked of git once per tag, or once for all tags."""
        if tag.name not in self._reachable:
            if self.root is None:
                return False
            if len(self._reachable) >= _ANCESTRY_CHECKS and not self._all_known:
                merged = {r.name for r in gitops.list_tags(self.root, merged=self.rev)}
                self._reachable.update({t.name: t.name in merged for t in self.tags})
                self._all_known = True
            else:
                self._reachable[tag.name] = gitops.is_ancestor(self.root, tag.commit, self.rev)
        return self._reachable[tag.name]

    def _highest_reachable(self, wanted) -> ReleaseTag | None:
        for t in sorted(self.tags, key=ReleaseTag.order, reverse=True):
            if wanted(t) and self.reaches(t):
                return t
        return None

    def previous(self, *, prerelease: bool = False, below: Version | None = None) -> ReleaseTag | None:
        """The highest release reachable from ``rev`` (below ``below`` when given).

        Pre-releases count only when the next release is one (``prerelease``).
        """
        return self._highest_reachable(
            lambda t: (prerelease or not t.version.prerelease) and (below is None or t.version < below))

    def bump_base(self) -> Version | None:
        """What ``--bump`` counts from: the highest reachable release, or a pre-release above it
        (``1.4.0-rc.2`` after ``1.3.0``: a fix then releases ``1.4.0``, not ``1.3.1``)."""
        top = self._highest_reachable(lambda t: True)
        return top.version if top else None

    def at(self, commit: str) -> list[ReleaseTag]:
        """Release tags on ``commit``, highest first."""
        return sorted((t for t in self.tags if t.commit == commit), key=ReleaseTag.order, reverse=True)

    def not_above(self, version: Version, commit: str) -> list[ReleaseTag]:
        """Existing release tags (any accepted prefix, reachable or not) that ``version`` does not go
        beyond, highest first. None when a tag of this very version is on ``commit`` already (a rerun)."""
        key = version.sort_key()
        if any(t.version.sort_key() == key for t in self.at(commit)):
            return []
        return sorted((t for t in self.tags if t.version.sort_key() >= key), key=ReleaseTag.order, reverse=True)


def read(root: Path, configured: str | None = None, rev: str = "HEAD") -> Releases:
    """The release tags of the repository at ``root``; which of them ``rev`` reaches is asked lazily."""
    every = from_refs(gitops.list_tags(root))
    scheme = detect(every, configured)
    return Releases(scheme, [t for t in every if scheme.accepts(t)], root, rev)


def detect_prefix(root: Path) -> Scheme | None:
    """The detected scheme of the repository at ``root``, or None when it has no release tags."""
    tags = from_names(gitops.tag_names(root))
    return detect(tags) if tags else None
