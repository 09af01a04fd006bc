"""A scripted model server speaking the Responses (and Chat Completions) wire protocol.

Each POST to ``/v1/responses`` or ``/v1/chat/completions`` takes the next
:class:`ScriptedResponse` from the queue; every request is recorded with its
headers and JSON body so tests can assert on exactly what a client sent.
The server is a real ``ThreadingHTTPServer`` on 127.0.0.1, so clients exercise
their whole HTTP stack (streaming, retries, timeouts) against it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JsonObject = dict[str, Any]


# --------------------------------------------------------------------------- SSE helpers


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def sse(events: Iterable[Mapping[str, Any]]) -> str:
    """Render events as an SSE body: ``event: <type>`` then ``data: <json>``."""
    out: list[str] = []
    for ev in events:
        kind = ev["type"]
        out.append(f"event: {kind}\n")
        if len(ev) == 1:
            out.append("\n")
        else:
            out.append(f"data: {json.dumps(ev, separators=(',', ':'))}\n\n")
    return "".join(out)


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_response_created(response_id: str) -> JsonObject:
    return {"type": "response.created", "response": {"id": response_id}}


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_completed(response_id: str) -> JsonObject:
    return ev_completed_with_tokens(response_id, 0)


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_completed_with_tokens(
    response_id: str,
    total_tokens: int,
    *,
    input_tokens: int | None = None,
    output_tokens: int = 0,
    cached_input_tokens: int | None = None,
    reasoning_output_tokens: int | None = None,
) -> JsonObject:
    usage: JsonObject = {
        "input_tokens": total_tokens if input_tokens is None else input_tokens,
        "input_tokens_details": None
        if cached_input_tokens is None
        else {"cached_tokens": cached_input_tokens},
        "output_tokens": output_tokens,
        "output_tokens_details": None
        if reasoning_output_tokens is None
        else {"reasoning_tokens": reasoning_output_tokens},
        "total_tokens": total_tokens,
    }
    return {"type": "response.completed", "response": {"id": response_id, "usage": usage}}


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_assistant_message(item_id: str, text: str) -> JsonObject:
    return {
        "type": "response.output_item.done",
        "item": {
            "type": "message",
            "role": "assistant",
            "id": item_id,
            "content": [{"type": "output_text", "text": text}],
        },
    }


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_output_text_delta(delta: str) -> JsonObject:
    return {"type": "response.output_text.delta", "delta": delta}


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_reasoning_item(
    item_id: str, summary: Sequence[str], raw_content: Sequence[str] = ()
) -> JsonObject:
    encrypted = base64.b64encode(("b" * 550 + "".join(raw_content)).encode()).decode()
    item: JsonObject = {
        "type": "reasoning",
        "id": item_id,
        "summary": [{"type": "summary_text", "text": t} for t in summary],
        "encrypted_content": encrypted,
    }
    if raw_content:
        item["content"] = [{"type": "reasoning_text", "text": t} for t in raw_content]
    return {"type": "response.output_item.done", "item": item}


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_function_call(call_id: str, name: str, arguments: str) -> JsonObject:
    return {
        "type": "response.output_item.done",
        "item": {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments},
    }


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_custom_tool_call(call_id: str, name: str, tool_input: str) -> JsonObject:
    return {
        "type": "response.output_item.done",
        "item": {"type": "custom_tool_call", "call_id": call_id, "name": name, "input": tool_input},
    }


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def ev_apply_patch_custom_tool_call(call_id: str, patch: str) -> JsonObject:
    return ev_custom_tool_call(call_id, "apply_patch", patch)


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
def sse_failed(response_id: str, code: str, message: str) -> str:
    return sse(
        [
            {
                "type": "response.failed",
                "response": {"id": response_id, "error": {"code": code, "message": message}},
            }
        ]
    )


# --------------------------------------------------------------------------- server


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
@dataclass(frozen=True)
class ScriptedResponse:
    """One scripted answer. ``body`` is sent as-is; ``cut_after`` truncates it.

    * ``status`` other than 200 sends ``body`` as a plain error payload.
    * ``cut_after`` closes the connection after that many bytes of the body,
      simulating a stream dropped before ``response.completed``.
    * ``delay_s`` waits before the first byte (idle-timeout tests).
    * ``stall_after`` sends that many bytes, then waits ``stall_s`` before the rest.
    """

    body: str
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "text/event-stream"
    cut_after: int | None = None
    delay_s: float = 0.0
    stall_after: int | None = None
    stall_s: float = 0.0

    # ferry: port-only -- test support: scripted Responses server for tests
    @classmethod
    def sse(cls, events: Iterable[Mapping[str, Any]]) -> ScriptedResponse:
        return cls(body=sse(events))

    # ferry: port-only -- test support: scripted Responses server for tests
    @classmethod
    def error(
        cls, status: int, message: str = "", headers: Mapping[str, str] | None = None
    ) -> ScriptedResponse:
        payload = json.dumps({"error": {"message": message or f"HTTP {status}", "type": "error"}})
        return cls(
            body=payload,
            status=status,
            headers=dict(headers or {}),
            content_type="application/json",
        )


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    # ferry: port-only -- test support: scripted Responses server for tests
    def json(self) -> JsonObject:
        value = json.loads(self.body)
        assert isinstance(value, dict)
        return value

    # ferry: port-only -- test support: scripted Responses server for tests
    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None

    # ferry: port-only -- test support: scripted Responses server for tests
    def input(self) -> list[JsonObject]:
        items = self.json().get("input", [])
        return list(items) if isinstance(items, list) else []

    # ferry: port-only -- test support: scripted Responses server for tests
    def inputs_of_type(self, item_type: str) -> list[JsonObject]:
        return [item for item in self.input() if item.get("type") == item_type]

    # ferry: port-only -- test support: scripted Responses server for tests
    def function_call_output(self, call_id: str) -> JsonObject | None:
        for item in self.input():
            if (
                item.get("type") in ("function_call_output", "custom_tool_call_output")
                and item.get("call_id") == call_id
            ):
                return item
        return None

    # ferry: port-only -- test support: scripted Responses server for tests
    def function_call_output_text(self, call_id: str) -> str | None:
        item = self.function_call_output(call_id)
        if item is None:
            return None
        output = item.get("output")
        if isinstance(output, str):
            return output
        if isinstance(output, list):
            return "".join(str(part.get("text", "")) for part in output if isinstance(part, dict))
        return None

    # ferry: port-only -- test support: scripted Responses server for tests
    def message_input_texts(self, role: str) -> list[str]:
        texts: list[str] = []
        for item in self.input():
            if item.get("type") == "message" and item.get("role") == role:
                for part in item.get("content", []):
                    if part.get("type") in ("input_text", "output_text"):
                        texts.append(part["text"])
        return texts


Responder = Callable[[RecordedRequest], ScriptedResponse]


# ferry: port-only -- test support: scripted Responses server for tests (like upstream's core_test_support::responses)
class MockResponsesServer:
    """A scripted Responses API server on 127.0.0.1 (use as a context manager).

    When the script runs out the server answers 500 with a message saying so,
    which makes an unexpected extra request loud rather than silent.
    """

    def __init__(self, responses: Iterable[ScriptedResponse | str | Responder] = ()) -> None:
        self._lock = threading.Lock()
        self._queue: list[ScriptedResponse | Responder] = []
        self.requests: list[RecordedRequest] = []
        self.push(*responses)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._make_handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- lifecycle
    def __enter__(self) -> MockResponsesServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ferry: port-only -- test support: scripted Responses server for tests
    def start(self) -> None:
        self._thread.start()

    # ferry: port-only -- test support: scripted Responses server for tests
    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # ferry: port-only -- test support: scripted Responses server for tests
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    # ferry: port-only -- test support: scripted Responses server for tests
    @property
    def base_url(self) -> str:
        """The provider ``base_url`` (ends in ``/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- script
    # ferry: port-only -- test support: scripted Responses server for tests
    def push(self, *responses: ScriptedResponse | str | Responder) -> None:
        """Queue answers; a callable is invoked with the request to build its answer."""
        with self._lock:
            for response in responses:
                self._queue.append(
                    ScriptedResponse(body=response) if isinstance(response, str) else response
                )

    # ferry: port-only -- test support: scripted Responses server for tests
    def remaining(self) -> int:
        with self._lock:
            return len(self._queue)

    # ferry: port-only -- test support: scripted Responses server for tests
    def model_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST"]

    def _next(self, request: RecordedRequest) -> ScriptedResponse | None:
        with self._lock:
            entry = self._queue.pop(0) if self._queue else None
        if entry is None or isinstance(entry, ScriptedResponse):
            return entry
        try:
            return entry(request)
        except Exception as exc:  # a failing responder is a failing test: make it loud
            return ScriptedResponse.error(500, f"mock server: responder failed: {exc!r}")

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _make_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                server._record(RecordedRequest("GET", self.path, dict(self.headers.items()), b""))
                body = json.dumps({"object": "list", "data": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = RecordedRequest("POST", self.path, dict(self.headers.items()), body)
                server._record(recorded)
                scripted = server._next(recorded)
                if scripted is None:
                    scripted = ScriptedResponse.error(500, "mock server: no scripted response left")
                if scripted.delay_s:
                    time.sleep(scripted.delay_s)
                payload = scripted.body.encode()
                self.send_response(scripted.status)
                self.send_header("Content-Type", scripted.content_type)
                for key, value in scripted.headers.items():
                    self.send_header(key, value)
                if scripted.cut_after is not None:
                    payload = payload[: scripted.cut_after]
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if scripted.stall_after is not None:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(payload[: scripted.stall_after])
                    self.wfile.flush()
                    time.sleep(scripted.stall_s)
                    # The client may have given up waiting, which is what stall tests expect.
                    with contextlib.suppress(OSError):
                        self.wfile.write(payload[scripted.stall_after :])
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
