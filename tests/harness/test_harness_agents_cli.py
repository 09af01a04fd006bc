"""``ferry bench tb --agent codex|pycodex`` reaches the model, and the key stays out of records.

The model is a real HTTP server on 127.0.0.1 with scripted answers; the agents run
inside the local task environment exactly as Harbor's codex adapter runs codex.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import TB1_TASKS, copy_task
from pycodex.testing import MockResponsesServer, ScriptedResponse
from pycodex.testing.mock_responses import (
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_response_created,
)
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

from ferry.cli import main
from harness.agents.codex_cli import ModelSettings

KEY = "sk-ferry-secret-7f3a9c1e5b"
KEY_ENV = "FERRY_BENCH_TEST_KEY"


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sandboxes go under the test's folder, so the key search covers them too."""
    path = tmp_path / "tmp"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path


@pytest.fixture(scope="module")
def rust_codex() -> Path:
    try:
        return codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"Rust codex unavailable: {exc}")


@pytest.fixture(scope="module")
def pycodex_bundle() -> Path:
    from harness.agents.base import AgentInstallError
    from harness.agents.codex_cli import build_standalone, default_dist_cache

    pytest.importorskip("PyInstaller")
    try:
        return build_standalone(default_dist_cache())
    except AgentInstallError as exc:
        pytest.skip(f"cannot build the pycodex bundle here: {exc}")


def _script() -> list[ScriptedResponse]:
    command = json.dumps({"cmd": "echo 'Hello, world!' > /app/hello.txt"})
    return [
        ScriptedResponse.sse([
            ev_response_created("r1"),
            ev_function_call("c1", "exec_command", command),
            ev_completed_with_tokens("r1", 120, input_tokens=100, output_tokens=20),
        ]),
        ScriptedResponse.sse([
            ev_response_created("r2"),
            ev_assistant_message("m1", "Created /app/hello.txt."),
            ev_completed_with_tokens("r2", 260, input_tokens=250, output_tokens=10),
        ]),
    ]  # fmt: skip


def _files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_exec_argv_is_harbors() -> None:
    settings = ModelSettings(
        model="openai/gpt-5.5", config_overrides=("model_reasoning_effort=high",)
    )
    assert settings.exec_argv("codex", "do it") == [
        "codex", "exec", "--dangerously-bypass-approvals-and-sandbox", "--skip-git-repo-check",
        "--model", "gpt-5.5", "--json", "--enable", "unified_exec",
        "-c", "model_reasoning_effort=high", "--", "do it",
    ]  # fmt: skip


@pytest.mark.parametrize("agent", ["codex", "pycodex"])
@pytest.mark.usefixtures("need_bwrap")
@pytest.mark.oracle
def test_agent_reaches_the_model_and_the_key_is_never_recorded(
    agent: str, tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    request.getfixturevalue("rust_codex" if agent == "codex" else "pycodex_bundle")
    monkeypatch.setenv(KEY_ENV, KEY)
    out = tmp_path / "runs"
    with MockResponsesServer(_script()) as server:
        result = CliRunner().invoke(main, [
            "bench", "tb", str(TB1_TASKS), "-t", "hello-world", "-a", agent, "-o", str(out),
            "--run-id", "k", "--base-url", server.base_url, "--api-key-env", KEY_ENV,
            "-m", "gpt-5.5", "-c", "model_reasoning_effort=low",
        ])  # fmt: skip
        requests = server.model_requests()
    assert result.exit_code == 0, result.output
    assert len(requests) == 2, result.output
    assert all(r.header("Authorization") == f"Bearer {KEY}" for r in requests)
    assert requests[0].json()["model"] == "gpt-5.5"
    data = json.loads((out / "k" / "results.json").read_text())
    trial = data["results"][0]
    assert trial["is_resolved"] is True, trial["message"]
    assert trial["total_input_tokens"] == 350 and trial["total_output_tokens"] == 30
    assert data["stamp"]["config"]["api_key_env"] == KEY_ENV
    # Harbor's layout: the JSON event stream in codex.txt, one session under sessions/.
    logs = out / "k" / "hello-world" / trial["trial_name"] / "agent-logs"
    events = [
        json.loads(line)
        for line in (logs / "codex.txt").read_text().splitlines()
        if line.startswith("{")
    ]
    assert events and events[0]["type"] == "thread.started"
    assert len(list((logs / "sessions").rglob("rollout-*.jsonl"))) == 1
    assert not (logs / "auth.json").exists()
    # The key is in no result, log or leftover sandbox.
    assert _files_containing(tmp_path, KEY) == []


def test_coding_agent_without_a_key_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    result = CliRunner().invoke(main, [
        "bench", "tb", str(TB1_TASKS), "-a", "codex", "--api-key-env", KEY_ENV,
        "-o", str(tmp_path),
    ])  # fmt: skip
    assert result.exit_code == 2
    assert f"set ${KEY_ENV}" in result.output
    bad = CliRunner().invoke(main, ["bench", "tb", str(TB1_TASKS), "-c", "no-equals-sign"])
    assert bad.exit_code == 2 and "is not KEY=VALUE" in bad.output


@pytest.mark.usefixtures("need_bwrap", "rust_codex", "pycodex_bundle")
@pytest.mark.oracle
def test_h2h_scripted_solutions_through_both_agents(tmp_path: Path, scratch: Path) -> None:
    dataset = tmp_path / "dataset"
    # Two tasks keep CI short: one shell-only, one whose files go through apply_patch.
    for name in ("hello-world", "write-config"):
        copy_task(TB1_TASKS / name, dataset)
    result = CliRunner().invoke(
        main, ["bench", "h2h", str(dataset), "-o", str(tmp_path / "h2h"), "--run-id", "x", "--json"]
    )
    assert result.exit_code == 0, result.output
    table = json.loads(result.output[result.output.index("{\n") :])
    everything = sorted(p.name for p in dataset.iterdir())
    assert table["oracle_resolved"] == everything
    assert table["both"] == everything, table
    assert table["only_a"] == table["only_b"] == table["neither"] == []
    text = CliRunner().invoke(main, [
        "bench", "h2h", table["runs"]["scripted-pycodex"], table["runs"]["scripted-codex"],
        "--name-a", "Python", "--name-b", "Rust",
    ])  # fmt: skip
    assert "only Python" in text.output and "only Rust" in text.output
    # The scripted model wrote files with apply_patch, not only shell commands.
    patches = list((tmp_path / "h2h" / "x").rglob("write-config.*/agent-logs/codex.txt"))
    assert len(patches) == 2 and all("file_change" in p.read_text() for p in patches)
    shutil.rmtree(tmp_path / "h2h", ignore_errors=True)
