"""Reading YAML a user's repository gave us (``gameops.yaml``), safely and fast.

PyYAML's ``safe_load`` is safe against code execution but not against every hostile file:
an alias bomb ("billion laughs") expands to billions of values once anything walks it, a
recursive alias (``&a [*a]``) never ends, 100,000 levels of nesting exhaust the stack, and a
duplicate key silently wins over the first. :func:`load` refuses all of these with one
:class:`ConfigError` line naming the file and line, before any value is used:

- nesting deeper than :data:`MAX_DEPTH` levels (checked while composing, so a deep file stops
  at once);
- more than :data:`MAX_VALUES` values once aliases are expanded, and any recursive alias;
- a key that appears twice in one mapping;
- any tag but YAML's standard ones (``!!python/object``, ``!custom``, ...).

It returns the data and the line of every key path, for error messages. No pydantic, no rich:
the git hooks' fast path uses it too.
"""

from __future__ import annotations

from typing import Any

import yaml

from gameops.errors import ConfigError

MAX_DEPTH = 64
MAX_VALUES = 100_000

_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(_STANDARD + t for t in (
    "str", "int", "float", "bool", "null", "seq", "map", "timestamp", "binary", "merge", "omap", "pairs", "set", "value",
))


class _Refused(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader that stops composing at :data:`MAX_DEPTH` levels of nesting."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(mark.line + 1, f"nested more than {MAX_DEPTH} levels deep; refused")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _check(root: yaml.Node) -> dict[tuple[str, ...], int]:
    """Walk the composed document (aliases expanded) within the budget; the line of every key path."""
    lines: dict[tuple[str, ...], int] = {}
    count = 0
    on_path: set[int] = set()

    def walk(n: yaml.Node, path: tuple[str, ...], depth: int) -> None:
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            raise _Refused(_line(n), f"more than {MAX_VALUES} values once aliases are expanded (an alias bomb?); refused")
        if depth > MAX_DEPTH:
            raise _Refused(_line(n), f"nested more than {MAX_DEPTH} levels deep (through aliases); refused")
        if n.tag not in _ALLOWED_TAGS:
            raise _Refused(_line(n), f"unsupported YAML tag {n.tag.replace(_STANDARD, '!!')}; only plain YAML values are allowed")
        if not isinstance(n, (yaml.MappingNode, yaml.SequenceNode)):
            return
        if id(n) in on_path:
            raise _Refused(_line(n), "recursive alias (a value contains itself); refused")
        on_path.add(id(n))
        try:
            if isinstance(n, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for k, v in n.value:
                    ident = (k.tag, k.value) if isinstance(k, yaml.ScalarNode) else None
                    if ident is not None and ident[0] != _STANDARD + "merge":
                        if ident in seen:
                            dotted = ".".join((*path, str(k.value)))
                            raise _Refused(_line(k), f"duplicate key {dotted} (first at line {seen[ident]})")
                        seen[ident] = _line(k)
                    walk(k, path, depth + 1)
                    key = (*path, str(k.value))
                    lines.setdefault(key, _line(k))
                    walk(v, key, depth + 1)
            else:
                for i, v in enumerate(n.value):
                    key = (*path, str(i))
                    lines.setdefault(key, _line(v))
                    walk(v, key, depth + 1)
        finally:
            on_path.discard(id(n))

    walk(root, (), 0)
    return lines


def load(text: str, source: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Parse ``text`` (from ``source``, named in errors); returns the data and key-path lines."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            where = f"{source}:{mark.line + 1}" if mark else source
            raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
        if node is None:
            return None, {}
        lines = _check(node)
        try:
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:  # e.g. an invalid !!timestamp or !!binary value
            mark = getattr(exc, "problem_mark", None)
            where = f"{source}:{mark.line + 1}" if mark else source
            raise ConfigError(f"{where}: {getattr(exc, 'problem', None) or 'invalid YAML value'}") from None
        return data, lines
    except _Refused as exc:
        where = f"{source}:{exc.line}" if exc.line else source
        raise ConfigError(f"{where}: {exc.message}") from None
    finally:
        loader.dispose()
