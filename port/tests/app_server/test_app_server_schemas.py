"""Every message ``pycodex app-server`` sends validates against codex's JSON Schemas.

One session exercises every method the port serves (handshake, errors, threads, turns
with deltas, reasoning, commands, patches and approvals, a failure, config) and each line
the server wrote is checked with ``jsonschema`` against the pinned binary's own schemas,
and against the older conformance snapshot for every type whose definition did not
change between the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from appserver_client import AppServerHarness
from pycodex.testing import (
    ScriptedResponse,
    ev_apply_patch_custom_tool_call,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_output_text_delta,
    ev_reasoning_item,
    ev_response_created,
)
from wire_schemas import WireSchemas, inlined, message_type

JsonObject = dict[str, Any]


def _script(app: AppServerHarness) -> None:
    added = {
        "type": "response.output_item.added",
        "item": {"type": "message", "role": "assistant", "id": "m1", "content": []},
    }
    app.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_reasoning_item("rs1", ["thinking"]),
                added,
                ev_output_text_delta("Hel"),
                ev_output_text_delta("lo"),
                ev_assistant_message("m1", "Hello"),
                ev_completed_with_tokens("r1", 12, output_tokens=3),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r2"),
                ev_function_call("c1", "exec_command", json.dumps({"cmd": "touch made.txt"})),
                ev_completed_with_tokens("r2", 20),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r3"),
                ev_apply_patch_custom_tool_call(
                    "p1", "*** Begin Patch\n*** Add File: new.txt\n+hello\n*** End Patch\n"
                ),
                ev_completed_with_tokens("r3", 30),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r4"),
                ev_function_call("c2", "exec_command", json.dumps({"cmd": "touch declined.txt"})),
                ev_completed_with_tokens("r4", 40),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r5"),
                ev_assistant_message("m2", "done"),
                ev_completed_with_tokens("r5", 50),
            ]
        ),
        ScriptedResponse.error(500, "boom"),
    )


@pytest.fixture(scope="module")
def session(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[list[JsonObject], dict[Any, str]]]:
    """One full session shared by the checks below (it takes a few seconds)."""
    from appserver_client import write_config
    from pycodex.testing import MockResponsesServer

    root = tmp_path_factory.mktemp("schema-session")
    home, workspace = root / "home", root / "ws"
    home.mkdir()
    workspace.mkdir()
    with MockResponsesServer() as server:
        write_config(home, server)
        yield _session(AppServerHarness(home, workspace, server))


def _session(app: AppServerHarness) -> tuple[list[JsonObject], dict[Any, str]]:
    """Run the whole session; returns what the server wrote and request id -> method."""
    _script(app)
    methods: dict[Any, str] = {}
    server = app.start()

    def request(request_id: int, method: str, params: JsonObject) -> JsonObject:
        methods[request_id] = method
        return server.request(request_id, method, params)

    methods[0] = "initialize"
    server.initialize()
    server.send({"id": 90, "method": "no/such/method", "params": {}})
    server.response(90)
    server.send({"id": 91, "method": "thread/start"})
    server.response(91)
    started = request(
        1,
        "thread/start",
        {"cwd": str(app.workspace), "approvalPolicy": "untrusted", "sandbox": "workspace-write"},
    )
    thread = started["result"]["thread"]["id"]
    request(2, "turn/start", {"threadId": thread, "input": [{"type": "text", "text": "hi"}]})
    server.notification("turn/completed")
    request(3, "turn/start", {"threadId": thread, "input": [{"type": "text", "text": "work"}]})
    approval = server.server_request("item/commandExecution/requestApproval")
    server.send({"id": approval["id"], "result": {"decision": "accept"}})
    patch = server.server_request("item/fileChange/requestApproval")
    server.send({"id": patch["id"], "result": {"decision": "accept"}})
    declined = server.server_request("item/commandExecution/requestApproval")
    server.send({"id": declined["id"], "result": {"decision": "decline"}})
    server.notification("turn/completed")
    request(4, "thread/read", {"threadId": thread, "includeTurns": True})
    request(5, "thread/list", {})
    request(6, "thread/unsubscribe", {"threadId": thread})
    request(7, "thread/resume", {"threadId": thread})
    fork = request(8, "thread/fork", {"threadId": thread})["result"]["thread"]["id"]
    request(9, "turn/start", {"threadId": fork, "input": [{"type": "text", "text": "fail"}]})
    server.notification("turn/completed")
    request(
        10,
        "config/value/write",
        {"keyPath": "model", "value": "gpt-5.4", "mergeStrategy": "replace"},
    )
    request(
        11,
        "config/batchWrite",
        {
            "edits": [
                {"keyPath": "model_reasoning_effort", "value": "high", "mergeStrategy": "replace"}
            ]
        },
    )
    request(12, "config/read", {"includeLayers": True})
    request(
        13, "turn/interrupt", {"threadId": thread, "turnId": "01a25103-807d-7c21-8fd0-3fe7e12b5048"}
    )
    assert server.close() == 0
    return server.messages, methods


def test_every_message_matches_the_oracle_schemas(
    session: tuple[list[JsonObject], dict[Any, str]], oracle_schemas: WireSchemas
) -> None:
    messages, methods = session
    kinds = {str(m.get("method") or ("error" if "error" in m else "response")) for m in messages}
    # the session really exercised the protocol (a broken server cannot pass vacuously)
    assert {
        "item/agentMessage/delta",
        "item/commandExecution/requestApproval",
        "item/fileChange/requestApproval",
        "serverRequest/resolved",
        "turn/diff/updated",
        "error",
        "thread/tokenUsage/updated",
    } <= kinds
    checked = 0
    failures: list[str] = []
    for message in messages:
        typed = message_type(message, methods)
        assert typed is not None, f"a message of no known type: {message}"
        name, value = typed
        for error in oracle_schemas.errors(name, value):
            failures.append(f"{name}: {error}\n  in {json.dumps(message)[:400]}")
        checked += 1
    assert checked == len(messages) >= 60
    assert not failures, "\n".join(failures[:20])


def test_messages_match_the_conformance_snapshot_where_it_agrees(
    session: tuple[list[JsonObject], dict[Any, str]],
    oracle_schemas: WireSchemas,
    conformance_schemas: WireSchemas,
) -> None:
    """Types unchanged since the 2026-04-22 snapshot must validate against it too."""
    messages, methods = session
    agreeing = 0
    failures: list[str] = []
    for message in messages:
        typed = message_type(message, methods)
        assert typed is not None
        name, value = typed
        if name in ("ServerNotification", "ServerRequest"):
            name = _payload_type(message, oracle_schemas)
            value = message.get("params")
        if not conformance_schemas.has(name) or inlined(
            conformance_schemas.bundle, name
        ) != inlined(oracle_schemas.bundle, name):
            continue
        agreeing += 1
        failures.extend(f"{name}: {e}" for e in conformance_schemas.errors(name, value))
    assert agreeing >= 5, "too few message types are unchanged since the snapshot to check any"
    assert not failures, "\n".join(failures[:20])


def _payload_type(message: JsonObject, schemas: WireSchemas) -> str:
    from pycodex.app_server.protocol.methods import SERVER_NOTIFICATIONS, SERVER_REQUESTS

    method = str(message.get("method"))
    if "id" in message:
        return str(SERVER_REQUESTS.get(method, (None, None))[0])
    return str(SERVER_NOTIFICATIONS.get(method))


def test_the_schema_check_rejects_a_bad_message(oracle_schemas: WireSchemas) -> None:
    """The validator used above can fail: wrong shapes are reported, right ones are not."""
    good = {
        "method": "turn/started",
        "params": {"threadId": "t", "turn": {"id": "u", "items": [], "status": "inProgress"}},
        "emittedAtMs": 1,
    }
    assert oracle_schemas.errors("ServerNotification", good) == []
    missing = {"method": "turn/started", "params": {"threadId": "t"}, "emittedAtMs": 1}
    assert oracle_schemas.errors("ServerNotification", missing)
    wrong = {"userAgent": 5, "codexHome": "/h", "platformFamily": "unix", "platformOs": "linux"}
    assert oracle_schemas.errors("InitializeResponse", wrong)
    with pytest.raises(AssertionError):
        assert not oracle_schemas.errors("ThreadStartResponse", {"thread": {}})
