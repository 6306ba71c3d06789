"""gameops server start | stop | status: a local Prefect server with its UI, in the background."""

from __future__ import annotations

from gameops.console import esc


def register(sub, parents) -> None:
    p = sub.add_parser("server", parents=parents, help="local Prefect server with UI (start|stop|status)")
    s = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    start = s.add_parser("start", parents=parents, help="start it in the background (pid file, health check)")
    start.add_argument("--host", default=None, help="default: server.host (127.0.0.1)")
    start.add_argument("--port", type=int, default=None, help="default: server.port (4200)")
    start.add_argument("--database", default=None, metavar="URL",
                       help="postgresql://user:pass@host:port/db for a team server; default: Prefect's SQLite")
    start.set_defaults(handler=run_start)
    stop = s.add_parser("stop", parents=parents, help="stop the server gameops started")
    stop.set_defaults(handler=run_stop)
    status = s.add_parser("status", parents=parents, help="is it running, and where")
    status.set_defaults(handler=run_status)


def _server_defaults(args, ctx):
    from gameops.config import ServerConfig

    try:
        return ctx.loaded().config.server
    except Exception:  # server commands work outside a game repository too
        return ServerConfig()


def run_start(args, ctx) -> int:
    from gameops import server

    cfg = _server_defaults(args, ctx)
    st, started = server.start(args.host or cfg.host, args.port or cfg.port, args.database or cfg.database)
    if ctx.json:
        ctx.emit_json({"running": True, "started": started, "pid": st.pid, "url": st.url, "api_url": st.api_url, "log": st.log})
    else:
        ctx.say(("started" if started else "already running") + esc(f": Prefect UI at {st.url} (pid {st.pid}, log {st.log})"))
        ctx.say(f"[dim]gameops commands now record their runs there; other tools: export PREFECT_API_URL={esc(st.api_url)}[/dim]")
    return 0


def run_stop(args, ctx) -> int:
    from gameops import server

    st = server.stop()
    if ctx.json:
        ctx.emit_json({"stopped": st is not None, "pid": st.pid if st else None})
    else:
        ctx.say(esc(f"stopped the server at {st.url} (pid {st.pid})") if st else "no server started by gameops is running")
    return 0


def run_status(args, ctx) -> int:
    from gameops import server

    st = server.running()
    if ctx.json:
        ctx.emit_json({"running": st is not None, "url": st.url if st else None, "pid": st.pid if st else None})
    else:
        ctx.say(esc(f"running: {st.url} (pid {st.pid})") if st else "not running (gameops server start)")
    return 0 if st else 1
