"""The one rule for names made of lowercase letters, digits and dashes.

Prefect artifact keys, block names, concurrency limits, archive names, result folders and
backlog tags all need such a name. ``slug`` turns any run of other characters into one dash;
``keep_dashes`` keeps dashes the text already has (Prefect keys written by earlier versions keep
their double dashes). ``empty`` is the name when nothing is left. Plain stdlib, cheap to import.
"""

from __future__ import annotations

import re

_OTHER = re.compile(r"[^a-z0-9]+")
_OTHER_THAN_DASH = re.compile(r"[^a-z0-9-]+")


def slug(text: str, empty: str = "", *, keep_dashes: bool = False) -> str:
    """``Block Life 2`` -> ``block-life-2``; ``empty`` when no letter or digit is left."""
    return (_OTHER_THAN_DASH if keep_dashes else _OTHER).sub("-", text.lower()).strip("-") or empty
