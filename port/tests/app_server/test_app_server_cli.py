"""``pycodex app-server`` through its CLI: handshake, errors, turns, approvals, interrupt."""

from __future__ import annotations

import json

from appserver_client import AppServerHarness
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_function_call,
    ev_response_created,
)


def _events(*items: dict[str, object]) -> ScriptedResponse:
    return ScriptedResponse.sse([ev_response_created("r"), *items, ev_completed("r")])


def test_handshake_and_request_errors(app: AppServerHarness) -> None:
    server = app.start()
    early = server.request(1, "thread/start", {})
    assert early["error"] == {"code": -32600, "message": "Not initialized"}
    server.send("this is not json")  # ignored, like codex
    result = server.initialize()["result"]
    assert result["userAgent"].startswith("tests/") and result["userAgent"].endswith("(tests; 1.0)")
    assert result["codexHome"] == str(app.home)
    status = server.notification("remoteControl/status/changed")
    assert status["params"]["status"] == "disabled" and "emittedAtMs" in status
    again = server.request(2, "initialize", {"clientInfo": {"name": "x", "version": "1"}})
    assert again["error"]["message"] == "Already initialized"
    unknown = server.request(3, "thread/teleport", {})["error"]
    assert unknown["code"] == -32600
    assert unknown["message"].startswith(
        "Invalid request: unknown variant `thread/teleport`, expected one of `initialize`, "
    )
    missing = server.request(4, "thread/read", {})["error"]
    assert missing["message"] == "Invalid request: missing field `threadId`"
    wrong = server.request(5, "thread/start", {"cwd": 5})["error"]
    assert wrong["message"] == "Invalid request: invalid type: integer `5`, expected a string"
    bad_id = server.request(6, "thread/read", {"threadId": "nope"})["error"]["message"]
    assert bad_id.startswith("invalid thread id: invalid character:") and bad_id.endswith(
        "found `n` at 1"
    )
    assert server.close() == 0
    assert all("jsonrpc" not in m for m in server.messages)


def test_turn_streams_items_and_declined_command_does_not_run(app: AppServerHarness) -> None:
    app.server.push(
        _events(ev_function_call("c1", "exec_command", json.dumps({"cmd": "touch declined.txt"}))),
        _events(ev_assistant_message("m1", "ok")),
    )
    server = app.start()
    server.initialize()
    thread = server.request(
        1,
        "thread/start",
        {"cwd": str(app.workspace), "approvalPolicy": "untrusted", "sandbox": "workspace-write"},
    )["result"]["thread"]["id"]
    turn = server.request(
        2, "turn/start", {"threadId": thread, "input": [{"type": "text", "text": "go"}]}
    )
    assert turn["result"]["turn"]["status"] == "inProgress"
    ask = server.server_request("item/commandExecution/requestApproval")
    assert ask["params"]["itemId"] == "c1" and ask["params"]["command"].endswith(
        "'touch declined.txt'"
    )
    server.send({"id": ask["id"], "result": {"decision": "decline"}})
    resolved = server.notification("serverRequest/resolved")
    assert resolved["params"] == {"threadId": thread, "requestId": ask["id"]}
    done = server.notification("turn/completed")["params"]["turn"]
    assert done["status"] == "completed" and done["items"][-1]["text"] == "ok"
    assert server.close() == 0
    assert not (app.workspace / "declined.txt").exists()
    outputs = app.server.model_requests()[1].function_call_output_text("c1")
    assert outputs is not None and "rejected by user" in outputs
    methods = [m.get("method") for m in server.messages if "method" in m and "id" not in m]
    first_item = methods.index("item/started")
    assert methods[first_item - 2 : first_item] == ["thread/status/changed", "turn/started"]


def test_interrupt_stops_a_running_command(app: AppServerHarness) -> None:
    app.server.push(
        _events(
            ev_function_call(
                "c1",
                "exec_command",
                json.dumps({"cmd": "sleep 60; touch late.txt", "yield_time_ms": 30000}),
            )
        )
    )
    (app.home / "config.toml").write_text(
        (app.home / "config.toml").read_text()
        + '\napproval_policy = "never"\nsandbox_mode = "danger-full-access"\n'
    )
    server = app.start()
    server.initialize()
    thread = server.request(1, "thread/start", {"cwd": str(app.workspace)})["result"]["thread"][
        "id"
    ]
    turn = server.request(
        2, "turn/start", {"threadId": thread, "input": [{"type": "text", "text": "go"}]}
    )
    turn_id = turn["result"]["turn"]["id"]
    started = server.wait(
        lambda m: (
            m.get("method") == "item/started" and m["params"]["item"]["type"] == "commandExecution"
        ),
        "the command's item/started",
    )
    assert started["params"]["item"]["processId"]
    interrupted = server.request(3, "turn/interrupt", {"threadId": thread, "turnId": turn_id})
    assert interrupted["result"] == {}
    completed = server.notification("turn/completed")["params"]["turn"]
    assert completed["status"] == "interrupted" and completed["items"] == []
    order = [m.get("id", m.get("method")) for m in server.messages]
    assert order.index(3) < order.index("turn/completed")
    again = server.request(4, "turn/interrupt", {"threadId": thread, "turnId": turn_id})
    assert again["error"]["message"] == "no active turn to interrupt"
    assert server.close() == 0
    assert not (app.workspace / "late.txt").exists()
