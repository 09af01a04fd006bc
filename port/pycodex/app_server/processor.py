"""The app server's request loop: parse, check, dispatch, answer -- in codex's order.

Every message the server sends goes through the generated protocol type of its method
(:mod:`pycodex.app_server.protocol`): params and results are validated against the
pydantic models and serialized from them, so what leaves the server has the binary's wire
shape. Requests are handled one at a time on the reading thread; a turn runs on its own
thread and reports through :class:`~pycodex.app_server.turns.TurnRunner`.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycodex.app_server.threads import LoadedThread
from pycodex.app_server.transport import Transport
from pycodex.app_server.wire import (
    INTERNAL_ERROR,
    METHOD_NOT_FOUND,
    Incoming,
    RequestId,
    RpcError,
    classify,
    invalid_request,
    notification,
    response,
    serde_message,
    server_request,
    unknown_variant,
)
from pycodex.core.observer import (
    ExecBegin,
    ExecEnd,
    PatchBegin,
    PatchEnd,
    TurnObserver,
)

JsonObject = dict[str, Any]

DEPRECATED_INCLUDE_TURNS = (
    "Full-history hydration is deprecated for paginated threads; omit `includeTurns` or set it "
    "to `false`, then page with `thread/turns/list` and `thread/items/list`."
)
DEPRECATED_RESUME_TURNS = (
    "Full-history hydration is deprecated for paginated threads; use `excludeTurns: true`, then "
    "page with `thread/turns/list` and `thread/items/list`."
)

_UUID_CHARS = re.compile(r"[0-9a-fA-F-]")


# ferry: port-only -- reimplements uuid::Uuid::parse_str (a Rust dependency, not codex-rs) with the errors codex shows for a bad thread id
def check_thread_id(value: str) -> None:
    """Raise codex's ``invalid thread id: ...`` error unless ``value`` parses as a UUID."""
    text = value.removeprefix("urn:uuid:")
    for index, char in enumerate(text, start=1):
        if not _UUID_CHARS.match(char):
            raise invalid_request(
                "invalid thread id: invalid character: expected an optional prefix of "
                f"`urn:uuid:` followed by [0-9a-fA-F-], found `{char}` at {index}"
            )
    try:
        uuid.UUID(text)
    except ValueError:
        raise invalid_request(
            f"invalid thread id: invalid length: expected length 32 for simple format, found {len(text.replace('-', ''))}"
        ) from None


#: validators of generated types by name, shared by every connection (built once each).
_ADAPTERS: dict[str, Any] = {}

#: the types every session uses, built ahead of the first request that needs them.
HOT_TYPES = (
    "ThreadStartParams",
    "ThreadStartResponse",
    "ThreadStartedNotification",
    "TurnStartParams",
    "TurnStartResponse",
    "TurnStartedNotification",
    "ThreadStatusChangedNotification",
    "ItemStartedNotification",
    "ItemCompletedNotification",
    "TurnCompletedNotification",
    "ThreadTokenUsageUpdatedNotification",
)


# ferry: port-only -- pydantic validators of the generated protocol types, built on first use
def adapter_for(type_name: str) -> Any:
    adapter = _ADAPTERS.get(type_name)
    if adapter is None:
        from pydantic import TypeAdapter

        from pycodex.app_server.protocol import v2

        adapter = TypeAdapter(getattr(v2, type_name))
        adapter.core_schema  # noqa: B018 - builds the deferred validator now
        _ADAPTERS[type_name] = adapter
    return adapter


def _warm_up() -> None:
    """Import the protocol and build the common validators while requests are on their way."""
    for name in HOT_TYPES:
        adapter_for(name)


@dataclass
class _Pending:
    """A server request waiting for the client's answer."""

    thread_id: str
    event: threading.Event = field(default_factory=threading.Event)
    result: JsonObject | None = None


# ferry: port-only -- the session's observer and approver for life, pointed at the running turn
class TurnForwarder(TurnObserver):
    """The observer and approver a session keeps for life; forwards to the running turn."""

    def __init__(self) -> None:
        self.runner: Any = None

    # ferry: port-only -- forwards item_added to the running turn
    def item_added(self, item: JsonObject) -> None:
        if self.runner is not None:
            self.runner.item_added(item)

    # ferry: port-only -- forwards text_delta to the running turn
    def text_delta(self, delta: str) -> None:
        if self.runner is not None:
            self.runner.text_delta(delta)

    # ferry: port-only -- forwards reasoning_delta to the running turn
    def reasoning_delta(
        self, delta: str, *, summary_index: int | None, content_index: int | None
    ) -> None:
        if self.runner is not None:
            self.runner.reasoning_delta(
                delta, summary_index=summary_index, content_index=content_index
            )

    # ferry: port-only -- forwards item_done to the running turn
    def item_done(self, item: JsonObject) -> None:
        if self.runner is not None:
            self.runner.item_done(item)

    # ferry: port-only -- forwards usage to the running turn
    def usage(self, total: Any, last: Any) -> None:
        if self.runner is not None:
            self.runner.usage(total, last)

    # ferry: port-only -- forwards exec_begin to the running turn
    def exec_begin(self, event: ExecBegin) -> None:
        if self.runner is not None:
            self.runner.exec_begin(event)

    # ferry: port-only -- forwards exec_output to the running turn
    def exec_output(self, call_id: str, chunk: str) -> None:
        if self.runner is not None:
            self.runner.exec_output(call_id, chunk)

    # ferry: port-only -- forwards exec_end to the running turn
    def exec_end(self, event: ExecEnd) -> None:
        if self.runner is not None:
            self.runner.exec_end(event)

    # ferry: port-only -- forwards patch_begin to the running turn
    def patch_begin(self, event: PatchBegin) -> None:
        if self.runner is not None:
            self.runner.patch_begin(event)

    # ferry: port-only -- forwards patch_end to the running turn
    def patch_end(self, event: PatchEnd) -> None:
        if self.runner is not None:
            self.runner.patch_end(event)

    # ferry: port-only -- forwards stream_error to the running turn
    def stream_error(self, attempt: int, max_retries: int, error: Exception) -> None:
        if self.runner is not None:
            self.runner.stream_error(attempt, max_retries, error)

    # ferry: port-only -- forwards reasoning_part_added to the running turn
    def reasoning_part_added(self, summary_index: int) -> None:
        if self.runner is not None:
            self.runner.reasoning_part_added(summary_index)

    # ferry: codex_core::tools::orchestrator::ToolOrchestrator::request_approval @ 1d092cb66 -- a command's approval, asked of the client
    def approve_command(
        self,
        call_id: str,
        argv: Any,
        command: str,
        cwd: Path,
        reason: str | None,
        amendment: Any,
    ) -> str:
        if self.runner is None:
            return "decline"
        verdict: str = self.runner.approve_command(call_id, argv, command, cwd, reason, amendment)
        return verdict

    # ferry: codex_core::tools::orchestrator::ToolOrchestrator::request_approval @ 1d092cb66 -- a patch's approval, asked of the client
    def approve_patch(self, call_id: str, changes: Any, reason: str | None) -> str:
        if self.runner is None:
            return "decline"
        verdict: str = self.runner.approve_patch(call_id, changes, reason)
        return verdict


# ferry: codex_app_server::message_processor::MessageProcessor @ 1d092cb66
class AppServer:
    """One client connection's state and request handlers."""

    def __init__(
        self,
        transport: Transport,
        *,
        cli_overrides: tuple[str, ...] = (),
        enable: tuple[str, ...] = (),
        disable: tuple[str, ...] = (),
    ) -> None:
        from pycodex.config import codex_home

        self.transport = transport
        self.cli_overrides = cli_overrides
        self.enable = enable
        self.disable = disable
        self.codex_home = codex_home()
        self.initialized = False
        self.client_name = "codex_app_server"
        self.client_version: str | None = None
        #: the user agent codex builds for this client (set by ``initialize``)
        self.user_agent: str | None = None
        #: model clients by (provider, key), shared by the threads of this connection
        self.clients: dict[tuple[str, str | None], Any] = {}
        self.threads: dict[str, LoadedThread] = {}
        self._pending: dict[RequestId, _Pending] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        self._after: list[Callable[[], None]] = []
        self._workers: list[threading.Thread] = []

    # ------------------------------------------------------------------ typed output
    def _typed(self, type_name: str | None, payload: Any) -> Any:
        """``payload`` validated and serialized by the generated type ``type_name``."""
        if type_name is None:
            return payload
        adapter = adapter_for(type_name)
        return adapter.dump_python(adapter.validate_python(payload), mode="json", by_alias=True)

    # ferry: codex_app_server::outgoing_message::OutgoingMessageSender::send_server_notification @ 1d092cb66
    def notify(self, method: str, params: JsonObject) -> None:
        from pycodex.app_server.protocol.methods import SERVER_NOTIFICATIONS

        self.transport.send(
            notification(method, self._typed(SERVER_NOTIFICATIONS.get(method), params))
        )

    # ferry: codex_app_server::outgoing_message::OutgoingMessageSender::send_request @ 1d092cb66
    def ask(self, method: str, params: JsonObject, thread_id: str) -> JsonObject | None:
        from pycodex.app_server.protocol.methods import SERVER_REQUESTS

        params_type = SERVER_REQUESTS.get(method, (None, None))[0]
        pending = _Pending(thread_id)
        with self._lock:
            request_id = self._next_id
            self._next_id += 1
            self._pending[request_id] = pending
        self.transport.send(server_request(request_id, method, self._typed(params_type, params)))
        pending.event.wait()
        self.notify("serverRequest/resolved", {"threadId": thread_id, "requestId": request_id})
        return pending.result

    def _respond(self, request_id: RequestId, method: str, result: Any) -> None:
        from pycodex.app_server.protocol.methods import CLIENT_REQUESTS

        response_type = CLIENT_REQUESTS.get(method, (None, None))[1]
        self.transport.send(response(request_id, self._typed(response_type, result)))

    # ferry: port-only -- Python glue: follow-ups written after the response (Rust gets this order from its outgoing channel)
    def after_response(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the current request's answer is written."""
        self._after.append(action)

    # ------------------------------------------------------------------ loop
    # ferry: codex_app_server::run_main @ 1d092cb66
    def serve(self) -> int:
        # the protocol types take a moment to import: start while the first line is on its way
        threading.Thread(target=_warm_up, daemon=True).start()
        try:
            for line in self.transport.lines():
                self.handle_line(line)
        finally:
            self.shutdown()
        return 0

    # ferry: codex_app_server::message_processor::MessageProcessor::process_request @ 1d092cb66 -- and process_notification / process_response, by message kind
    def handle_line(self, line: str) -> None:
        incoming = classify(line)
        if incoming is None:
            return
        if incoming.kind == "request":
            self._handle_request(incoming)
        elif incoming.kind in ("response", "error"):
            self._handle_reply(incoming)
        # notifications (``initialized``) need no answer

    def _handle_reply(self, incoming: Incoming) -> None:
        with self._lock:
            pending = self._pending.pop(incoming.id, None) if incoming.id is not None else None
        if pending is None:
            return
        result = incoming.message.get("result") if incoming.kind == "response" else None
        pending.result = result if isinstance(result, dict) else None
        pending.event.set()

    def _handle_request(self, incoming: Incoming) -> None:
        from pycodex.app_server.protocol.methods import (
            CLIENT_REQUESTS,
            CLIENT_REQUESTS_OPTIONAL_PARAMS,
        )

        request_id = incoming.id
        assert request_id is not None  # classify() guarantees requests carry an id
        method = incoming.method or ""
        try:
            if method not in CLIENT_REQUESTS:
                raise invalid_request(
                    "Invalid request: " + unknown_variant(method, list(CLIENT_REQUESTS))
                )
            params_type = CLIENT_REQUESTS[method][0]
            raw = incoming.message.get("params")
            if (
                "params" not in incoming.message
                and params_type is not None
                and method not in CLIENT_REQUESTS_OPTIONAL_PARAMS
            ):
                raise invalid_request("Invalid request: missing field `params`")
            params = self._parse(params_type, raw)
            if method != "initialize" and not self.initialized:
                raise invalid_request("Not initialized")
            handler = self._handlers().get(method)
            if handler is None:
                raise RpcError(
                    METHOD_NOT_FOUND, f"`{method}` is not implemented by pycodex app-server"
                )
            result = handler(params)
            self._respond(request_id, method, result)
        except RpcError as exc:
            self._after.clear()
            self.transport.send(exc.to_wire(request_id))
        except Exception as exc:  # a bug must answer the request, not kill the server
            self._after.clear()
            self.transport.send(
                RpcError(INTERNAL_ERROR, f"internal error: {exc}").to_wire(request_id)
            )
        actions, self._after = self._after, []
        for action in actions:
            action()

    def _parse(self, type_name: str | None, raw: Any) -> Any:
        if type_name is None:
            return raw
        from pydantic import ValidationError

        adapter = adapter_for(type_name)
        try:
            return adapter.validate_python(raw if raw is not None else {})
        except ValidationError as exc:
            raise invalid_request(
                "Invalid request: " + serde_message(exc.errors(include_url=False), type_name)
            ) from None

    def _handlers(self) -> dict[str, Callable[[Any], Any]]:
        from pycodex.app_server import handlers

        return handlers.table(self)

    # ------------------------------------------------------------------ turns
    # ferry: port-only -- Python glue: a daemon thread per turn (Rust spawns a tokio task)
    def start_worker(self, target: Callable[[], None]) -> None:
        worker = threading.Thread(target=target, daemon=True)
        self._workers.append(worker)
        worker.start()

    # ferry: codex_app_server::outgoing_message::OutgoingMessageSender::cancel_requests_for_thread @ 1d092cb66
    def resolve_pending(self, thread_id: str | None = None) -> None:
        """Wake every approval waiting on the client (of one thread): they decline."""
        with self._lock:
            matching = [
                (k, p)
                for k, p in self._pending.items()
                if thread_id is None or p.thread_id == thread_id
            ]
            for key, _ in matching:
                del self._pending[key]
        for _, pending in matching:
            pending.event.set()

    # ferry: codex_app_server::message_processor::MessageProcessor::shutdown_threads @ 1d092cb66
    def shutdown(self) -> None:
        """The client went away: stop running turns and close every session."""
        for thread in list(self.threads.values()):
            runner = thread.active
            if runner is not None:
                runner.release.set()
                thread.session.interrupt()
        self.resolve_pending()
        for worker in self._workers:
            worker.join(timeout=5)
        for thread in list(self.threads.values()):
            try:
                thread.session.close()
            except Exception:  # closing is best effort once the client is gone
                continue
        self.threads.clear()
