"""The second share of the release kill points (see tests/test_release_kill.py): its own file, so
that the test workers of ``make test`` take the two shares side by side."""

from __future__ import annotations

import pytest
from test_release_kill import SHARES, pytestmark, sweep

__all__ = ["pytestmark"]  # the same marks: prefect, godot, slow, skipped without godot3-server


@pytest.mark.timeout(3600)
def test_sigkill_at_the_other_release_steps_then_rerun_finishes_it(gameops_cli, sample_repo, prefect, tmp_path):
    sweep(gameops_cli, sample_repo, tmp_path, 1, SHARES)
