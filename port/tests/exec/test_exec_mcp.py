"""MCP, tool_search and skills through the real ``pycodex exec`` CLI and a scripted model."""

from __future__ import annotations

import json
import sys

from exec_harness import ExecHarness
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_response_created,
)

FIXTURE = f'command = "{sys.executable}"\nargs = ["-m", "pycodex.testing.mcp_fixture"]\n'


def _raw_item(item: dict[str, object]) -> dict[str, object]:
    return {"type": "response.output_item.done", "item": item}


def _turn(*items: dict[str, object]) -> ScriptedResponse:
    return ScriptedResponse.sse([ev_response_created("r"), *items, ev_completed("r")])


def test_mcp_tool_found_by_tool_search_and_called(harness: ExecHarness) -> None:
    harness.write_config(f"[mcp_servers.fixture]\n{FIXTURE}required = true\n")
    harness.server.push(
        _turn(
            _raw_item(
                {
                    "type": "tool_search_call",
                    "call_id": "t1",
                    "execution": "client",
                    "arguments": {"query": "add integers"},
                }
            )
        ),
        _turn(
            _raw_item(
                {
                    "type": "function_call",
                    "call_id": "c1",
                    "namespace": "mcp__fixture",
                    "name": "add",
                    "arguments": json.dumps({"a": 2, "b": 3}),
                }
            ),
            _raw_item(
                {
                    "type": "function_call",
                    "call_id": "c2",
                    "namespace": "mcp__fixture",
                    "name": "write_note",
                    "arguments": json.dumps({"filename": "n.txt", "text": "x"}),
                }
            ),
        ),
        _turn(ev_assistant_message("m", "done")),
    )
    run = harness.run("--json", "--skip-git-repo-check", "use the fixture")
    assert run.returncode == 0, run.stderr
    requests = harness.server.model_requests()
    first = requests[0].json()
    names = [t.get("name", t["type"]) for t in first["tools"]]
    assert names[2:5] == ["list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource"]
    assert "tool_search" in names
    developer = requests[0].message_input_texts("developer")
    assert any("- mcp__fixture: A fixture server for pycodex tests." in t for t in developer)
    search_output = requests[1].inputs_of_type("tool_search_output")[0]
    assert search_output["tools"][0]["name"] == "mcp__fixture"
    assert [t["name"] for t in search_output["tools"][0]["tools"]] == ["add"]
    add = requests[2].function_call_output("c1")
    assert add is not None and str(add["output"]).endswith('Output:\n{"sum":5}')
    refused = requests[2].function_call_output("c2")
    assert refused is not None
    assert refused["output"][1]["text"] == (
        "MCP tool call requires approval, but approval policy is never"
    )
    completed = [e for e in run.events() if e["type"] == "item.completed"]
    mcp_items = [e["item"] for e in completed if e["item"]["type"] == "mcp_tool_call"]  # type: ignore[index]
    assert {i["tool"]: i["status"] for i in mcp_items} == {  # type: ignore[index]
        "add": "completed",
        "write_note": "failed",
    }
    assert not (harness.workspace / "n.txt").exists()


def test_required_server_that_cannot_start_fails_the_run(harness: ExecHarness) -> None:
    harness.write_config(
        f'[mcp_servers.broken]\ncommand = "{sys.executable}"\n'
        'args = ["-m", "pycodex.testing.mcp_fixture", "--exit-at-start"]\nrequired = true\n'
    )
    run = harness.run("--json", "--skip-git-repo-check", "hi")
    assert run.returncode == 1
    assert "required MCP servers failed to initialize: broken:" in run.stderr
    assert harness.server.model_requests() == []


def test_bad_mcp_server_table_is_rejected_with_its_key(harness: ExecHarness) -> None:
    harness.write_config('[mcp_servers.bad]\ncommand = "x"\nargs = "not a list"\n')
    run = harness.run("--json", "--skip-git-repo-check", "hi")
    assert run.returncode == 1
    assert "mcp_servers.bad.args: expected a list of strings" in run.stderr
    assert "Traceback" not in run.stderr


def test_skill_listed_and_injected_on_mention(harness: ExecHarness) -> None:
    skill = harness.home / "skills" / "demo" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text("---\nname: demo\ndescription: A demo skill.\n---\nSteps.\n")
    harness.server.push(_turn(ev_assistant_message("m", "ok")))
    run = harness.run("--json", "--skip-git-repo-check", "use $demo please")
    assert run.returncode == 0, run.stderr
    request = harness.server.model_requests()[0]
    developer = request.message_input_texts("developer")
    fragment = next(t for t in developer if t.startswith("<skills_instructions>"))
    assert f"- `r0` = `{skill.parent.parent}`" in fragment
    assert "- demo: A demo skill. (file: r0/demo/SKILL.md)" in fragment
    user = request.message_input_texts("user")
    assert any(t.startswith("<skill>\n<name>demo</name>") for t in user)
