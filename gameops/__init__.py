"""gameops core: plain Python, no Prefect.

Everything under this package except ``gameops.commands`` (the command line's own floor)
must stay importable in a fraction of a second and must never import ``prefect``.
"""

__version__ = "0.1.0"
