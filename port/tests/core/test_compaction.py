"""Automatic compaction: the helpers, then whole runs of ``pycodex exec`` against the mock."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from exec_harness import ExecHarness
from pycodex.client.events import TokenUsage
from pycodex.config.model import Config, ModelProviderInfo
from pycodex.core import compaction
from pycodex.core.models import model_info
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_response_created,
    sse_failed,
)


def _user(text: str) -> dict[str, object]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def _answer(rid: str, text: str, tokens: int) -> ScriptedResponse:
    return ScriptedResponse.sse(
        [
            ev_response_created(rid),
            ev_assistant_message(f"m-{rid}", text),
            ev_completed_with_tokens(rid, tokens),
        ]
    )


def _call(rid: str, cmd: str, tokens: int) -> ScriptedResponse:
    args = json.dumps({"cmd": cmd})
    return ScriptedResponse.sse(
        [
            ev_response_created(rid),
            ev_function_call(f"c-{rid}", "exec_command", args),
            ev_completed_with_tokens(rid, tokens),
        ]
    )


def _metadata(request: object) -> dict[str, object]:
    header = request.header("x-codex-turn-metadata")  # type: ignore[attr-defined]
    assert header is not None
    value = json.loads(header)
    assert isinstance(value, dict)
    return value


# ----------------------------------------------------------------------------- helpers


def test_compacted_history_keeps_newest_user_messages_within_budget() -> None:
    old, middle, new = _user("a" * 400), _user("b" * 40), _user("c" * 40)
    history = compaction.build_compacted_history([old, middle, new], "SUMMARY", max_tokens=25)
    texts = [compaction.user_message_text(i) for i in history]
    # c (10 tokens) and b (10 tokens) fit; a is cut in the middle to the 5 tokens left
    assert texts[1:] == ["b" * 40, "c" * 40, "SUMMARY"]
    assert texts[0] is not None and "tokens truncated" in texts[0] and len(texts[0]) < 100
    assert compaction.build_compacted_history([], "")[-1]["content"] == [  # type: ignore[index]
        {"type": "input_text", "text": "(no summary available)"}
    ]


def test_summaries_of_earlier_compactions_are_not_user_messages() -> None:
    summary = _user(compaction.summary_prefix() + "\nold summary")
    context = _user("<environment_context>\n  <cwd>/w</cwd>\n</environment_context>")
    kept = compaction.collect_user_messages([context, _user("task"), summary])
    assert [compaction.user_message_text(i) for i in kept] == ["task"]


def test_initial_context_goes_before_the_last_real_user_message() -> None:
    ctx = [{"type": "message", "role": "developer", "content": []}]
    summary = _user(compaction.summary_prefix() + "\nS")
    history = [_user("t1"), _user("t2"), summary]
    assert compaction.insert_initial_context(history, ctx) == [
        _user("t1"),
        *ctx,
        _user("t2"),
        summary,
    ]
    # no real user message left: before the summary, so the summary stays last
    assert compaction.insert_initial_context([summary], ctx) == [*ctx, summary]
    item = {"type": "compaction", "encrypted_content": "x"}
    assert compaction.insert_initial_context([item], ctx) == [*ctx, item]
    assert compaction.insert_initial_context([], ctx) == ctx


def test_total_usage_adds_items_since_the_model_last_spoke() -> None:
    output = {"type": "function_call_output", "call_id": "c", "output": "x" * 400}
    history = [
        _user("t"),
        {"type": "function_call", "call_id": "c", "name": "n", "arguments": "{}"},
        output,
    ]
    used = compaction.total_usage_tokens(history, TokenUsage(total_tokens=1000))
    assert used == 1000 + compaction.estimate_item_tokens(output)
    assert compaction.estimate_item_tokens(output) > 100
    assert compaction.total_usage_tokens([], None) == 0


def _provider(name: str, base_url: str = "http://127.0.0.1:1/v1") -> ModelProviderInfo:
    return ModelProviderInfo(id="p", name=name, base_url=base_url)


def test_remote_compaction_is_for_openai_and_azure_only() -> None:
    assert compaction.uses_remote_compaction(_provider("OpenAI"))
    assert compaction.uses_remote_compaction(
        _provider("az", "https://x.openai.azure.com/openai/v1")
    )
    assert not compaction.uses_remote_compaction(_provider("mock"))
    assert not compaction.uses_remote_compaction(_provider("openai"))  # codex compares the name


def test_model_limits_follow_the_catalog_and_config(tmp_path: Path) -> None:
    def info(**kw: object) -> tuple[int, int]:
        config = Config(codex_home=tmp_path, cwd=tmp_path, model_provider=_provider("m"), **kw)  # type: ignore[arg-type]
        m = model_info(config)
        return m.model_context_window, m.auto_compact_token_limit

    assert info(model="gpt-5.5") == (258_400, 244_800)
    assert info(model="some-local-model") == (258_400, 244_800)  # codex's fallback window
    assert info(model="gpt-6.1-terra") == (475_000, 450_000)
    assert info(model="gpt-5.5", model_auto_compact_token_limit=1000) == (258_400, 1000)
    assert info(model="gpt-5.5", model_context_window=2000) == (1900, 1800)
    # a configured limit above 90% of the window does not raise it
    assert (
        info(model="gpt-5.5", model_context_window=2000, model_auto_compact_token_limit=5000)[1]
        == 1800
    )


def test_bad_limit_in_config_is_an_error_naming_the_key(harness: ExecHarness) -> None:
    harness.write_config(extra="model_auto_compact_token_limit = -5")
    run = harness.run("--json", "hi")
    assert run.returncode == 1
    assert "model_auto_compact_token_limit" in run.stderr and "positive integer" in run.stderr
    assert "Traceback" not in run.stderr


# ----------------------------------------------------------------------------- whole runs


def test_mid_turn_compaction_sends_the_summary_request_and_replaces_history(
    harness: ExecHarness,
) -> None:
    harness.write_config(extra="model_auto_compact_token_limit = 1000")
    harness.server.push(
        _call("r0", "echo hi", 2000), _answer("r1", "SUMMARY", 300), _answer("r2", "done", 500)
    )
    run = harness.run("--json", "do a long task")
    assert run.returncode == 0, run.stderr
    events = run.events()
    assert events[-1] == {
        "type": "turn.completed",
        "usage": {
            "input_tokens": 2800,
            "cached_input_tokens": 0,
            "cache_write_input_tokens": 0,
            "output_tokens": 0,
            "reasoning_output_tokens": 0,
        },
    }
    assert "context_compacted" not in run.stdout  # not a codex exec --json event
    first, compact, follow = harness.server.model_requests()
    body = compact.json()
    assert body["tools"] == [] and body["parallel_tool_calls"] is False
    assert body["input"][-1]["content"][0]["text"] == compaction.summarization_prompt()
    assert body["input"][-2]["type"] == "function_call_output"
    meta = _metadata(compact)
    assert meta["request_kind"] == "compaction"
    assert meta["compaction"] == {
        "trigger": "auto",
        "reason": "context_limit",
        "implementation": "responses",
        "phase": "mid_turn",
        "strategy": "memento",
    }
    assert "model" not in meta
    follow_input = follow.json()["input"]
    texts = [c["content"][0]["text"] for c in follow_input if c.get("type") == "message"]
    assert texts[-2] == "do a long task"
    assert texts[-1] == compaction.summary_prefix() + "\nSUMMARY"
    assert not any(i.get("type") == "function_call" for i in follow_input)
    assert _metadata(follow)["window_number"] == 1
    assert follow.header(
        "x-codex-window-id",
    ).endswith(":1")  # type: ignore[union-attr]
    assert first.header("x-codex-beta-features") == "remote_compaction_v2"
    # the rollout records the compaction and the token usage of every response
    lines = [json.loads(x) for x in harness.rollouts()[0].read_text().splitlines()]
    compacted = [x["payload"] for x in lines if x["type"] == "compacted"]
    assert len(compacted) == 1 and compacted[0]["window_number"] == 1
    assert compacted[0]["replacement_history"][-1]["content"][0]["text"].endswith("SUMMARY")
    records = [x["payload"]["response_id"] for x in lines if x["type"] == "token_usage_record"]
    assert records == ["r0", "r1", "r2"]
    # ... and the state database's log keeps a record of it
    with sqlite3.connect(harness.home / "logs_2.sqlite") as conn:
        logged = conn.execute("SELECT level, feedback_log_body, thread_id FROM logs").fetchall()
    thread = events[0]["thread_id"]
    assert logged == [
        ("INFO", "context compacted (mid_turn, local); window 1, 0 item(s) trimmed", thread)
    ]
    assert [x["ordinal"] for x in lines] == list(range(len(lines)))


def test_human_output_says_context_compacted(harness: ExecHarness) -> None:
    harness.write_config(extra="model_auto_compact_token_limit = 1000")
    harness.server.push(
        _call("r0", "echo hi", 2000), _answer("r1", "S", 10), _answer("r2", "done", 10)
    )
    run = harness.run("do a long task")
    assert run.returncode == 0, run.stderr
    assert "\ncontext compacted\n" in run.stderr
    assert run.stdout == "done\n"


def test_context_length_exceeded_while_compacting_drops_the_oldest_item(
    harness: ExecHarness,
) -> None:
    harness.write_config(extra="model_auto_compact_token_limit = 1000")
    overflow = ScriptedResponse(body=sse_failed("r1", "context_length_exceeded", "too long"))
    harness.server.push(
        _call("r0", "echo hi", 2000),
        overflow,
        _answer("r2", "SUMMARY", 100),
        _answer("r3", "done", 10),
    )
    run = harness.run("--json", "task")
    assert run.returncode == 0, run.stderr
    _first, tried, retried, _follow = harness.server.model_requests()
    tried_input, retried_input = tried.json()["input"], retried.json()["input"]
    assert len(retried_input) == len(tried_input) - 1
    # the base instructions stay; the oldest history item (the permissions message) goes
    assert retried_input[0] == tried_input[0]
    assert retried_input[1:] == tried_input[2:]


def test_remote_compaction_failure_without_compaction_item_fails_the_turn(
    harness: ExecHarness,
) -> None:
    harness.write_config(extra="model_auto_compact_token_limit = 1000")
    text = (harness.home / "config.toml").read_text().replace('name = "mock"', 'name = "OpenAI"')
    (harness.home / "config.toml").write_text(text)
    harness.server.push(_call("r0", "echo hi", 2000), _answer("r1", "not a compaction", 10))
    run = harness.run("--json", "task")
    assert run.returncode == 1
    message = (
        "Error running remote compact task: Fatal error: remote compaction v2 expected exactly "
        "one compaction output item, got 0 from 1 output items"
    )
    assert run.events()[-1] == {"type": "turn.failed", "error": {"message": message}}
    trigger = harness.server.model_requests()[1].json()
    assert trigger["input"][-1] == {"type": "compaction_trigger"}
    assert trigger["tools"]  # remote compaction keeps the turn's tools


def test_resume_after_compaction_starts_from_the_compacted_history(harness: ExecHarness) -> None:
    harness.write_config(extra="model_auto_compact_token_limit = 1000")
    harness.server.push(
        _call("r0", "echo one", 2000),
        _answer("r1", "SUMMARY A", 100),
        _answer("r2", "done one", 300),
    )
    assert harness.run("--json", "long task").returncode == 0
    harness.server.push(_answer("r3", "done two", 400))
    run = harness.run("--json", "resume", "--last", "next task")
    assert run.returncode == 0, run.stderr
    resumed = harness.server.model_requests()[-1]
    texts = [
        c["content"][0]["text"]
        for c in resumed.json()["input"]
        if c.get("type") == "message" and c["role"] in ("user", "assistant")
    ]
    assert texts[-4:] == [
        "long task",
        compaction.summary_prefix() + "\nSUMMARY A",
        "done one",
        "next task",
    ]
    meta = _metadata(resumed)
    assert meta["window_number"] == 1 and meta["history_initialization"] == "cold_resume"
    # the thread's running usage: both runs
    assert run.events()[-1]["usage"]["input_tokens"] == 2800  # type: ignore[index]


@pytest.mark.parametrize("tokens", [2000])
def test_resumed_thread_over_the_limit_compacts_before_the_new_message(
    harness: ExecHarness, tokens: int
) -> None:
    harness.write_config(extra="model_auto_compact_token_limit = 1000")
    harness.server.push(_answer("r0", "first done", tokens))
    assert harness.run("--json", "first task").returncode == 0
    harness.server.push(_answer("r1", "SUMMARY", 100), _answer("r2", "second done", 200))
    run = harness.run("--json", "resume", "--last", "second task")
    assert run.returncode == 0, run.stderr
    compact_request = harness.server.model_requests()[1]
    meta = _metadata(compact_request)
    assert meta["request_kind"] == "compaction"
    assert meta["compaction"]["phase"] == "pre_turn"  # type: ignore[index]
    # the new message is not part of what gets summarised
    assert "second task" not in json.dumps(compact_request.json()["input"])
