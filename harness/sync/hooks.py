"""Named checkpoints where a test can kill the sync (``FERRY_SYNC_KILL_AT``).

``FERRY_SYNC_KILL_AT=after-commit:2`` makes the process SIGKILL itself when it reaches
that point, exactly as a CI runner killing the job would: no cleanup, no ``finally``.
This is how the resume tests interrupt a real ``ferry sync`` subprocess.
"""

from __future__ import annotations

import os
import signal

KILL_ENV = "FERRY_SYNC_KILL_AT"


def checkpoint(name: str) -> None:
    """Die here, without cleanup, when ``$FERRY_SYNC_KILL_AT`` names this point."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
