"""``ferry sync --backend agent``: pycodex exec edits the worktree, a stub is sent back, resumed.

The scripted model (a Responses SSE server on 127.0.0.1) drives the real ``pycodex exec``:
it edits ``session.py`` through ``apply_patch`` (a stub first), runs the port's tests
through ``exec_command`` with the gate interpreter, and after ferry's stub guard rejects the
candidate, the same session is resumed with the failure text and fixes the body.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from incident_port import BODY_CHANGE_RS, make_incident_project
from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_apply_patch_custom_tool_call,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_response_created,
)
from sync_workspace import git

STUB_PATCH = """*** Begin Patch
*** Update File: port/pycodex/core/session.py
@@
     def run_turn(self, prompt: str) -> list[str]:
-        self.history.append(prompt)
-        return list(self.history)
+        return []
*** End Patch"""
FIX_PATCH = """*** Begin Patch
*** Update File: port/pycodex/core/session.py
@@
     def run_turn(self, prompt: str) -> list[str]:
-        return []
+        self.history.append(f"user: {prompt}")
+        return list(self.history)
*** End Patch"""
# The longest wait exec_command allows (30 s): the run takes a few seconds idle, and the
# agent must see it finish even on a loaded CI machine.
RUN_TESTS = json.dumps(
    {
        "cmd": '"$FERRY_GATE_PYTHON" -m pytest -q -p no:cacheprovider port/tests',
        "yield_time_ms": 30_000,
    }
)
# A catalog model: codex offers the freeform apply_patch tool only to models whose metadata
# names it (an unknown model gets fallback metadata without it), and so does pycodex.
AGENT_TOML = '\n[translate.agent]\nsandbox = "danger-full-access"\nmodel = "gpt-5.5"\n'


def _turn(rid: str, *events: dict[str, Any], tokens: tuple[int, int] = (0, 0)) -> ScriptedResponse:
    done = ev_completed_with_tokens(
        rid, sum(tokens), input_tokens=tokens[0], output_tokens=tokens[1]
    )
    return ScriptedResponse.sse([ev_response_created(rid), *events, done])


def test_agent_backend_edits_runs_tests_and_is_resumed_after_a_stub(tmp_path: Path) -> None:
    script = [
        _turn("r1", ev_apply_patch_custom_tool_call("p1", STUB_PATCH), tokens=(900, 40)),
        _turn("r2", ev_function_call("c1", "exec_command", RUN_TESTS), tokens=(1000, 20)),
        _turn("r3", ev_assistant_message("m1", "Translated run_turn."), tokens=(1100, 10)),
        _turn("r4", ev_apply_patch_custom_tool_call("p2", FIX_PATCH), tokens=(1300, 60)),
        _turn("r5", ev_assistant_message("m2", "Now it records the prefixed prompt."), tokens=(1400, 12)),
    ]  # fmt: skip
    with MockResponsesServer(script) as server:
        files = {"codex-rs/core/src/session.rs": BODY_CHANGE_RS}
        project, shas = make_incident_project(tmp_path, files, server.base_url, AGENT_TOML)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["FERRY_TEST_MODEL_KEY"] = "sk-test"
        proc = subprocess.run(
            [sys.executable, "-c", "from ferry.cli import main; main()", "sync",
             "--config", str(project / "ferry.toml"), "--backend", "agent", "--gate", "pytest"],
            cwd=project, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        requests = server.model_requests()
    summary = json.loads(proc.stdout[: proc.stdout.rindex("}") + 1])
    (commit,) = summary["commits"]
    assert proc.returncode == 0 and summary["outcome"] == "merged", proc.stderr
    assert commit["status"] == "committed" and commit["rounds"] == 1

    # the agent's fix is merged with ferry's provenance marker
    session = (project / "port/pycodex/core/session.py").read_text()
    assert 'self.history.append(f"user: {prompt}")' in session
    assert f"# ferry: codex_core::session::Session::run_turn @ {shas[1][:12]}" in session
    assert "return []" not in session

    # the agent ran the port's tests through exec_command with the gate interpreter, and
    # saw its stub break the CLI end-to-end test
    output = requests[2].function_call_output("c1")
    assert output is not None and ".F" in output["output"] and "[100%]" in output["output"]

    # the stub was rejected and the same session resumed with the failure text
    assert len(requests) == 5
    repair = requests[3].message_input_texts("user")[-1]
    assert "is a stub (`return []`)" in repair
    trajectories = sorted(Path(project / ".ferry/agent").rglob("*-attempt-*.json"))
    runs = [json.loads(p.read_text()) for p in trajectories]
    assert [r["format"] for r in runs] == ["ferry.agent-run/1"] * 2
    assert runs[0]["thread_id"] and runs[0]["thread_id"] == runs[1]["thread_id"]
    assert "resume" in runs[1]["argv"]
    events = [json.loads(line) for p in sorted(project.rglob("*-attempt-1.jsonl")) for line in p.read_text().splitlines()]  # fmt: skip
    assert any(e["type"] == "item.completed" and e["item"]["type"] == "file_change" for e in events)

    # tokens and cost come from the agent's turn.completed usage
    assert summary["input_tokens"] == sum(r["input_tokens"] for r in runs) > 0
    assert summary["output_tokens"] == sum(r["output_tokens"] for r in runs) > 0
    assert git(project, "log", "-1", "--format=%B").count("Ferry-Backend: agent") == 1
