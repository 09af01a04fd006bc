"""``ferry sync`` with the replay backend: answers recorded once from the llm backend talking
to a scripted OpenAI-compatible server on 127.0.0.1, then replayed in a fresh workspace with
no server at all, producing the same port."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pycodex.testing import MockResponsesServer, ScriptedResponse
from pycodex.testing.mock_responses import RecordedRequest
from sync_workspace import FUNCTION, HEADER, HISTORY, Workspace, git, make_workspace

from ferry.cli import main
from upstream.lock import read_lock

HISTORY_FN = [
    HISTORY[0],
    ("types: retry_delay", {"crates/demo/src/types.rs": HEADER + FUNCTION}),
    (
        "types: slower retry_delay",
        {"crates/demo/src/types.rs": HEADER + FUNCTION.replace("100 *", "250 *")},
    ),
]

DELAY_TEST = """import importlib


def test_retry_delay_grows_with_the_attempt() -> None:
    module = importlib.import_module("pydemo.types")
    if hasattr(module, "retry_delay"):
        assert module.retry_delay(2) == 2 * module.retry_delay(1) > 0
"""


def llm_toml(base_url: str, record: bool) -> str:
    return f"""
[translate.llm]
api = "chat"
base_url = "{base_url}"
model = "test-model"
api_key_env = "FERRY_SYNC_TEST_KEY"

[translate.replay]
record = {"true" if record else "false"}

[sync]
backend = "replay"
"""


def answer(request: RecordedRequest) -> ScriptedResponse:
    """Translate retry_delay like a model would, from the Rust text in the prompt."""
    prompt = "\n".join(str(m.get("content", "")) for m in request.json()["messages"])
    factor = 250 if "250 * u64::from(attempt)" in prompt else 100
    code = f"def retry_delay(attempt: int) -> int:\n    return {factor} * attempt\n"
    body = {
        "id": "chatcmpl-sync",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {
                    "role": "assistant",
                    "content": json.dumps({"code": code, "notes": ""}),
                },
            }
        ],
        "usage": {"prompt_tokens": 900, "completion_tokens": 40, "total_tokens": 940},
    }
    return ScriptedResponse(body=json.dumps(body), content_type="application/json")


def workspace(base: Path, toml: str) -> Workspace:
    ws = make_workspace(base, HISTORY_FN, extra_toml=toml)
    (ws.project / "port/tests/types/test_delay.py").write_text(DELAY_TEST)
    git(ws.project, "add", "-A")
    git(ws.project, "commit", "-q", "-m", "delay test")
    return ws


def sync(ws: Workspace) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["sync", "--config", str(ws.config)])
    summary = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, summary, result.stderr


def test_recorded_answers_replay_into_the_same_port_without_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERRY_SYNC_TEST_KEY", "test-key")
    with MockResponsesServer([answer, answer]) as server:
        recorder = workspace(tmp_path / "record", llm_toml(server.base_url, record=True))
        code, summary, err = sync(recorder)
        assert code == 0, err
        assert len(server.model_requests()) == 2
    assert [c["status"] for c in summary["commits"]] == ["committed", "committed"]
    assert summary["input_tokens"] == 1800 and summary["output_tokens"] == 80
    recordings = sorted((recorder.project / ".ferry/replay").glob("*.json"))
    assert len(recordings) == 2

    # a fresh workspace, the recordings copied in, and a base_url where nothing listens
    monkeypatch.delenv("FERRY_SYNC_TEST_KEY")
    replayer = workspace(tmp_path / "replay", llm_toml("http://127.0.0.1:9/v1", record=False))
    shutil.copytree(recorder.project / ".ferry/replay", replayer.project / ".ferry/replay")
    code, replayed, err = sync(replayer)
    assert code == 0, err
    assert replayed["backend"] == "replay" and replayed["outcome"] == "merged"
    types = (replayer.project / "port/pydemo/types.py").read_text()
    assert "return 250 * attempt" in types
    assert f"# ferry: demo::types::retry_delay @ {replayer.shas[2][:12]}" in types
    assert replayer.port_tree() == recorder.port_tree()
    lock = read_lock(replayer.project / "ferry.lock")
    assert lock is not None and lock.commit == replayer.shas[2]


def test_replay_without_a_recording_fails_and_says_how_to_record(tmp_path: Path) -> None:
    ws = workspace(tmp_path, llm_toml("http://127.0.0.1:9/v1", record=False))
    code, summary, err = sync(ws)
    assert code == 1, err
    reason = summary["commits"][0]["reason"]
    assert "no recorded answer" in reason and "record = true" in reason
    lock = read_lock(ws.project / "ferry.lock")
    assert lock is not None and lock.commit == ws.shas[0]
