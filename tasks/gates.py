"""Quality gates as tasks: one task per gate, each returning a gameops.gates.Gate."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger

from gameops import gates
from gameops.config import Loaded
from gameops.results.model import Coverage


def _log(gate: gates.Gate) -> gates.Gate:
    logger = get_run_logger()
    (logger.info if gate.ok else logger.error)(f"{gate.name}: {gate.detail}")
    for f in gate.findings[:20]:
        logger.info(f"  {f}")
    return gate


@task(name="gate-coverage", cache_policy=NO_CACHE)
def coverage(cov: Coverage | None, minimum: float, collected: bool = True,
             not_collected: str = "not collected (run with --coverage)") -> gates.Gate:
    return _log(gates.coverage_gate(cov, minimum, collected, not_collected))


@task(name="gate-architecture", cache_policy=NO_CACHE)
def architecture(loaded: Loaded) -> gates.Gate:
    return _log(gates.architecture_gate(loaded.root, loaded.config.gates.architecture))


@task(name="gate-vulnerable-packages", cache_policy=NO_CACHE)
def vulnerable(loaded: Loaded) -> gates.Gate:
    return _log(gates.vulnerable_packages_gate(loaded))


@task(name="gate-secrets", cache_policy=NO_CACHE)
def secrets(loaded: Loaded) -> gates.Gate:
    return _log(gates.secrets_gate(loaded.root, loaded.config.gates.secret_scan))
