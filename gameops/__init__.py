"""gameops core: plain Python, no Prefect.

Everything under this package except ``gameops.commands`` (the command line's own floor)
must stay importable in a fraction of a second and must never import ``prefect``.
"""

# The one place gameops' own version is written: pyproject.toml reads it (dynamic version),
# `gameops --version`, the deployments' version and the alerts' User-Agent use it.
__version__ = "0.1.0"

# The project's config file: its one name, for the config loader, the hooks' own reader and
# the fast paths that only ask whether it exists (notes without a config loads no pydantic).
CONFIG_FILE = "gameops.yaml"
