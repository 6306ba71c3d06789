"""Git hooks: pre-commit, commit-msg, prepare-commit-msg, pre-push, post-checkout.

Installed hooks run ``python -m gameops.hooks NAME ...`` (see ``__main__``): a fast path that
imports neither pydantic, rich nor Prefect, so every hook answers in a few tens of ms.
``gameops hooks run NAME`` runs the same code through the full command line.
"""
