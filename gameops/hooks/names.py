"""The git hooks gameops knows, in the order it installs them.

A module of its own (no imports) so that both the full config (:mod:`gameops.config`, whose
``git.hooks`` default and check use it) and the hooks' fast settings reader
(:mod:`gameops.hooks.settings`, which falls back to the full config) can use it without
importing each other in a circle.
"""

HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "pre-push", "post-checkout")
