"""Skip the sandbox-dependent security tests cleanly where no sandbox can run."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(scope="session")
def bwrap_ok() -> None:
    """Skip (with the probe's reason) where the default bubblewrap sandbox cannot run."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux sandbox only runs on Linux")
    from pycodex.sandbox import sandbox_available, sandbox_mechanism

    reason = sandbox_available()
    if reason is not None:
        pytest.skip(f"sandbox unavailable on this machine: {reason}")
    if sandbox_mechanism() != "bwrap":
        pytest.skip("bubblewrap cannot run here")
