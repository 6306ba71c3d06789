"""One module per command (the command line's floor; see docs/ARCHITECTURE.md).

Each module has ``register(subparsers, parents)`` and a handler ``run(args, ctx) -> int``.
Modules import only the standard library and the core at top level; flows and Prefect are
imported inside the handler.
"""

COMMANDS = [  # in the order of DESIGN.md's command-line contract (and of --help)
    "check",
    "build",
    "test",
    "ci",
    "release",
    "notes",
    "docs",
    "backlog",
    "metrics",
    "report",
    "history",
    "hooks",
    "setup",
    "server",
    "serve",
    "deploy",
    "roi",
    "ci_config",
    "config",
]
