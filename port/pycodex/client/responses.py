"""Streaming client for the Responses API (``POST {base_url}/responses``, SSE).

One call to :meth:`ModelClient.stream` sends one request and yields
:mod:`pycodex.client.events` values until ``response.completed``. HTTP failures
that are worth retrying (connect errors, 5xx, 429) are retried here with
exponential backoff up to ``request_max_retries``; a stream that breaks after
the handshake raises :class:`StreamError`, which the turn loop retries up to
``stream_max_retries`` by re-sending the whole request, as upstream does.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from pycodex import UPSTREAM_VERSION
from pycodex.auth.credentials import Credentials
from pycodex.client.events import (
    Completed,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    ReasoningDelta,
    ReasoningSummaryPartAdded,
    ResponseCreated,
    ResponseEvent,
    ServerModel,
    TokenUsage,
)
from pycodex.client.validate import (
    ShapeError,
    event_is_well_formed,
    item_is_well_formed,
    parse_completed,
)
from pycodex.config.model import ModelProviderInfo
from pycodex.errors import (
    AuthError,
    ContextWindowExceeded,
    InternalServerError,
    InvalidRequest,
    ModelClientError,
    RetryableError,
    RetryLimit,
    ServerOverloaded,
    StreamError,
    UnexpectedStatus,
    UsageLimitReached,
)

ORIGINATOR = "codex_exec"
CONTEXT_WINDOW_MESSAGE = (
    "Codex ran out of room in the model's context window. Start a new thread or clear "
    "earlier history before retrying."
)


# ferry: codex_client::retry::backoff @ 1d092cb66
def backoff_seconds(attempt: int) -> float:
    """200 ms doubled per attempt with ±10% jitter (upstream's schedule)."""
    return 0.2 * float(1 << max(attempt - 1, 0)) * random.uniform(0.9, 1.1)


# ferry: codex_login::auth::default_client::originator @ 1d092cb66
def originator() -> str:
    """``codex_exec``, or ``$CODEX_INTERNAL_ORIGINATOR_OVERRIDE`` (used by wrappers of exec)."""
    return os.environ.get("CODEX_INTERNAL_ORIGINATOR_OVERRIDE") or ORIGINATOR


_default_originator = originator  # ``ModelClient.__init__`` has a parameter of that name


# ferry: codex_login::auth::default_client::get_codex_user_agent @ 1d092cb66 -- with a pycodex suffix
def user_agent() -> str:
    return f"{originator()}/{UPSTREAM_VERSION} ({platform.system()} {platform.release()}; {platform.machine()}) pycodex"


# ferry: codex_model_provider_info::ModelProviderInfo::api_key @ 1d092cb66
# ferry: codex_login::auth::manager::load_auth_dot_json @ 1d092cb66
def resolve_api_key(
    provider: ModelProviderInfo, codex_home: os.PathLike[str] | str | None = None
) -> str | None:
    """The bearer token for ``provider``: its env var, a literal token, or ``auth.json``."""
    credentials = resolve_credentials(provider, codex_home)
    return credentials.bearer if credentials is not None else None


# ferry: codex_model_provider_info::ModelProviderInfo::api_key @ 1d092cb66
# ferry: codex_login::auth::manager::AuthManager::auth @ 1d092cb66 -- the ChatGPT login's token and account id header
def resolve_credentials(
    provider: ModelProviderInfo, codex_home: os.PathLike[str] | str | None = None
) -> Credentials | None:
    """The bearer token and extra headers for ``provider``: its env var, a literal token,
    or the login in ``auth.json`` (an API key, or ChatGPT tokens refreshed when stale,
    which add ``chatgpt-account-id``)."""
    if provider.experimental_bearer_token:
        return Credentials(provider.experimental_bearer_token)
    if provider.env_key:
        value = os.environ.get(provider.env_key, "").strip()
        if value:
            return Credentials(value)
        if not provider.requires_openai_auth:
            hint = f" {provider.env_key_instructions}" if provider.env_key_instructions else ""
            raise AuthError(
                f"Missing environment variable: `{provider.env_key}`.{hint} "
                f"(model provider `{provider.id}` reads its API key from it)"
            )
    if provider.requires_openai_auth and codex_home is not None:
        from pathlib import Path

        from pycodex.auth.manager import openai_credentials

        credentials = openai_credentials(Path(codex_home), user_agent=user_agent())
        if credentials is not None:
            return credentials
        raise AuthError(
            "No API key for the OpenAI provider: set OPENAI_API_KEY, run "
            "`printenv OPENAI_API_KEY | pycodex login --with-api-key`, or configure a custom "
            "[model_providers.<id>] with base_url and env_key in config.toml"
        )
    return None


# ferry: codex_core::client::ModelClient::build_responses_identity_headers @ 1d092cb66 -- the per-turn identity it sends
@dataclass(frozen=True)
class RequestContext:
    """Per-turn identity sent with every request: thread id and turn metadata headers."""

    thread_id: str
    turn_id: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)


# ferry: codex_core::client::ModelClient @ 1d092cb66
# ferry: codex_api::endpoint::responses::ResponsesClient @ 1d092cb66
class ModelClient:
    """Talks to one provider over HTTP; one instance per pycodex run."""

    def __init__(
        self,
        provider: ModelProviderInfo,
        api_key: str | None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        originator: str | None = None,
        agent: str | None = None,
        auth_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.provider = provider
        self.api_key = api_key
        self.auth_headers = dict(auth_headers or {})
        self._sleep = sleep
        #: who the requests say they come from (``codex_exec`` or its override, an app-server
        #: client's name)
        self.originator = originator if originator is not None else _default_originator()
        self.agent = agent
        idle = provider.stream_idle_timeout_ms / 1000.0
        self._http = httpx.Client(
            timeout=httpx.Timeout(connect=30.0, read=idle, write=60.0, pool=30.0),
            transport=transport,
        )

    # ferry: port-only -- Python glue: closes the httpx client (Rust drops it)
    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ HTTP plumbing

    # ferry: codex_api::provider::Provider::url_for_path @ 1d092cb66
    def url(self, path: str) -> str:
        base = self.provider.base_url.rstrip("/")
        return f"{base}/{path.lstrip('/')}"

    # ferry: codex_model_provider_info::ModelProviderInfo::build_header_map @ 1d092cb66
    # ferry: codex_api::provider::Provider::build_request @ 1d092cb66
    def headers(self, ctx: RequestContext) -> dict[str, str]:
        headers = {
            "accept": "text/event-stream",
            "content-type": "application/json",
            "originator": self.originator,
            "user-agent": self.agent or user_agent(),
            "session-id": ctx.thread_id,
            "thread-id": ctx.thread_id,
            "x-client-request-id": ctx.thread_id,
            **ctx.extra_headers,
        }
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        headers.update(self.auth_headers)
        headers.update(self.provider.headers())
        return headers

    # ferry: codex_client::retry::run_with_retry @ 1d092cb66
    # ferry: codex_api::endpoint::responses::ResponsesClient::stream_request @ 1d092cb66
    def open_stream(
        self,
        path: str,
        body: Mapping[str, Any],
        ctx: RequestContext,
    ) -> httpx.Response:
        """POST, retrying 5xx and connection failures silently up to ``request_max_retries``.

        Other failures raise at once; :class:`RetryableError` subclasses are retried by
        the turn loop (which tells the user "Reconnecting..."), as upstream does.
        """
        max_retries = self.provider.request_max_retries
        attempt = 0
        payload = json.dumps(body).encode()
        while True:
            attempt += 1
            request = self._http.build_request(
                "POST",
                self.url(path),
                content=payload,
                headers=self.headers(ctx),
                params=dict(self.provider.query_params) or None,
            )
            try:
                response = self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                error: ModelClientError = StreamError(
                    f"error sending request for url ({request.url}): {exc}"
                )
            else:
                if response.status_code < 300:
                    return response
                body_text = response.read().decode("utf-8", "replace")
                response.close()
                error = self._status_error(response, body_text)
                if response.status_code < 500:
                    raise error
            if attempt > max_retries:
                raise error
            self._sleep(backoff_seconds(attempt))

    def _status_error(self, response: httpx.Response, body: str) -> ModelClientError:
        status = response.status_code
        code = None
        try:
            parsed = json.loads(body)
            err = parsed.get("error") if isinstance(parsed, dict) else None
            if isinstance(err, dict):
                code = err.get("code") or err.get("type")
        except ValueError:
            pass
        if status == 503 and code in ("server_is_overloaded", "slow_down"):
            return ServerOverloaded()
        if status == 400:
            if code == "context_length_exceeded":
                return ContextWindowExceeded(CONTEXT_WINDOW_MESSAGE)
            return InvalidRequest(body)
        if status == 500:
            return InternalServerError()
        if status == 429:
            if code == "insufficient_quota":
                return UsageLimitReached("Quota exceeded. Check your plan and billing details.")
            return RetryLimit(
                f"exceeded retry limit, last status: {status} {response.reason_phrase}",
                _retry_after(response.headers),
            )
        return UnexpectedStatus(
            f"unexpected status {status} {response.reason_phrase}: {body}, url: {response.request.url}"
        )

    # ------------------------------------------------------------------ Responses API

    # ferry: codex_core::client::ModelClientSession::stream_responses_api @ 1d092cb66
    def stream(self, body: Mapping[str, Any], ctx: RequestContext) -> Iterator[ResponseEvent]:
        response = self.open_stream("responses", body, ctx)
        try:
            server_model = response.headers.get("openai-model") or response.headers.get(
                "x-openai-model"
            )
            if server_model:
                yield ServerModel(server_model)
            yield from parse_responses_stream(_iter_sse(response))
        finally:
            response.close()


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _iter_sse(response: httpx.Response) -> Iterator[tuple[str, str]]:
    """Yield ``(event, data)`` pairs; a transport failure mid-stream becomes StreamError."""
    event = ""
    data: list[str] = []
    try:
        for line in response.iter_lines():
            if line == "":
                if data or event:
                    yield event, "\n".join(data)
                event, data = "", []
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
        if data:
            yield event, "\n".join(data)
    except httpx.ReadTimeout as exc:
        raise StreamError("idle timeout waiting for SSE") from exc
    except httpx.TransportError as exc:
        raise StreamError(f"error reading the response stream: {exc}") from exc


_RATE_LIMIT_RE = re.compile(r"(?i)try again in\s*(\d+(?:\.\d+)?)\s*(s|ms|seconds?)")


# ferry: codex_api::sse::responses::try_parse_retry_after @ 1d092cb66
def _rate_limit_delay(message: str) -> float | None:
    """The delay a rate-limit message asks for ("Please try again in 11.054s")."""
    found = _RATE_LIMIT_RE.search(message)
    if found is None:
        return None
    value = float(found.group(1))
    return value / 1000.0 if found.group(2).lower() == "ms" else value


def _failure_message(response: object) -> tuple[str, str | None]:
    if not isinstance(response, Mapping):
        return "response.failed event received", None
    error = response.get("error")
    if not isinstance(error, Mapping):
        return "response.failed event received", None
    code = error.get("code")
    message = error.get("message")
    return (
        message if isinstance(message, str) and message else "response.failed event received",
        code if isinstance(code, str) and code else None,
    )


def _index(event: Mapping[str, Any], key: str) -> int:
    value = event.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _incomplete_reason(response: object) -> str:
    details = response.get("incomplete_details") if isinstance(response, Mapping) else None
    reason = details.get("reason") if isinstance(details, Mapping) else None
    return reason if isinstance(reason, str) else "unknown"


# ferry: codex_api::sse::responses::process_sse @ 1d092cb66
# ferry: codex_api::sse::responses::process_responses_event @ 1d092cb66
def parse_responses_stream(events: Iterator[tuple[str, str]]) -> Iterator[ResponseEvent]:
    """Turn raw SSE pairs into ResponseEvents; ending without ``response.completed`` is an error.

    Every shape is checked here (see :mod:`pycodex.client.validate`): a malformed
    event or output item is ignored as upstream ignores it, and a malformed
    ``response.completed`` fails the stream once it ends.
    """
    pending_error: ModelClientError | None = None
    for _event_name, data in events:
        if not data:
            continue
        try:
            event = json.loads(data)
        except ValueError:
            continue  # upstream logs and skips an event it cannot parse
        if not event_is_well_formed(event):
            continue  # upstream cannot deserialise it either: skipped
        kind = event["type"]
        if kind in ("response.output_item.done", "response.output_item.added"):
            item = event.get("item")
            if item is None or not item_is_well_formed(item):
                continue  # "failed to parse ResponseItem": ignored, as upstream
            yield OutputItemDone(item) if kind.endswith(".done") else OutputItemAdded(item)
        elif kind == "response.output_text.delta":
            if event.get("delta") is not None:
                yield OutputTextDelta(event["delta"])
        elif kind == "response.reasoning_summary_text.delta":
            if event.get("delta") is not None and event.get("summary_index") is not None:
                yield ReasoningDelta(
                    str(event["delta"]), summary=True, index=_index(event, "summary_index")
                )
        elif kind == "response.reasoning_text.delta":
            if event.get("delta") is not None and event.get("content_index") is not None:
                yield ReasoningDelta(
                    str(event["delta"]), summary=False, index=_index(event, "content_index")
                )
        elif kind == "response.reasoning_summary_part.added":
            yield ReasoningSummaryPartAdded(_index(event, "summary_index"))
        elif kind == "response.created":
            response = event.get("response")
            if response is not None:
                response_id = response.get("id") if isinstance(response, Mapping) else None
                yield ResponseCreated(response_id if isinstance(response_id, str) else None)
        elif kind == "response.completed":
            if event.get("response") is None:
                continue
            try:
                response_id, usage = parse_completed(event["response"])
            except ShapeError as exc:
                pending_error = StreamError(f"failed to parse ResponseCompleted: {exc}")
                continue
            yield Completed(response_id, TokenUsage.from_counts(usage))
            return
        elif kind == "response.failed":
            message, code = _failure_message(event.get("response"))
            if code == "context_length_exceeded":
                raise ContextWindowExceeded(CONTEXT_WINDOW_MESSAGE)
            if code == "insufficient_quota":
                raise UsageLimitReached("Quota exceeded. Check your plan and billing details.")
            if code == "rate_limit_exceeded":
                raise RetryableError(f"rate limit exceeded: {message}", _rate_limit_delay(message))
            raise StreamError(message)
        elif kind == "response.incomplete":
            reason = _incomplete_reason(event.get("response"))
            raise StreamError(f"Incomplete response returned, reason: {reason}")
    raise pending_error or StreamError("stream closed before response.completed")
