"""End-to-end runs of ``pycodex exec`` against a scripted Responses server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from exec_harness import ExecHarness
from pycodex.testing import (
    ScriptedResponse,
    ev_apply_patch_custom_tool_call,
    ev_assistant_message,
    ev_completed,
    ev_completed_with_tokens,
    ev_function_call,
    ev_reasoning_item,
    ev_response_created,
    sse,
)
from pycodex.testing.mock_responses import RecordedRequest

BYPASS = "--dangerously-bypass-approvals-and-sandbox"


def exec_call(call_id: str, cmd: str, **extra: object) -> dict[str, object]:
    return ev_function_call(call_id, "exec_command", json.dumps({"cmd": cmd, **extra}))


def test_two_turn_exec_creates_file_and_feeds_output_back(harness: ExecHarness) -> None:
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                exec_call("call_1", "echo hello > out.txt && cat out.txt"),
                ev_completed_with_tokens(
                    "r1", 100, input_tokens=80, output_tokens=20, cached_input_tokens=10
                ),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r2"),
                ev_assistant_message("m1", "Created out.txt."),
                ev_completed_with_tokens("r2", 50),
            ]
        ),
    )
    run = harness.run("--json", BYPASS, "make a file")
    assert run.returncode == 0, run.stderr
    assert (harness.workspace / "out.txt").read_text() == "hello\n"

    events = run.events()
    assert [e["type"] for e in events] == [
        "thread.started",
        "turn.started",
        "item.started",
        "item.completed",
        "item.completed",
        "turn.completed",
    ]
    command = events[3]["item"]
    assert command["type"] == "command_execution"
    assert command["command"].endswith("-lc 'echo hello > out.txt && cat out.txt'")
    assert command["exit_code"] == 0 and command["status"] == "completed"
    assert command["aggregated_output"].endswith("hello\n")
    assert events[4]["item"] == {
        "id": "item_1",
        "type": "agent_message",
        "text": "Created out.txt.",
    }
    assert events[5]["usage"] == {
        "input_tokens": 130,
        "cached_input_tokens": 10,
        "cache_write_input_tokens": 0,
        "output_tokens": 20,
        "reasoning_output_tokens": 0,
    }

    first, second = harness.server.model_requests()
    assert first.path == "/v1/responses"
    assert first.header("authorization") == "Bearer sk-test"
    body = first.json()
    assert body["model"] == "gpt-5.5" and body["stream"] is True
    assert [t.get("name", t["type"]) for t in body["tools"]] == [
        "exec_command",
        "write_stdin",
        "request_user_input",
        "apply_patch",
        "view_image",
        "get_goal",
        "create_goal",
        "update_goal",
        "tool_search",
        "web_search",
    ]
    output = second.function_call_output_text("call_1")
    assert output is not None
    lines = output.split("\n")
    assert lines[0].startswith("Chunk ID: ") and len(lines[0]) == len("Chunk ID: ") + 6
    assert lines[1].startswith("Wall time: ") and lines[1].endswith(" seconds")
    assert lines[2] == "Process exited with code 0"
    assert lines[3].startswith("Original token count: ")
    assert lines[4] == "Output:"
    assert output.endswith("hello\n")
    assert [i["type"] for i in second.input()][-2:] == ["function_call", "function_call_output"]

    rollouts = harness.rollouts()
    assert len(rollouts) == 1
    lines_json = [json.loads(line) for line in rollouts[0].read_text().splitlines()]
    assert lines_json[0]["type"] == "session_meta"
    assert lines_json[0]["payload"]["id"] == events[0]["thread_id"]
    assert {"response_item", "turn_context", "event_msg"} <= {line["type"] for line in lines_json}
    token_counts = [
        line["payload"]
        for line in lines_json
        if line["type"] == "event_msg" and line["payload"]["type"] == "token_count"
    ]
    assert token_counts[-1]["info"]["total_token_usage"]["total_tokens"] == 150


def test_initial_context_has_permissions_agents_md_and_environment(harness: ExecHarness) -> None:
    (harness.workspace / "AGENTS.md").write_text("Always be brief.\n")
    (harness.home / "AGENTS.md").write_text("global rule\n")
    harness.server.push(
        ScriptedResponse.sse(
            [ev_response_created("r1"), ev_assistant_message("m", "ok"), ev_completed("r1")]
        )
    )
    run = harness.run("--json", "-s", "read-only", "hi")
    assert run.returncode == 0, run.stderr
    request = harness.server.model_requests()[0]
    items = request.input()
    assert [(i["type"], i.get("role")) for i in items] == [
        ("message", "developer"),
        ("message", "developer"),
        ("message", "user"),
        ("message", "user"),
    ]
    developer = items[1]["content"][0]["text"]
    assert developer.startswith("<permissions instructions>\n")
    assert (
        "`sandbox_mode` is `read-only`" in developer
        and "Network access is restricted." in developer
    )
    agents, env = (part["text"] for part in items[2]["content"])
    assert agents == (
        f"# AGENTS.md instructions for {harness.workspace}\n\n<INSTRUCTIONS>\nglobal rule\n\n"
        "--- project-doc ---\n\nAlways be brief.\n\n</INSTRUCTIONS>"
    )
    assert env.startswith(
        f"<environment_context>\n  <cwd>{harness.workspace}</cwd>\n  <shell>bash</shell>"
    )
    assert items[3]["content"][0]["text"] == "hi"


def test_piped_stdin_is_appended_to_prompt(harness: ExecHarness) -> None:
    harness.server.push(
        ScriptedResponse.sse(
            [ev_response_created("r1"), ev_assistant_message("m", "ok"), ev_completed("r1")]
        )
    )
    run = harness.run("--json", "summarize", stdin="line one\nline two\n")
    assert run.returncode == 0, run.stderr
    prompt = harness.server.model_requests()[0].message_input_texts("user")[-1]
    assert prompt == "summarize\n\n<stdin>\nline one\nline two\n</stdin>"


def test_dash_reads_whole_prompt_from_stdin(harness: ExecHarness) -> None:
    harness.server.push(
        ScriptedResponse.sse(
            [ev_response_created("r1"), ev_assistant_message("m", "ok"), ev_completed("r1")]
        )
    )
    run = harness.run("--json", "-", stdin="from stdin")
    assert run.returncode == 0, run.stderr
    assert harness.server.model_requests()[0].message_input_texts("user")[-1] == "from stdin"


def test_empty_stdin_prompt_is_an_error(harness: ExecHarness) -> None:
    run = harness.run("-", stdin="  \n")
    assert run.returncode == 1
    assert "No prompt provided via stdin." in run.stderr
    assert harness.server.model_requests() == []


def test_refuses_outside_git_repo_unless_skipped(harness: ExecHarness, tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    run = harness.run("--json", "hi", cwd=outside)
    assert run.returncode == 1
    assert (
        "Not inside a trusted directory and --skip-git-repo-check was not specified." in run.stderr
    )
    harness.server.push(
        ScriptedResponse.sse(
            [ev_response_created("r1"), ev_assistant_message("m", "ok"), ev_completed("r1")]
        )
    )
    run = harness.run("--json", "--skip-git-repo-check", "hi", cwd=outside)
    assert run.returncode == 0, run.stderr


def test_human_mode_prints_only_final_message_on_stdout(harness: ExecHarness) -> None:
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_reasoning_item("rs", ["pondering"]),
                exec_call("c1", "echo side-effect"),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r2"),
                ev_assistant_message("m", "The answer."),
                ev_completed("r2"),
            ]
        ),
    )
    run = harness.run(BYPASS, "question")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "The answer.\n"
    assert "pondering" in run.stderr and "side-effect" in run.stderr


def test_output_last_message_file_and_output_schema(harness: ExecHarness, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
        "additionalProperties": False,
    }
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(schema))
    out_file = tmp_path / "last.txt"
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_assistant_message("m", '{"ok":true}'),
                ev_completed("r1"),
            ]
        )
    )
    run = harness.run(
        "--json", "--output-schema", str(schema_file), "-o", str(out_file), "answer in json"
    )
    assert run.returncode == 0, run.stderr
    assert out_file.read_text() == '{"ok":true}'
    text = harness.server.model_requests()[0].json()["text"]
    assert text["format"] == {
        "type": "json_schema",
        "strict": True,
        "schema": schema,
        "name": "codex_output_schema",
    }


def test_long_running_command_becomes_session_polled_by_write_stdin(harness: ExecHarness) -> None:
    def answer_with_session_id(request: RecordedRequest) -> ScriptedResponse:
        first_output = request.function_call_output_text("c1") or ""
        match = re.search(r"Process running with session ID (\d+)", first_output)
        assert match is not None, first_output
        args = {"session_id": int(match.group(1)), "chars": "x\n", "yield_time_ms": 2000}
        return ScriptedResponse.sse(
            [
                ev_response_created("r2"),
                ev_function_call("c2", "write_stdin", json.dumps(args)),
                ev_completed("r2"),
            ]
        )

    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                # stdin is a terminal only with tty=true (without one it is closed, as upstream)
                exec_call("c1", "read line; echo got:$line", yield_time_ms=300, tty=True),
                ev_completed("r1"),
            ]
        ),
        answer_with_session_id,
        ScriptedResponse.sse(
            [
                ev_response_created("r3"),
                ev_function_call("c3", "write_stdin", json.dumps({"session_id": 1, "chars": ""})),
                ev_completed("r3"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r4"), ev_assistant_message("m", "done"), ev_completed("r4")]
        ),
    )
    run = harness.run("--json", BYPASS, "interactive")
    assert run.returncode == 0, run.stderr
    requests = harness.server.model_requests()
    first = requests[1].function_call_output_text("c1") or ""
    assert "Process running with session ID " in first and "Process exited with code" not in first
    second = requests[2].function_call_output_text("c2") or ""
    assert "Process exited with code 0" in second and second.endswith("got:x\r\n")
    assert requests[3].function_call_output_text("c3") == "write_stdin failed: Unknown process id 1"
    events = run.events()
    started = [e["item"] for e in events if e["type"] == "item.started"]
    completed = [
        e["item"]
        for e in events
        if e["type"] == "item.completed" and e["item"]["type"] == "command_execution"
    ]
    assert len(started) == 1 and completed[0]["id"] == started[0]["id"]
    assert completed[0]["exit_code"] == 0
    assert completed[0]["aggregated_output"].endswith("got:x\r\n")


def test_unsupported_tool_is_reported_to_the_model(harness: ExecHarness) -> None:
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_function_call("c1", "update_plan", "{}"),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r2"), ev_assistant_message("m", "ok"), ev_completed("r2")]
        ),
    )
    run = harness.run("--json", "plan")
    assert run.returncode == 0, run.stderr
    assert (
        harness.server.model_requests()[1].function_call_output_text("c1")
        == "unsupported call: update_plan"
    )


def test_plan_tool_emits_todo_list_when_enabled(harness: ExecHarness) -> None:
    plan = {
        "plan": [
            {"step": "read", "status": "completed"},
            {"step": "write", "status": "in_progress"},
        ]
    }
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_function_call("c1", "update_plan", json.dumps(plan)),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r2"), ev_assistant_message("m", "ok"), ev_completed("r2")]
        ),
    )
    run = harness.run("--json", "--enable", "plan_tool", "plan")
    assert run.returncode == 0, run.stderr
    todo = [e for e in run.events() if e.get("item", {}).get("type") == "todo_list"]
    assert [e["type"] for e in todo] == ["item.started", "item.completed"]
    assert todo[-1]["item"]["items"] == [
        {"text": "read", "completed": True},
        {"text": "write", "completed": False},
    ]
    assert "update_plan" in [
        t.get("name") for t in harness.server.model_requests()[0].json()["tools"]
    ]


def test_resume_last_continues_the_recorded_history(harness: ExecHarness) -> None:
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_assistant_message("m1", "first answer"),
                ev_completed("r1"),
            ]
        )
    )
    first = harness.run("--json", "first question")
    assert first.returncode == 0, first.stderr
    thread_id = first.events()[0]["thread_id"]
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r2"),
                ev_assistant_message("m2", "second answer"),
                ev_completed("r2"),
            ]
        )
    )
    second = harness.run("--json", "resume", "--last", "second question")
    assert second.returncode == 0, second.stderr
    assert second.events()[0] == {"type": "thread.started", "thread_id": thread_id}
    texts = harness.server.model_requests()[1].message_input_texts("user")
    assert "first question" in texts and texts[-1] == "second question"
    assistant = harness.server.model_requests()[1].message_input_texts("assistant")
    assert assistant == ["first answer"]
    rollouts = harness.rollouts()
    assert len(rollouts) == 1, "a resumed thread appends to its own rollout"
    assert "second answer" in rollouts[0].read_text()
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r3"),
                ev_assistant_message("m3", "third answer"),
                ev_completed("r3"),
            ]
        )
    )
    third = harness.run("--json", "resume", thread_id, "third question")
    assert third.returncode == 0, third.stderr
    assert third.events()[0]["thread_id"] == thread_id
    assert harness.server.model_requests()[2].message_input_texts("assistant") == [
        "first answer",
        "second answer",
    ]


def test_ephemeral_writes_no_rollout(harness: ExecHarness) -> None:
    harness.server.push(
        ScriptedResponse.sse(
            [ev_response_created("r1"), ev_assistant_message("m", "ok"), ev_completed("r1")]
        )
    )
    run = harness.run("--json", "--ephemeral", "hi")
    assert run.returncode == 0, run.stderr
    assert harness.rollouts() == []


@pytest.mark.parametrize("mode", ["read-only", "workspace-write"])
def test_sandbox_blocks_writes_outside_writable_roots(
    harness: ExecHarness, tmp_path: Path, mode: str
) -> None:
    from pycodex.sandbox import sandbox_available

    reason = sandbox_available()
    if reason is not None:
        pytest.skip(f"no sandbox on this machine: {reason}")
    outside = tmp_path / "outside"
    outside.mkdir()
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                exec_call("c1", f"echo x > {outside}/f.txt; echo x > inside.txt"),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r2"), ev_assistant_message("m", "ok"), ev_completed("r2")]
        ),
    )
    # /tmp and $TMPDIR are writable roots by default; exclude them so tmp_path is "outside".
    run = harness.run(
        "--json",
        "-s",
        mode,
        "-c",
        "sandbox_workspace_write.exclude_slash_tmp=true",
        "-c",
        "sandbox_workspace_write.exclude_tmpdir_env_var=true",
        "write",
    )
    assert run.returncode == 0, run.stderr
    assert not (outside / "f.txt").exists()
    assert (harness.workspace / "inside.txt").exists() == (mode == "workspace-write")
    output = harness.server.model_requests()[1].function_call_output_text("c1") or ""
    assert "Read-only file system" in output


def test_sse_helper_renders_event_lines() -> None:
    body = sse([ev_response_created("r")])
    assert (
        body
        == 'event: response.created\ndata: {"type":"response.created","response":{"id":"r"}}\n\n'
    )


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63fccfc0500f0004850180848c9921"
    "0000000049454e44ae426082"
)


def test_view_image_and_hosted_web_search(harness: ExecHarness) -> None:
    (harness.workspace / "dot.png").write_bytes(PNG_1X1)
    search = {
        "type": "response.output_item.done",
        "item": {
            "type": "web_search_call",
            "id": "ws1",
            "status": "completed",
            "action": {"type": "search", "query": "weather"},
        },
    }
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_function_call("c1", "view_image", json.dumps({"path": "dot.png"})),
                ev_function_call("c2", "view_image", json.dumps({"path": "missing.png"})),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r2"), search, ev_assistant_message("m", "ok"), ev_completed("r2")]
        ),
    )
    run = harness.run("--json", "look")
    assert run.returncode == 0, run.stderr
    second = harness.server.model_requests()[1]
    image = second.function_call_output("c1")
    assert image is not None and image["output"] == [
        {
            "type": "input_image",
            "image_url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP8z8BQDwAEhQGAhIyZIQAAAABJRU5ErkJggg==",
            "detail": "original",
        }
    ]
    missing = second.function_call_output_text("c2")
    assert (
        missing
        == f"unable to locate image at `{harness.workspace / 'missing.png'}`: No such file or directory (os error 2)"
    )
    tools = harness.server.model_requests()[0].json()["tools"]
    assert {
        "type": "web_search",
        "external_web_access": False,
        "search_content_types": ["text", "image"],
    } in tools
    lines = run.stdout.splitlines()
    # Upstream's web_search item carries two "id" keys; the line is reproduced byte for byte.
    assert lines[2] == (
        '{"type":"item.started","item":{"id":"item_0","type":"web_search","id":"ws1","query":"weather",'
        '"action":{"type":"search","query":"weather"}}}'
    )
    assert lines[3].startswith(
        '{"type":"item.completed","item":{"id":"item_0","type":"web_search","id":"ws1"'
    )


def test_apply_patch_heredoc_through_exec_command_and_empty_patch(harness: ExecHarness) -> None:
    (harness.workspace / "sub").mkdir()
    script = "cd sub && apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: made.txt\n+hi\n*** End Patch\nEOF\n"
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                exec_call("c1", script),
                ev_apply_patch_custom_tool_call("c2", "*** Begin Patch\n*** End Patch\n"),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r2"), ev_assistant_message("m", "ok"), ev_completed("r2")]
        ),
    )
    run = harness.run("--json", "-s", "workspace-write", "patch")
    assert run.returncode == 0, run.stderr
    assert (harness.workspace / "sub" / "made.txt").read_text() == "hi\n"
    request = harness.server.model_requests()[1]
    nested = request.function_call_output_text("c1") or ""
    assert re.fullmatch(
        r"Wall time: \d+\.\d{4} seconds\nOutput:\nExit code: 0\nWall time: [\d.]+ seconds\nOutput:\n"
        r"Success\. Updated the following files:\nA made\.txt\n",
        nested,
    ), nested
    assert request.function_call_output_text("c2") == "patch rejected: empty patch"
    changes = [
        e["item"]
        for e in run.events()
        if e["type"] == "item.completed" and e["item"]["type"] == "file_change"
    ]
    assert changes[0]["changes"] == [
        {"path": str(harness.workspace / "sub" / "made.txt"), "kind": "add"}
    ]


def test_image_flag_attaches_images_before_the_prompt(harness: ExecHarness) -> None:
    (harness.workspace / "dot.png").write_bytes(PNG_1X1)
    harness.server.push(
        ScriptedResponse.sse(
            [ev_response_created("r1"), ev_assistant_message("m", "ok"), ev_completed("r1")]
        )
    )
    run = harness.run("--json", "describe", "-i", "dot.png")
    assert run.returncode == 0, run.stderr
    message = harness.server.model_requests()[0].input()[-1]
    assert message["role"] == "user"
    assert [part["type"] for part in message["content"]] == [
        "input_text",
        "input_image",
        "input_text",
        "input_text",
    ]
    assert message["content"][0]["text"] == '<image name=[Image #1] path="dot.png">'
    assert message["content"][1]["image_url"].startswith("data:image/png;base64,iVBORw0KGgo")
    assert [part.get("text") for part in message["content"][2:]] == ["</image>", "describe"]
    # a file that cannot be read does not stop the run: the turn says so instead (as codex)
    harness.server.push(
        ScriptedResponse.sse(
            [ev_response_created("r2"), ev_assistant_message("m", "ok"), ev_completed("r2")]
        )
    )
    missing = harness.run("--json", "describe", "-i", "nope.png")
    assert missing.returncode == 0, missing.stderr
    parts = harness.server.model_requests()[1].input()[-1]["content"]
    assert parts[0]["text"] == (
        "Codex could not read the local image at `nope.png`: No such file or directory (os error 2)"
    )


def test_rules_forbid_commands_unless_ignored(harness: ExecHarness) -> None:
    rules = harness.home / "rules"
    rules.mkdir()
    (rules / "default.rules").write_text(
        'prefix_rule(pattern=["touch"], decision="forbidden", justification="no touching")\n'
    )
    for _ in range(2):
        harness.server.push(
            ScriptedResponse.sse(
                [ev_response_created("r1"), exec_call("c1", "touch marker"), ev_completed("r1")]
            ),
            ScriptedResponse.sse(
                [ev_response_created("r2"), ev_assistant_message("m", "ok"), ev_completed("r2")]
            ),
        )
    run = harness.run("--json", BYPASS, "touch it")
    assert run.returncode == 0, run.stderr
    refused = harness.server.model_requests()[1].function_call_output_text("c1") or ""
    assert "no touching" in refused and not (harness.workspace / "marker").exists()
    run = harness.run("--json", BYPASS, "--ignore-rules", "touch it")
    assert run.returncode == 0, run.stderr
    assert (harness.workspace / "marker").exists()


def test_sigterm_kills_running_command_sessions(harness: ExecHarness, tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                exec_call("c1", f"echo $$ > {pid_file}; sleep 60", yield_time_ms=30000),
                ev_completed("r1"),
            ]
        ),
    )
    env = {**os.environ, "CODEX_HOME": str(harness.home), "MOCK_API_KEY": "sk-test"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pycodex._entry import main; main()",
            "exec",
            "--json",
            BYPASS,
            "wait",
        ],
        cwd=harness.workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, "the command never started"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 130
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the command session outlived pycodex"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


def test_goal_tools_follow_upstream_shapes(harness: ExecHarness) -> None:
    def call(call_id: str, name: str, args: dict[str, object]) -> dict[str, object]:
        return ev_function_call(call_id, name, json.dumps(args))

    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                call("c0", "update_goal", {"status": "complete"}),
                call("c1", "create_goal", {"objective": "ship it", "token_budget": 1000}),
                ev_completed_with_tokens("r1", 100),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r2"),
                call("c2", "create_goal", {"objective": "again"}),
                call("c3", "get_goal", {}),
                ev_completed_with_tokens("r2", 300),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r3"),
                call("c4", "create_goal", {"objective": "x", "token_budget": 0}),
                call("c5", "update_goal", {"status": "complete"}),
                ev_completed("r3"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r4"), ev_assistant_message("m", "done"), ev_completed("r4")]
        ),
    )
    run = harness.run("--json", "goal")
    assert run.returncode == 0, run.stderr
    final = harness.server.model_requests()[-1]
    assert (
        final.function_call_output_text("c0")
        == "cannot update goal because this thread has no goal"
    )
    created = json.loads(final.function_call_output_text("c1") or "{}")
    assert created["goal"]["objective"] == "ship it" and created["goal"]["status"] == "active"
    assert created["goal"]["tokenBudget"] == 1000 and created["remainingTokens"] == 1000
    assert list(created["goal"]) == [
        "threadId",
        "objective",
        "status",
        "tokenBudget",
        "tokensUsed",
        "timeUsedSeconds",
        "createdAt",
        "updatedAt",
    ]
    assert created["goal"]["threadId"] == run.events()[0]["thread_id"]
    injected = [i for i in final.input() if i.get("name") == "goal_objective"]
    assert (
        len(injected) == 1
        and injected[0]["namespace"] == "agent"
        and injected[0]["output"] == "ship it"
    )
    assert "unfinished goal" in (final.function_call_output_text("c2") or "")
    after = json.loads(final.function_call_output_text("c3") or "{}")
    assert after["goal"]["tokensUsed"] == 300 and after["remainingTokens"] == 700
    assert final.function_call_output_text("c4") == "goal budgets must be positive when provided"
    done = json.loads(final.function_call_output_text("c5") or "{}")
    assert done["goal"]["status"] == "complete" and done["completionBudgetReport"].startswith(
        "Goal achieved."
    )
    names = [t.get("name") for t in harness.server.model_requests()[0].json()["tools"]]
    assert names[names.index("view_image") + 1 : names.index("view_image") + 4] == [
        "get_goal",
        "create_goal",
        "update_goal",
    ]
