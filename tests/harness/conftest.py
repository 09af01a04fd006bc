"""Fixtures for the harness tests.

The task fixtures under tasks/ contain pytest files meant for *inside* a task
environment, so they are not collected here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

collect_ignore = ["tasks"]


@pytest.fixture
def need_bwrap() -> None:
    from harness.environments.local import bwrap_probe

    problem = bwrap_probe()
    if problem is not None:
        pytest.skip(
            f"local sandbox unavailable: {problem} (run `make setup` as root to install bubblewrap)"
        )
