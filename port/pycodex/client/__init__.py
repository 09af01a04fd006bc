"""Model clients: Responses API (default) and Chat Completions, behind one ``stream`` call."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pycodex.client.chat import chat_request_body, parse_chat_stream
from pycodex.client.events import ResponseEvent, TokenUsage
from pycodex.client.responses import (
    ModelClient,
    RequestContext,
    _iter_sse,
    resolve_api_key,
    resolve_credentials,
)

__all__ = [
    "ModelClient",
    "RequestContext",
    "ResponseEvent",
    "TokenUsage",
    "resolve_api_key",
    "resolve_credentials",
    "stream_model",
]


# ferry: codex_core::client::ModelClientSession::stream @ 1d092cb66 -- with the port's Chat Completions wire API beside the Responses API
def stream_model(
    client: ModelClient, body: Mapping[str, Any], ctx: RequestContext
) -> Iterator[ResponseEvent]:
    """Send one sampling request over the provider's wire API and stream the events."""
    if client.provider.wire_api == "chat":
        chat_body, custom = chat_request_body(body)
        response = client.open_stream("chat/completions", chat_body, ctx)
        try:
            yield from parse_chat_stream(_iter_sse(response), custom)
        finally:
            response.close()
    else:
        yield from client.stream(body, ctx)
