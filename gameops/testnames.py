"""Names of .NET tests as reports write them, and the method name a ``--filter`` can select.

Its own module (no gameops imports) so that the config's check of ``dotnet.quarantine`` and
:mod:`gameops.quarantine` (which builds on the config's test categories) share it without
importing each other in a circle.
"""

from __future__ import annotations

import re

NAME = re.compile(r"^[A-Za-z_][\w.+`]*$")


def method_name(test: str) -> str:
    """The fully qualified method of a test name (``Ns.C.M(x: 1)`` -> ``Ns.C.M``)."""
    return test.split("(", 1)[0].strip()
