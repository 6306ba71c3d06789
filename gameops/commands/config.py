"""gameops config show | config schema."""

from __future__ import annotations

import json

from gameops.console import esc


def register(sub, parents) -> None:
    p = sub.add_parser("config", parents=parents, help="show the effective config or its JSON Schema")
    s = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = s.add_parser("show", parents=parents, help="effective config and where each value came from")
    show.set_defaults(handler=run_show)
    schema = s.add_parser("schema", parents=parents, help="JSON Schema of gameops.yaml (for editor completion)")
    schema.set_defaults(handler=run_schema)


def run_show(args, ctx) -> int:
    from gameops.config import effective, public_dump

    loaded = ctx.loaded()
    rows = effective(loaded)
    if ctx.json:
        ctx.emit_json({
            "root": str(loaded.root),
            "file": str(loaded.file) if loaded.file else None,
            "assumptions": loaded.assumptions,
            "config": public_dump(loaded),
            "sources": {k: s for k, _, s in rows},
        })
        return 0
    ctx.say(f"project: {esc(loaded.root)}")
    ctx.say(f"config file: {esc(loaded.file or '(none: defaults and detection)')}")
    for note in loaded.assumptions:
        ctx.say(f"[yellow]{esc(note)}[/yellow]", markup=True)
    ctx.table(None, ["key", "value", "from"], [
        (k, json.dumps(v, ensure_ascii=False), s) for k, v, s in rows
    ])
    return 0


def run_schema(args, ctx) -> int:
    from gameops.config import json_schema

    ctx.emit_json(json_schema())
    return 0
