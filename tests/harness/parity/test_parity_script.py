"""Rendering scripted turns into SSE bodies and faults, and the $session substitution."""

from __future__ import annotations

import json

import httpx

from harness.parity.scenario import Scenario
from harness.parity.script import MALFORMED_EVENT, render_script
from harness.parity.server import ParityServer


def _scenario(turns: list[object]) -> Scenario:
    return Scenario.model_validate({"name": "t", "prompt": "p", "turns": turns})


def _data_events(body: str) -> list[dict[str, object]]:
    return [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]


def test_events_are_wrapped_in_created_and_completed() -> None:
    (scripted,) = render_script(
        _scenario(
            [
                {
                    "events": [
                        {
                            "function_call": {
                                "call_id": "c1",
                                "name": "exec_command",
                                "arguments": {"cmd": "ls"},
                            }
                        }
                    ],
                    "tokens": 7,
                }
            ]
        )
    )
    events = _data_events(scripted.body)
    assert [e["type"] for e in events] == [
        "response.created",
        "response.output_item.done",
        "response.completed",
    ]
    item = events[1]["item"]
    assert isinstance(item, dict)
    assert item["arguments"] == json.dumps({"cmd": "ls"})
    completed = events[2]["response"]
    assert isinstance(completed, dict)
    assert completed["usage"]["total_tokens"] == 7


def test_apply_patch_is_a_custom_tool_call() -> None:
    (scripted,) = render_script(
        _scenario(
            [[{"apply_patch": {"call_id": "p", "patch": "*** Begin Patch\n*** End Patch\n"}}]]
        )
    )
    item = _data_events(scripted.body)[1]["item"]
    assert item == {
        "type": "custom_tool_call",
        "call_id": "p",
        "name": "apply_patch",
        "input": "*** Begin Patch\n*** End Patch\n",
    }


def test_faults() -> None:
    error, cut, malformed, incomplete = render_script(
        _scenario(
            [
                {"status": 429, "retry_after": 1, "message": "slow down"},
                {"events": [{"assistant_message": "x"}], "cut_after_bytes": 10, "complete": False},
                {"events": [], "malformed": True},
                {"events": [{"assistant_message": "x"}], "complete": False},
            ]
        )
    )
    assert error.status == 429
    assert error.headers["Retry-After"] == "1"
    assert "slow down" in error.body
    assert cut.cut_after == 10
    assert "response.completed" not in cut.body
    assert MALFORMED_EVENT in malformed.body
    assert malformed.body.endswith(_last_block(malformed.body))
    assert "response.completed" not in incomplete.body


def _last_block(body: str) -> str:
    return body.rstrip("\n").split("\n\n")[-1] + "\n\n"


def test_session_placeholder_is_filled_from_the_latest_request() -> None:
    script = render_script(
        _scenario(
            [
                [{"assistant_message": "first"}],
                [
                    {
                        "function_call": {
                            "call_id": "c2",
                            "name": "write_stdin",
                            "arguments": {"session_id": "$session", "chars": ""},
                        }
                    }
                ],
            ]
        )
    )
    with ParityServer(script) as server, httpx.Client() as client:
        client.post(f"{server.base_url}/responses", json={"input": []})
        second = client.post(
            f"{server.base_url}/responses",
            json={
                "input": [
                    {
                        "type": "function_call_output",
                        "call_id": "c1",
                        "output": "Process running with session ID 4242\n",
                    }
                ]
            },
        ).text
    arguments = json.loads(_data_events(second)[1]["item"]["arguments"])  # type: ignore[index]
    assert arguments == {"session_id": 4242, "chars": ""}
