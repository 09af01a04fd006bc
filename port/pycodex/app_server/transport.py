"""Transports: how lines reach the server and its messages reach the client.

``stdio://`` (the default) reads one JSON object per line from stdin and writes one per
line to stdout. ``ws://IP:PORT`` serves WebSocket connections, one JSON object per text
frame, each connection a client of its own (it must ``initialize``), plus codex's
``/readyz`` and ``/healthz`` probes. Writers on several threads (the request loop, running
turns) share one lock per connection, so messages never interleave.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from typing import Any, BinaryIO, Protocol


# ferry: port-only -- Python glue: the seam between the processor and one connection (Rust passes TransportEvents over channels)
class Transport(Protocol):
    """A connection to one client."""

    # ferry: port-only -- Python glue: part of the Transport seam
    def lines(self) -> Iterator[str]:
        """Incoming lines until the client goes away."""
        ...

    # ferry: port-only -- Python glue: part of the Transport seam
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

    # ferry: codex_app_server::transport::stdio::start_stdio_connection @ 1d092cb66 -- its reader task
    def lines(self) -> Iterator[str]:
        for raw in self._reader:
            line = raw.decode("utf-8", "replace").strip()
            if line:
                yield line

    # ferry: codex_app_server::transport::stdio::start_stdio_connection @ 1d092cb66 -- its writer task
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


# ferry: codex_app_server::transport::websocket::run_websocket_connection @ 1d092cb66
class WebSocketTransport:
    """One WebSocket connection: text frames in, one JSON message per frame out."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self.closed = False

    # ferry: codex_app_server::transport::websocket::run_websocket_inbound_loop @ 1d092cb66
    def lines(self) -> Iterator[str]:
        from websockets.exceptions import ConnectionClosed

        try:
            for frame in self._connection:
                text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
                if text.strip():
                    yield text.strip()
        except ConnectionClosed:
            return

    # ferry: codex_app_server::transport::websocket::run_websocket_outbound_loop @ 1d092cb66
    def send(self, message: dict[str, Any]) -> None:
        from websockets.exceptions import ConnectionClosed

        data = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
        with self._lock:
            if self.closed:
                return
            try:
                self._connection.send(data)
            except (ConnectionClosed, OSError):
                self.closed = True


#: the banner codex prints on stderr when it listens on a WebSocket.
WS_BANNER = (
    "codex app-server (WebSockets)\n"
    "  listening on: ws://{host}:{port}\n"
    "  readyz: http://{host}:{port}/readyz\n"
    "  healthz: http://{host}:{port}/healthz\n"
    "  note: binds localhost only (use SSH port-forwarding for remote access)\n"
)


# ferry: codex_app_server::transport::websocket::start_websocket_acceptor @ 1d092cb66 -- 0.169.0: probes
# ferry: codex_app_server::transport::websocket::print_websocket_startup_banner @ 1d092cb66
def serve_websocket(host: str, port: int, handle: Any, *, banner: Any = None) -> None:
    """Serve ``ws://host:port`` until interrupted; ``handle(transport)`` runs each connection."""
    from websockets.datastructures import Headers
    from websockets.http11 import Response
    from websockets.sync.server import serve

    def probes(connection: Any, request: Any) -> Any:
        if request.path in ("/readyz", "/healthz"):
            return Response(200, "OK", Headers([("content-length", "0")]), b"")
        return None

    def session(connection: Any) -> None:
        handle(WebSocketTransport(connection))

    with serve(session, host, port, process_request=probes, server_header=None) as server:
        bound = server.socket.getsockname()
        if banner is not None:
            banner(WS_BANNER.format(host=host, port=bound[1]))
        server.serve_forever()
