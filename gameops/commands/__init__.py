"""One module per command (the command line's floor; see docs/ARCHITECTURE.md).

Each module has ``register(subparsers, parents)`` and a handler ``run(args, ctx) -> int``.
Modules import only the standard library and the core at top level; flows and Prefect are
imported inside the handler.
"""

COMMANDS = [
    "check",
    "config",
    "server",
    "release",
    "notes",
    "roi",
    "ci_config",
    "deploy",
    "hooks",
    "setup",
    "build",
    "test",
    "ci",
    "report",
    "metrics",
    "backlog",
    "docs",
    "serve",
]
