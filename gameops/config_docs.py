"""The configuration reference (docs/configuration.md), written from the pydantic model itself.

``python -m gameops.config_docs > docs/configuration.md``; a test keeps the file current.
"""

from __future__ import annotations

import json
import sys

from pydantic import BaseModel

from gameops.config import GameopsConfig


def _default(model: type[BaseModel], name: str) -> str:
    info = model.model_fields[name]
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]  # gameops factories take no argument
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "(section)"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        value = [v.model_dump(mode="json") for v in value]
    text = json.dumps(value, ensure_ascii=False)
    return f"`{text}`".replace("|", "\\|")  # a regex alternation must not end the table cell


def render() -> str:
    out = [
        "# gameops.yaml reference",
        "",
        "Written from the configuration model (`python -m gameops.config_docs > docs/configuration.md`).",
        "Every key can also be set with an environment variable `GAMEOPS_<SECTION>__<KEY>`",
        "(values parsed as YAML: numbers, booleans, `[lists]`); `gameops config show` prints the",
        "effective value of each key and where it came from, `gameops config schema` the JSON Schema.",
        "",
        "gameops.yaml is read as untrusted input: a file over 1 MiB (1/32 of `GAMEOPS_MAX_INPUT_MB`),",
        "a FIFO, device or folder, a dangling or looping symlink, a symlink leading out of the project,",
        "nesting deeper than 64 levels, more than 100,000 values once aliases are expanded (alias",
        "bombs), recursive aliases, duplicate keys and any tag but YAML's standard ones (`!!python/...`)",
        "are refused with one line naming the file and line (exit 2). Anchors, aliases and `<<:` merge",
        "keys work. Secrets (`redact`, `alerts.webhook_url`, the password in `server.database`) are",
        "masked by `gameops config show` and redacted from every output and log.",
        "",
    ]
    top = GameopsConfig
    plain = []
    for name, info in top.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            section = ann
            out.append(f"## `{name}:`")
            if section.__doc__ and not section.__doc__.startswith("!!!"):
                doc = section.__doc__.strip()
                if not doc.startswith("Usage docs"):
                    out += ["", doc]
            out += ["", "| key | default | meaning |", "| --- | --- | --- |"]
            for key, finfo in section.model_fields.items():
                desc = (finfo.description or "").replace("|", "\\|")
                out.append(f"| `{name}.{key}` | {_default(section, key)} | {desc} |")
            out.append("")
        else:
            plain.append((name, info))
    if plain:
        out += ["## Top-level keys", "", "| key | default | meaning |", "| --- | --- | --- |"]
        for name, info in plain:
            desc = (info.description or "").replace("|", "\\|")
            out.append(f"| `{name}` | {_default(top, name)} | {desc} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render())
