"""Strict JSON out: every document gameops prints or writes parses with any JSON parser.

Python's ``json`` writes ``NaN`` and ``Infinity`` by default, which JSON does not have (``jq``,
JavaScript and Go refuse the document). :func:`dumps` writes a non-finite number as ``null``
and never emits those tokens; the result parsers already refuse such figures (with a warning),
this is the last line of defence for every other path.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None (dicts, lists and tuples walked)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that never writes NaN or Infinity (``default=str`` unless given)."""
    kwargs.setdefault("default", str)
    return json.dumps(finite(value), allow_nan=False, **kwargs)
