"""Artifacts every flow leaves in the Prefect UI: markdown summaries and tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from gameops import redaction


def artifact_key(text: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "gameops"


def markdown(key: str, body: str, description: str | None = None) -> None:
    create_markdown_artifact(key=artifact_key(key), markdown=redaction.redact(body),
                             description=redaction.redact(description) if description else description)


def table(key: str, rows: Sequence[dict[str, Any]], description: str | None = None) -> None:
    rows = [{k: redaction.redact(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
    create_table_artifact(key=artifact_key(key), table=rows,
                          description=redaction.redact(description) if description else description)
