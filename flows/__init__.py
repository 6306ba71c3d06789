"""Prefect flows: the pipelines, composed from tasks; one module per flow."""
