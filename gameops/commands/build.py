"""gameops build: dotnet build with parsed MSBuild diagnostics."""

from __future__ import annotations


def register(sub, parents) -> None:
    p = sub.add_parser("build", parents=parents, help="dotnet build the solution",
                       description="dotnet build <solution> -c <configuration>; diagnostics are parsed, de-duplicated and "
                                   "listed. Restore failures from an unreachable feed (NU1301) are retried; compile errors are not.")
    p.add_argument("--configuration", "-c", metavar="NAME", default=None, help="build configuration (default: dotnet.configuration)")
    p.set_defaults(handler=run)


def print_diagnostics(ctx, doc: dict) -> None:
    diags = doc["errors"] + doc["warnings"]
    if diags:
        ctx.table(None, ["", "code", "where", "message"], [
            (ctx.styled("error", "red") if d["severity"] == "error" else ctx.styled("warning", "yellow"), d["code"] or "",
             (d["file"] or "") + (f"({d['line']})" if d["line"] is not None else ""), d["message"]) for d in diags[:100]])


def run(args, ctx) -> int:
    doc, code = ctx.run_job("gameops.flows.build:build", configuration=args.configuration)
    if ctx.json:
        ctx.emit_json(doc)
    else:
        print_diagnostics(ctx, doc)
        msg = f"{len(doc['errors'])} error(s), {len(doc['warnings'])} warning(s)"
        ctx.say(f"[green]build succeeded[/green]: {msg}" if doc["ok"] else f"[red]build FAILED[/red]: {msg}")
    return code
