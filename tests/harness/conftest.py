"""Fixtures for the harness tests.

The task fixtures under tasks/ contain pytest files meant for *inside* a task
environment, so they are not collected here.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

collect_ignore = ["tasks"]


@pytest.fixture
def need_bwrap() -> None:
    if shutil.which("bwrap") is None:
        pytest.skip(
            "bubblewrap (bwrap) is not installed: run `make setup` as root (apt-get install bubblewrap)"
        )
