"""gameops core: plain Python, no Prefect.

Everything under this package except ``gameops.commands`` (the command line's own floor)
must stay importable in a fraction of a second and must never import ``prefect``.
"""

# The one place gameops' own version is written: pyproject.toml reads it (dynamic version),
# `gameops --version`, the deployments' version and the alerts' User-Agent use it.
__version__ = "0.1.0"
