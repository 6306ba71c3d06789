"""When and where flows run: the one table of deployments (table.py), its Prefect form for
``gameops deploy`` and ``gameops serve`` (serve.py), and work pools and workers (work_pools.py)."""
