"""The same scripted conversation through the real Rust ``codex exec`` and ``pycodex exec``.

Both binaries get a fresh workspace, a fresh CODEX_HOME (outside $TMPDIR, which the
Rust binary requires) and their own scripted server; the JSONL events, the files
left behind and the tool output fed back to the model must agree once volatile
fields (ids, chunk ids, wall times) are normalised.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_reasoning_item,
    ev_response_created,
)
from pycodex.testing.mock_responses import RecordedRequest
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

pytestmark = pytest.mark.oracle


def script() -> list[ScriptedResponse]:
    return [
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_reasoning_item("rs1", ["Creating the file."]),
                ev_function_call(
                    "call_1",
                    "exec_command",
                    json.dumps({"cmd": "printf 'hello\\n' > out.txt && cat out.txt && ls"}),
                ),
                ev_completed_with_tokens(
                    "r1", 100, input_tokens=80, output_tokens=20, cached_input_tokens=10
                ),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r2"),
                ev_function_call("call_2", "exec_command", json.dumps({"cmd": "exit 3"})),
                ev_completed_with_tokens("r2", 40),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r3"),
                ev_assistant_message("m1", "Wrote out.txt."),
                ev_completed_with_tokens("r3", 50),
            ]
        ),
    ]


@dataclass
class Outcome:
    returncode: int
    events: list[dict[str, object]]
    files: dict[str, bytes]
    requests: list[RecordedRequest]


def run_binary(argv: list[str], label: str) -> Outcome:
    home = Path(tempfile.mkdtemp(prefix=f"{label}-home-", dir=oracle_home_root()))
    workspace_root = Path(tempfile.mkdtemp(prefix=f"{label}-"))
    workspace = workspace_root / "ws"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    try:
        with MockResponsesServer(script()) as server:
            (home / "config.toml").write_text(
                'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
                f'base_url = "{server.base_url}"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
            )
            # An empty $HOME keeps the caller's login profile (pyenv hooks and the like,
            # which print to stderr depending on machine state) out of `bash -lc` output.
            user_home = workspace_root / "home"
            user_home.mkdir()
            env = {
                **os.environ,
                "CODEX_HOME": str(home),
                "MOCK_API_KEY": "sk-test",
                "HOME": str(user_home),
            }
            proc = subprocess.run(
                [*argv, "exec", "--json", "-s", "workspace-write", "make a file"],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                stdin=subprocess.DEVNULL,
            )
            requests = server.model_requests()
        files = {
            str(p.relative_to(workspace)): p.read_bytes()
            for p in sorted(workspace.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(workspace).parts
        }
        events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        return Outcome(proc.returncode, events, files, requests)
    finally:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(workspace_root, ignore_errors=True)


def normalize_output(text: str) -> str:
    text = re.sub(r"Chunk ID: [0-9a-f]{6}", "Chunk ID: <id>", text)
    return re.sub(r"Wall time: [0-9.]+ seconds", "Wall time: <t> seconds", text)


@pytest.fixture(scope="module")
def outcomes() -> Iterator[tuple[Outcome, Outcome]]:
    try:
        rust = codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"Rust oracle unavailable: {exc}")
    from pycodex.sandbox import sandbox_available

    reason = sandbox_available()
    if reason is not None:
        pytest.skip(f"no Linux sandbox here, both binaries need one for workspace-write: {reason}")
    rust_outcome = run_binary([str(rust)], "rust")
    py_outcome = run_binary([sys.executable, "-c", "from pycodex._entry import main; main()"], "py")
    yield rust_outcome, py_outcome


def test_same_exit_code_and_files(outcomes: tuple[Outcome, Outcome]) -> None:
    rust, py = outcomes
    assert rust.returncode == py.returncode == 0
    assert py.files == rust.files == {"out.txt": b"hello\n"}


def test_same_jsonl_events(outcomes: tuple[Outcome, Outcome]) -> None:
    rust, py = outcomes

    def shape(events: list[dict[str, object]]) -> list[object]:
        out: list[object] = []
        for event in events:
            if event["type"] == "thread.started":
                out.append({"type": "thread.started"})
            else:
                out.append(event)
        return out

    assert shape(py.events) == shape(rust.events)


def test_same_tool_outputs_fed_back(outcomes: tuple[Outcome, Outcome]) -> None:
    rust, py = outcomes
    assert len(py.requests) == len(rust.requests) == 3
    for call_id, index in (("call_1", 1), ("call_2", 2)):
        rust_out = rust.requests[index].function_call_output_text(call_id)
        py_out = py.requests[index].function_call_output_text(call_id)
        assert rust_out is not None and py_out is not None
        assert normalize_output(py_out) == normalize_output(rust_out)


def test_same_request_shape(outcomes: tuple[Outcome, Outcome]) -> None:
    rust, py = outcomes
    for rust_req, py_req in zip(rust.requests, py.requests, strict=True):
        r, p = rust_req.json(), py_req.json()
        assert sorted(p) == sorted(r)
        for key in (
            "model",
            "stream",
            "tool_choice",
            "parallel_tool_calls",
            "reasoning",
            "store",
            "include",
            "text",
        ):
            assert p[key] == r[key], key
        assert [(i["type"], i.get("role"), sorted(i)) for i in py_req.input()] == [
            (i["type"], i.get("role"), sorted(i)) for i in rust_req.input()
        ]
        rust_tools = {t.get("name", t["type"]): t for t in r["tools"]}
        for tool in p["tools"]:
            key = tool.get("name", tool["type"])
            assert tool == rust_tools[key], key
    # Context messages the model sees must match except the base instructions, which are our own.
    rust_input, py_input = rust.requests[0].input(), py.requests[0].input()
    rust_env = [c["text"] for c in rust_input[2]["content"]]
    py_env = [c["text"] for c in py_input[2]["content"]]
    assert [re.sub(r"/tmp/\w+-\w+/ws", "<ws>", t) for t in py_env] == [
        re.sub(r"/tmp/\w+-\w+/ws", "<ws>", t) for t in rust_env
    ]
    rust_perm = [
        c["text"] for c in rust_input[1]["content"] if c["text"].startswith("<permissions")
    ]
    py_perm = [c["text"] for c in py_input[1]["content"] if c["text"].startswith("<permissions")]
    assert [re.sub(r"/tmp/\w+-\w+/ws", "<ws>", t) for t in py_perm] == [
        re.sub(r"/tmp/\w+-\w+/ws", "<ws>", t) for t in rust_perm
    ]
