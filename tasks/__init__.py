"""Prefect tasks: thin wrappers (retries, timeouts, caching, artifacts) around core functions."""
