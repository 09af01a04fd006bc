"""A command's output streams as ``item/commandExecution/outputDelta`` notifications.

The parity scenarios leave these notifications out of the comparison (codex 0.169.0 loses
the output a fast command writes before its stream reader subscribes), so they are checked
here: every byte arrives as deltas, between the item's start and its completion, and the
deltas add up to the completed item's ``aggregatedOutput``.
"""

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

COMMAND = "printf 'one\\n'; sleep 0.3; printf 'two\\n'"


def test_command_output_streams_between_start_and_completion(app: AppServerHarness) -> None:
    app.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_function_call("c1", "exec_command", json.dumps({"cmd": COMMAND})),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r2"), ev_assistant_message("m1", "ok"), ev_completed("r2")]
        ),
    )
    server = app.start()
    server.initialize()
    started = server.request(
        1,
        "thread/start",
        {"cwd": str(app.workspace), "approvalPolicy": "never", "sandbox": "workspace-write"},
    )
    thread = started["result"]["thread"]["id"]
    server.request(2, "turn/start", {"threadId": thread, "input": [{"type": "text", "text": "go"}]})
    server.notification("turn/completed")
    assert server.close() == 0

    def about_c1(message: dict[str, object]) -> bool:
        params = message.get("params")
        if not isinstance(params, dict):
            return False
        item = params.get("item")
        return params.get("itemId") == "c1" or (isinstance(item, dict) and item.get("id") == "c1")

    trail = [m for m in server.messages if about_c1(m)]
    methods = [m["method"] for m in trail]
    assert methods[0] == "item/started" and methods[-1] == "item/completed", methods
    deltas = [m["params"] for m in trail if m["method"] == "item/commandExecution/outputDelta"]
    assert len(deltas) == len(trail) - 2 >= 2  # 'two' comes 0.3 s after 'one'
    assert all(d["threadId"] == thread and d["turnId"] for d in deltas)
    streamed = "".join(d["delta"] for d in deltas)
    assert streamed.endswith("one\ntwo\n")  # after whatever the login shell prints
    assert trail[-1]["params"]["item"]["aggregatedOutput"] == streamed
