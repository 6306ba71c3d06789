"""Release versions: semantic versions (semver.org 2.0.0) and the next version from commits.

Which tags name versions is gameops/release_tags.py's concern.

``parse("v1.4.0-rc.1")`` accepts a leading ``v``; anything that is not a semantic version is
bad input (exit 2) with a line that names the value. :func:`next_version` computes what
``--bump`` releases: ``feat`` -> minor, ``fix``/``perf`` -> patch, ``!`` or ``BREAKING CHANGE``
-> major (in 0.x a breaking change bumps the minor when ``zero_major_bumps_minor``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gameops.conventional import Commit
from gameops.errors import BadInput

_SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)

MAJOR, MINOR, PATCH = "major", "minor", "patch"
MAX_LENGTH = 128  # longer is not a version anyone means; refused before the regex or any work
INITIAL = "0.1.0"


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    @property
    def core(self) -> Version:
        return Version(self.major, self.minor, self.patch)

    def sort_key(self) -> tuple:
        """semver precedence: a pre-release sorts before its release; build metadata is ignored."""
        pre: tuple = ((1,),) if not self.prerelease else tuple(
            (0, 0, int(p), "") if p.isdigit() else (0, 1, 0, p) for p in self.prerelease
        )
        return (self.major, self.minor, self.patch, pre)

    def __lt__(self, other: Version) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: Version) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: Version) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: Version) -> bool:
        return self.sort_key() >= other.sort_key()

    def bumped(self, level: str) -> Version:
        if self.prerelease:
            # 1.4.0-rc.2 + a fix releases 1.4.0: the pre-release was already the next version,
            # unless the level asks for more than the pre-release already carries.
            base = self.core
            if level == MAJOR and (self.minor or self.patch):
                return Version(self.major + 1, 0, 0)
            if level == MINOR and self.patch:
                return Version(self.major, self.minor + 1, 0)
            return base
        if level == MAJOR:
            return Version(self.major + 1, 0, 0)
        if level == MINOR:
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)


def try_parse(text: str) -> Version | None:
    """The version in ``text`` (an optional leading ``v``), or None."""
    text = text.strip()
    if len(text) > MAX_LENGTH:
        return None
    if text[:1] in ("v", "V"):
        text = text[1:]
    m = _SEMVER.match(text)
    if not m:
        return None
    return Version(
        int(m.group("major")), int(m.group("minor")), int(m.group("patch")),
        tuple(m.group("pre").split(".")) if m.group("pre") else (),
        tuple(m.group("build").split(".")) if m.group("build") else (),
    )


def parse(text: str) -> Version:
    """Parse a release version; BadInput (exit 2) naming the value when it is not semver."""
    if len(text or "") > MAX_LENGTH:
        raise BadInput(f"version {text[:40]!r}...: {len(text)} characters, longer than {MAX_LENGTH}; not a version")
    v = try_parse(text or "")
    if v is None:
        raise BadInput(f"version {text!r}: not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.4.0, v1.4.0 or 1.4.0-rc.1)")
    return v


def bump_level(commits: Iterable[Commit]) -> str | None:
    """The largest bump the commits ask for, or None when none of them is releasable."""
    level = None
    for c in commits:
        if c.breaking:
            return MAJOR
        if c.type == "feat":
            level = MINOR
        elif c.type in ("fix", "perf") and level is None:
            level = PATCH
    return level


def next_version(current: Version | None, commits: Iterable[Commit], *, zero_major_bumps_minor: bool = True,
                 initial: str = INITIAL) -> Version | None:
    """The version ``--bump`` releases after ``current``, or None when nothing is releasable.

    Without a previous release the first version is ``initial`` (0.1.0).
    """
    level = bump_level(commits)
    if level is None:
        return None
    if current is None:
        return parse(initial)
    if level == MAJOR and current.major == 0 and zero_major_bumps_minor:
        level = MINOR
    return current.bumped(level)
