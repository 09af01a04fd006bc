"""The agent backend's own checks: its edits elsewhere in the port, its events, its config."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from translator.backends.agent import AgentBackend, parse_events
from translator.backends.base import TranslationRequest
from translator.config import TranslateConfig
from translator.errors import ConfigError


def _backend(workdir: Path) -> AgentBackend:
    return AgentBackend(
        TranslateConfig(), workdir=workdir, target_root=workdir / "port",
        state_dir=workdir / ".ferry", env={"OPENAI_API_KEY": "sk-test"},
    )  # fmt: skip


def test_edits_outside_the_unit_are_checked(tmp_path: Path) -> None:
    port = tmp_path / "port/pycodex/core"
    port.mkdir(parents=True)
    (port / "session.py").write_text("def run() -> int:\n    return 1\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    # what an agent might leave behind: a shadowing package and a placeholder helper
    (port / "session").mkdir()
    (port / "session/__init__.py").write_text('"""oops."""\n')
    (port / "helpers.py").write_text("def helper() -> int:\n    raise NotImplementedError\n")
    request = TranslationRequest(
        unit_id="u", python_module="pycodex.core.other", items=(), expected_names=("x",),
        expected_methods={}, messages=(), prompt_hash="h", target_path=str(port / "other.py"),
    )  # fmt: skip
    problems = _backend(tmp_path)._tree_problems(request)
    text = "\n".join(problems)
    assert "pycodex/core/session/__init__.py: a new package that shadows session.py" in text
    assert "pycodex/core/helpers.py: line 1: function helper has a placeholder body" in text


def test_events_give_thread_usage_and_message() -> None:
    stdout = "\n".join(
        json.dumps(e)
        for e in [
            {"type": "thread.started", "thread_id": "t-1"},
            {"type": "item.completed", "item": {"type": "agent_message", "text": "done"}},
            {"type": "turn.completed", "usage": {"input_tokens": 10, "cached_input_tokens": 2, "output_tokens": 3}},
            {"type": "turn.completed", "usage": {"input_tokens": 5, "output_tokens": 1}},
        ]
    ) + "\nnot json\n"  # fmt: skip
    thread, usage, message, count, error = parse_events(stdout)
    assert (thread, usage.input_tokens, usage.output_tokens, message, count, error) == (
        "t-1",
        15,
        4,
        "done",
        4,
        "",
    )


def test_missing_api_key_is_a_clear_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\$OPENAI_API_KEY.*\[translate.agent\].api_key_env"):
        AgentBackend(
            TranslateConfig(), workdir=tmp_path, target_root=tmp_path, state_dir=tmp_path, env={}
        )
