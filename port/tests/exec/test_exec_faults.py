"""Server faults: retries with backoff, Retry-After, broken streams and clear failures."""

from __future__ import annotations

import json

from exec_harness import ExecHarness
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_response_created,
    sse,
    sse_failed,
)

OK = [ev_response_created("r"), ev_assistant_message("m", "recovered"), ev_completed("r")]


def test_500_is_retried_then_succeeds(harness: ExecHarness) -> None:
    harness.server.push(ScriptedResponse.error(500, "boom"), ScriptedResponse.sse(OK))
    run = harness.run("--json", "hi")
    assert run.returncode == 0, run.stderr
    assert len(harness.server.model_requests()) == 2
    assert run.events()[-2]["item"]["text"] == "recovered"


def test_429_honours_retry_after(harness: ExecHarness) -> None:
    harness.server.push(
        ScriptedResponse.error(429, "slow down", headers={"Retry-After": "1"}),
        ScriptedResponse.sse(OK),
    )
    run = harness.run("--json", "hi")
    assert run.returncode == 0, run.stderr
    errors = [e for e in run.events() if e["type"] == "error"]
    assert errors and errors[0]["message"].startswith("Reconnecting... 1/2")


def test_500s_exhaust_request_retries_then_fail_with_upstream_message(harness: ExecHarness) -> None:
    config = (
        (harness.home / "config.toml")
        .read_text()
        .replace("stream_max_retries = 2", "stream_max_retries = 0")
    )
    (harness.home / "config.toml").write_text(config)
    harness.server.push(*[ScriptedResponse.error(500, "down") for _ in range(3)])
    run = harness.run("--json", "hi")
    assert run.returncode == 1
    message = "We\u2019re currently experiencing high demand, which may cause temporary errors."
    assert run.events()[-2:] == [
        {"type": "error", "message": message},
        {"type": "turn.failed", "error": {"message": message}},
    ]
    assert len(harness.server.model_requests()) == 3


def test_other_statuses_are_retried_by_the_turn_loop(harness: ExecHarness) -> None:
    harness.server.push(ScriptedResponse.error(404, "no such model"), ScriptedResponse.sse(OK))
    run = harness.run("--json", "hi")
    assert run.returncode == 0, run.stderr
    errors = [e["message"] for e in run.events() if e["type"] == "error"]
    assert len(errors) == 1 and errors[0].startswith(
        "Reconnecting... 1/2 (unexpected status 404 Not Found: "
    )


def test_400_is_not_retried(harness: ExecHarness) -> None:
    harness.server.push(ScriptedResponse.error(400, "bad request body"))
    run = harness.run("--json", "hi")
    assert run.returncode == 1
    assert "bad request body" in run.events()[-1]["error"]["message"]
    assert len(harness.server.model_requests()) == 1


def test_stream_cut_before_completed_is_retried(harness: ExecHarness) -> None:
    body = sse(OK)
    cut = body.index("event: response.completed")
    harness.server.push(ScriptedResponse(body=body, cut_after=cut), ScriptedResponse.sse(OK))
    run = harness.run("--json", "hi")
    assert run.returncode == 0, run.stderr
    # As upstream: items that arrived before the cut are shown and kept in the history.
    assert run.event_types() == [
        "thread.started",
        "turn.started",
        "item.completed",
        "error",
        "item.completed",
        "turn.completed",
    ]
    assert [e["message"] for e in run.events() if e["type"] == "error"] == [
        "Reconnecting... 1/2 (stream disconnected before completion: stream closed before response.completed)"
    ]
    retried = harness.server.model_requests()[1]
    assert retried.message_input_texts("assistant") == ["recovered"]


def test_stream_that_never_completes_fails_loudly(harness: ExecHarness) -> None:
    body = sse(OK)
    cut = body.index("event: response.completed")
    harness.server.push(*[ScriptedResponse(body=body, cut_after=cut) for _ in range(3)])
    run = harness.run("--json", "hi")
    assert run.returncode == 1
    assert run.events()[-1] == {
        "type": "turn.failed",
        "error": {
            "message": "stream disconnected before completion: stream closed before response.completed"
        },
    }


def test_response_failed_is_reported(harness: ExecHarness) -> None:
    harness.server.push(*[sse_failed("r", "server_error", "the model broke") for _ in range(3)])
    run = harness.run("--json", "hi")
    assert run.returncode == 1
    assert "the model broke" in run.events()[-1]["error"]["message"]


def test_context_window_exceeded_is_fatal_without_retry(harness: ExecHarness) -> None:
    harness.server.push(sse_failed("r", "context_length_exceeded", "too long"))
    run = harness.run("--json", "hi")
    assert run.returncode == 1
    assert "context window" in run.events()[-1]["error"]["message"]
    assert len(harness.server.model_requests()) == 1


def test_malformed_event_json_is_skipped(harness: ExecHarness) -> None:
    bad = "event: response.output_item.done\ndata: {not json\n\n"
    harness.server.push(ScriptedResponse(body=bad + sse(OK)))
    run = harness.run("--json", "hi")
    assert run.returncode == 0, run.stderr
    assert run.event_types() == [
        "thread.started",
        "turn.started",
        "item.completed",
        "turn.completed",
    ]
    assert len(harness.server.model_requests()) == 1


def test_idle_stream_times_out(harness: ExecHarness) -> None:
    config = (
        (harness.home / "config.toml")
        .read_text()
        .replace("stream_max_retries = 2", "stream_max_retries = 1")
    )
    (harness.home / "config.toml").write_text(config + "stream_idle_timeout_ms = 300\n")
    body = sse(OK)
    stall = body.index("event: response.output_item.done")
    harness.server.push(
        *[ScriptedResponse(body=body, stall_after=stall, stall_s=1.5) for _ in range(2)]
    )
    run = harness.run("--json", "hi")
    assert run.returncode == 1
    assert (
        run.events()[-1]["error"]["message"]
        == "stream disconnected before completion: idle timeout waiting for SSE"
    )
    assert len(harness.server.model_requests()) == 2


def test_missing_api_key_names_the_variable(harness: ExecHarness) -> None:
    run = harness.run("--json", "hi", env={"MOCK_API_KEY": ""})
    assert run.returncode == 1
    assert "Missing environment variable: `MOCK_API_KEY`" in run.stderr
    assert harness.server.model_requests() == []


def test_401_reports_status_and_url(harness: ExecHarness) -> None:
    harness.server.push(*[ScriptedResponse.error(401, "invalid api key") for _ in range(3)])
    run = harness.run("--json", "hi")
    assert run.returncode == 1
    message = run.events()[-1]["error"]["message"]
    assert (
        message.startswith("unexpected status 401 Unauthorized: ") and "invalid api key" in message
    )
    assert f"url: {harness.server.base_url}/responses" in message


def test_provider_headers_and_query_params_are_sent(harness: ExecHarness) -> None:
    harness.write_config(
        provider_extra='http_headers = { "X-Team" = "ferry" }\nquery_params = { "api-version" = "2025-01-01" }'
    )
    harness.server.push(ScriptedResponse.sse(OK))
    run = harness.run("--json", "hi")
    assert run.returncode == 0, run.stderr
    request = harness.server.model_requests()[0]
    assert request.header("X-Team") == "ferry"
    assert request.path == "/v1/responses?api-version=2025-01-01"


def test_chat_wire_api_round_trip(harness: ExecHarness) -> None:
    config = (
        (harness.home / "config.toml")
        .read_text()
        .replace('wire_api = "responses"', 'wire_api = "chat"')
    )
    (harness.home / "config.toml").write_text(config)
    call = {
        "id": "c1",
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": "exec_command",
                                "arguments": json.dumps({"cmd": "echo chat > chat.txt"}),
                            },
                        }
                    ]
                },
                "finish_reason": None,
            }
        ],
    }
    done = {
        "id": "c1",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    }
    answer = {
        "id": "c2",
        "choices": [{"index": 0, "delta": {"content": "chat done"}, "finish_reason": "stop"}],
    }
    harness.server.push(
        ScriptedResponse(
            body=f"data: {json.dumps(call)}\n\ndata: {json.dumps(done)}\n\ndata: [DONE]\n\n"
        ),
        ScriptedResponse(body=f"data: {json.dumps(answer)}\n\ndata: [DONE]\n\n"),
    )
    run = harness.run("--json", "--dangerously-bypass-approvals-and-sandbox", "use chat")
    assert run.returncode == 0, run.stderr
    assert (harness.workspace / "chat.txt").read_text() == "chat\n"
    first, second = harness.server.model_requests()
    assert first.path == "/v1/chat/completions"
    body = first.json()
    assert body["messages"][0]["role"] == "system" and body["messages"][-1] == {
        "role": "user",
        "content": "use chat",
    }
    assert [t["function"]["name"] for t in body["tools"]][:2] == ["exec_command", "write_stdin"]
    tool_message = second.json()["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["tool_call_id"] == "call_1"
    assert "Process exited with code 0" in tool_message["content"]
    assert run.events()[-1]["usage"]["input_tokens"] == 7
