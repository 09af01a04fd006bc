"""Transports: how lines reach the server and its messages reach the client.

``stdio://`` (the default) reads one JSON object per line from stdin and writes one per
line to stdout. Writers on several threads (the request loop, running turns) share one
lock, so lines never interleave.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from typing import Any, BinaryIO, Protocol


# ferry: codex_app_server::transport::Transport @ 1d092cb66
class Transport(Protocol):
    """A connection to one client."""

    # ferry: codex_app_server::transport::Transport::recv @ 1d092cb66
    def lines(self) -> Iterator[str]:
        """Incoming lines until the client goes away."""
        ...

    # ferry: codex_app_server::transport::Transport::send @ 1d092cb66
    def send(self, message: dict[str, Any]) -> None:
        """Write one message (thread-safe)."""
        ...


# ferry: codex_app_server::transport::stdio @ 1d092cb66
class StdioTransport:
    """Newline-delimited JSON over a pair of byte streams (stdin/stdout by default)."""

    def __init__(self, reader: BinaryIO | None = None, writer: BinaryIO | None = None) -> None:
        self._reader = reader if reader is not None else sys.stdin.buffer
        self._writer = writer if writer is not None else sys.stdout.buffer
        self._lock = threading.Lock()
        self.closed = False

    # ferry: codex_app_server::transport::stdio::read_loop @ 1d092cb66
    def lines(self) -> Iterator[str]:
        for raw in self._reader:
            line = raw.decode("utf-8", "replace").strip()
            if line:
                yield line

    # ferry: codex_app_server::transport::stdio::write_loop @ 1d092cb66
    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        with self._lock:
            if self.closed:
                return
            try:
                self._writer.write(data)
                self._writer.flush()
            except (BrokenPipeError, OSError):
                self.closed = True
