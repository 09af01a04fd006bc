"""Test support shared by pycodex's tests and ferry's parity oracle.

Mirrors upstream's ``core_test_support``: a real HTTP server on 127.0.0.1 that
answers model requests with scripted SSE bodies and records every request.
"""

from pycodex.testing.mock_responses import (
    MockResponsesServer,
    ScriptedResponse,
    ev_apply_patch_custom_tool_call,
    ev_assistant_message,
    ev_completed,
    ev_completed_with_tokens,
    ev_custom_tool_call,
    ev_function_call,
    ev_output_text_delta,
    ev_reasoning_item,
    ev_response_created,
    sse,
    sse_failed,
)

__all__ = [
    "MockResponsesServer",
    "ScriptedResponse",
    "ev_apply_patch_custom_tool_call",
    "ev_assistant_message",
    "ev_completed",
    "ev_completed_with_tokens",
    "ev_custom_tool_call",
    "ev_function_call",
    "ev_output_text_delta",
    "ev_reasoning_item",
    "ev_response_created",
    "sse",
    "sse_failed",
]
