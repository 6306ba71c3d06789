"""Artifacts every flow leaves in the Prefect UI: markdown summaries and tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from gameops import redaction
from gameops.prefect_api import artifact_key  # the core owns Prefect's key rule (the history reader uses it too)

__all__ = ["artifact_key", "markdown", "table"]


def markdown(key: str, body: str, description: str | None = None) -> None:
    create_markdown_artifact(key=artifact_key(key), markdown=redaction.redact(body),
                             description=redaction.redact(description) if description else description)


def table(key: str, rows: Sequence[dict[str, Any]], description: str | None = None) -> None:
    rows = [{k: redaction.redact(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
    create_table_artifact(key=artifact_key(key), table=rows,
                          description=redaction.redact(description) if description else description)
