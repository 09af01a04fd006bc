"""One ``ferry sync`` at a time: an ``fcntl`` lock on a file in the sync state directory.

The kernel drops the lock when the process dies (even by SIGKILL), so a killed run never
leaves a stale lock behind; the file only records who held it last, for the message.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from harness.sync.errors import SyncBusy


class RunLock:
    """Context manager holding an exclusive, non-blocking lock on ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "unknown process"
            os.close(fd)
            raise SyncBusy(
                f"another ferry sync is running ({holder}; lock {self.path}); wait for it to "
                "finish, it releases the lock when it exits"
            ) from None
        os.ftruncate(fd, 0)
        os.write(
            fd,
            f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}".encode(),
        )
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
