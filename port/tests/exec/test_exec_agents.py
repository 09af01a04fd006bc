"""Sub-agent limits through ``pycodex exec``: bad limits are refused, and the limits hold.

``agents.max_threads`` caps the open sub-agents of a session tree, ``agents.max_depth`` how
deep they nest (a child at the limit has no sub-agent tools). The scripted server answers
each request by who sent it: the root, or the child whose task it carries.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from exec_harness import ExecHarness
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_response_created,
    sse,
)
from pycodex.testing.mock_responses import RecordedRequest

NAMESPACE = "multi_agent_v1"


def _call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    item = {
        "type": "function_call",
        "call_id": call_id,
        "name": name,
        "namespace": NAMESPACE,
        "arguments": json.dumps(arguments),
    }
    return {"type": "response.output_item.done", "item": item}


def _answer(*events: dict[str, Any]) -> ScriptedResponse:
    return ScriptedResponse(body=sse([ev_response_created("r"), *events, ev_completed("r")]))


def _task(request: RecordedRequest) -> str | None:
    """The CHILD-x task a sub-agent's request carries (None for the root)."""
    for text in request.message_input_texts("user"):
        if text.startswith("CHILD-"):
            return text.split(":", 1)[0]
    return None


def _tool_names(request: RecordedRequest) -> set[str]:
    names = set()
    for tool in request.json().get("tools", []):
        names.add(str(tool.get("name") or tool.get("type")))
        names.update(str(inner.get("name")) for inner in tool.get("tools", []))
    return names


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("agents.max_threads=0", "agents.max_threads must be at least 1"),
        ("agents.max_depth=0", "agents.max_depth must be at least 1"),
        ("agents.max_depth=-3", "agents.max_depth must be at least 1"),
        ('agents.max_threads="many"', "config key `agents.max_threads`: expected an integer"),
    ],
)
def test_bad_agent_limits_are_refused_before_any_request(
    harness: ExecHarness, override: str, message: str
) -> None:
    run = harness.run("-c", override, "--skip-git-repo-check", "hello")
    assert run.returncode != 0
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert harness.server.model_requests() == []


def test_max_threads_refuses_a_second_open_agent_and_depth_hides_the_tools(
    harness: ExecHarness,
) -> None:
    harness.write_config("[agents]\nmax_threads = 1")

    def route(request: RecordedRequest) -> ScriptedResponse:
        task = _task(request)
        if task == "CHILD-A":
            if request.function_call_output("g1") is None:
                # a child at max_depth = 1 tries to nest anyway
                return _answer(_call("g1", "spawn_agent", {"message": "CHILD-G: nested"}))
            return _answer(ev_assistant_message("m", "first done"))
        if task is not None:
            return _answer(ev_assistant_message("m", f"unexpected {task}"))
        spawned = request.function_call_output_text("s1")
        if spawned is None:
            return _answer(
                _call("s1", "spawn_agent", {"message": "CHILD-A: first"}),
                _call("s2", "spawn_agent", {"message": "CHILD-B: second"}),
            )
        if request.function_call_output("w1") is None:
            agent = json.loads(spawned)["agent_id"]
            return _answer(_call("w1", "wait_agent", {"targets": [agent], "timeout_ms": 600000}))
        return _answer(ev_assistant_message("m", "done"))

    harness.server.push(*([route] * 8))
    run = harness.run("--skip-git-repo-check", "--json", "use one helper")
    assert run.returncode == 0, run.stderr

    root = [r for r in harness.server.model_requests() if _task(r) is None]
    child = [r for r in harness.server.model_requests() if _task(r) == "CHILD-A"]
    assert len(root) == 3 and len(child) == 2
    assert json.loads(root[1].function_call_output_text("s1") or "{}")["nickname"]
    assert root[1].function_call_output_text("s2") == (
        "collab spawn failed: agent thread limit reached"
    )
    assert all(_task(r) in (None, "CHILD-A") for r in harness.server.model_requests())
    waited = json.loads(root[2].function_call_output_text("w1") or "{}")
    assert list(waited["status"].values()) == [{"completed": "first done"}]

    # the root can spawn; its child, at depth 1 = max_depth, cannot
    assert "tool_search" in _tool_names(root[0])
    assert NAMESPACE in json.dumps(root[0].json()["input"])  # the <tools> fragment
    assert not {"spawn_agent", "tool_search"} & _tool_names(child[0])
    assert NAMESPACE not in json.dumps(child[0].json()["input"])
    assert child[1].function_call_output_text("g1") == (f"unsupported call: {NAMESPACE}spawn_agent")
    spawn_items = [
        e["item"]
        for e in run.events()
        if e["type"] == "item.completed"
        and isinstance(e.get("item"), dict)
        and e["item"].get("tool") == "spawn_agent"
    ]
    assert [item["status"] for item in spawn_items] == ["completed", "failed"]


FORK_ROLE = (
    "Full-history forked agents inherit the parent agent type; "
    "omit agent_type, or spawn without a full-history fork."
)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        # serde reads a variant's fields from buffered content: the error points past `]`
        (
            '{"items": [{"type": "text"}], "message": "x"}',
            "failed to parse function arguments: missing field `text` at line 1 column 28",
        ),
        (
            '{"items": [{"type": "text", "text": 5} , {"type": "text", "text": "y"}]}',
            "failed to parse function arguments: invalid type: integer `5`, expected a string "
            "at line 1 column 41",  # past the `,` and the blank after it
        ),
        (
            '{"items": [{"type": "bogus"}]}',
            "failed to parse function arguments: unknown variant `bogus`, expected one of "
            "`text`, `image`, `local_image`, `audio`, `local_audio`, `skill`, `mention` "
            "at line 1 column 27",
        ),
        ('{"message": "CHILD-X", "fork_context": true, "agent_type": " worker "}', FORK_ROLE),
        (
            '{"message": "CHILD-X", "fork_context": true, "reasoning_effort": "ultra"}',
            "Reasoning effort `ultra` is not supported for model `gpt-5.5`. "
            "Supported reasoning efforts: low, medium, high, xhigh",
        ),
        ('{"message": "   "}', "Empty message can't be sent to an agent"),
    ],
)
def test_bad_spawn_arguments_are_refused_with_codex_messages(
    harness: ExecHarness, arguments: str, expected: str
) -> None:
    call = {"call_id": "s1", "name": "spawn_agent", "namespace": NAMESPACE}
    harness.server.push(
        _answer(
            {
                "type": "response.output_item.done",
                "item": {**call, "type": "function_call", "arguments": arguments},
            }
        ),
        _answer(ev_assistant_message("m", "gave up")),
    )
    run = harness.run("--skip-git-repo-check", "--json", "spawn badly")
    assert run.returncode == 0, run.stderr
    requests = harness.server.model_requests()
    assert len(requests) == 2  # no sub-agent ever asked the model anything
    assert requests[1].function_call_output_text("s1") == expected
