"""Malformed but parseable SSE shapes never crash pycodex (issue 11, "No tracebacks").

The issue's examples go through the real ``pycodex exec`` CLI; a hypothesis
property then feeds generated JSON shapes for every Responses event type
through the real client, a real HTTP server and the real session (tools,
rollout): the turn completes or fails cleanly, and the rollout stays JSONL.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycodex.client import ModelClient
from pycodex.config import ConfigOverrides, load_config
from pycodex.core.session import Session
from pycodex.exec.output import JsonlPrinter
from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_response_created,
)
from sec_harness import PYCODEX, run_agent

BAD_EVENTS: dict[str, list[dict[str, Any]]] = {
    "item missing": [{"type": "response.output_item.done"}],
    "item a string": [{"type": "response.output_item.done", "item": "x"}],
    "response not an object": [{"type": "response.completed", "response": "x"}],
    "usage strings": [
        {
            "type": "response.completed",
            "response": {
                "id": "r",
                "usage": {"input_tokens": "1", "output_tokens": "2", "total_tokens": "3"},
            },
        }
    ],
    "content a string": [
        {
            "type": "response.output_item.done",
            "item": {"type": "message", "role": "assistant", "content": "hi"},
        }
    ],
    "parts not objects": [
        {
            "type": "response.output_item.done",
            "item": {"type": "message", "role": "assistant", "content": ["hi", 3]},
        }
    ],
    "delta a number": [{"type": "response.output_text.delta", "delta": 5}],
    "failed error a list": [{"type": "response.failed", "response": {"error": [1]}}],
}

#: How upstream ends the turn: ignored shapes complete it; a bad completion fails it.
FAILS = {"response not an object", "usage strings", "failed error a list"}


def _body(events: list[dict[str, Any]], complete: bool) -> str:
    tail = [ev_assistant_message("m1", "fine"), ev_completed("r1")] if complete else []
    lines = [f"event: {e.get('type', 'x')}\ndata: {json.dumps(e)}\n\n" for e in events]
    created = ev_response_created("r1")
    head = f"event: response.created\ndata: {json.dumps(created)}\n\n"
    tail_text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in tail)
    return head + "".join(lines) + tail_text


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_issue_shapes_through_the_cli(tmp_path: Path, case: str) -> None:
    fails = case in FAILS
    response = ScriptedResponse(body=_body(BAD_EVENTS[case], complete=not fails))
    run = run_agent(PYCODEX, [], base=tmp_path, responses=[response], args=())
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == (1 if fails else 0), run.stderr
    types = [e["type"] for e in run.events()]
    assert types[-1] == ("turn.failed" if fails else "turn.completed")
    if case == "usage strings":
        assert "failed to parse ResponseCompleted: response.usage.input_tokens" in run.stdout
    for rollout in (run.home / "sessions").rglob("*.jsonl"):
        for line in rollout.read_text().splitlines():
            json.loads(line)


# --------------------------------------------------------------------------- property

EVENT_TYPES = [
    "response.created",
    "response.output_item.added",
    "response.output_item.done",
    "response.output_text.delta",
    "response.reasoning_summary_text.delta",
    "response.reasoning_text.delta",
    "response.reasoning_summary_part.added",
    "response.custom_tool_call_input.delta",
    "response.completed",
    "response.failed",
    "response.incomplete",
    "response.in_progress",
]
ITEM_TYPES = [
    "message",
    "reasoning",
    "function_call",
    "custom_tool_call",
    "local_shell_call",
    "web_search_call",
    "function_call_output",
    "weird",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False),
    st.text(max_size=8),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


def _shaped(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the right keys, each value either plausible or arbitrary JSON."""
    return st.fixed_dictionaries(
        {}, optional={k: st.one_of(v, json_values) for k, v in keys.items()}
    )


text_part = st.fixed_dictionaries(
    {"type": st.sampled_from(["output_text", "input_text", "summary_text", "x"])},
    optional={"text": st.one_of(st.text(max_size=5), json_values)},
)
items = st.one_of(
    json_values,
    st.builds(
        lambda kind, rest: {"type": kind, **rest},
        st.sampled_from(ITEM_TYPES),
        _shaped(
            {
                "role": st.sampled_from(["assistant", "user"]),
                "content": st.lists(st.one_of(text_part, json_values), max_size=3),
                "summary": st.lists(st.one_of(text_part, json_values), max_size=3),
                "name": st.sampled_from(["no_such_tool", "apply_patch"]),
                "arguments": st.sampled_from(["{}", "[", '{"x": 1}']),
                "input": st.text(max_size=10),
                "call_id": st.text(max_size=4),
                "id": st.text(max_size=4),
                "action": st.fixed_dictionaries({"type": st.text(max_size=4)}),
                "status": st.text(max_size=4),
            }
        ),
    ),
)
responses = st.one_of(
    json_values,
    _shaped(
        {
            "id": st.text(max_size=4),
            "usage": _shaped(
                {
                    "input_tokens": st.integers(0, 10),
                    "output_tokens": st.integers(0, 10),
                    "total_tokens": st.integers(0, 10),
                    "input_tokens_details": _shaped({"cached_tokens": st.integers(0, 5)}),
                    "output_tokens_details": _shaped({"reasoning_tokens": st.integers(0, 5)}),
                }
            ),
            "error": _shaped({"code": st.text(max_size=4), "message": st.text(max_size=8)}),
            "incomplete_details": _shaped({"reason": st.text(max_size=4)}),
        }
    ),
)
events = st.builds(
    lambda kind, rest: {"type": kind, **rest},
    st.one_of(st.sampled_from(EVENT_TYPES), json_values),
    _shaped(
        {
            "item": items,
            "response": responses,
            "delta": st.text(max_size=5),
            "item_id": st.text(max_size=3),
            "call_id": st.text(max_size=3),
            "summary_index": st.integers(0, 3),
            "content_index": st.integers(0, 3),
        }
    ),
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("fuzz")
    (base / "home").mkdir()
    (base / "ws").mkdir()
    return base / "home", base / "ws"


#: Examples per run; a nightly run can raise it (``PYCODEX_FUZZ_EXAMPLES=2000``).
FUZZ_EXAMPLES = int(os.environ.get("PYCODEX_FUZZ_EXAMPLES", "40"))


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stream=st.lists(events, max_size=4), complete=st.booleans())
def test_generated_event_shapes_never_crash(
    world: tuple[Path, Path], stream: list[Any], complete: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, workspace = world
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in stream)
    if complete:
        body += f"data: {json.dumps(ev_completed('rz'))}\n\n"
    final = ScriptedResponse.sse(
        [ev_response_created("f"), ev_assistant_message("m", "ok"), ev_completed("f")]
    )
    with MockResponsesServer([ScriptedResponse(body=body), final, final]) as server:
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\n'
            f'name = "mock"\nbase_url = "{server.base_url}"\nwire_api = "responses"\n'
            'env_key = "MOCK_API_KEY"\nrequest_max_retries = 0\nstream_max_retries = 0\n'
        )
        config = load_config(ConfigOverrides(cwd=workspace), home=home)
        out = io.StringIO()
        session = Session(config, ModelClient(config.model_provider, "sk-test"), JsonlPrinter(out))
        try:
            session.start()
            outcome = session.run_turn("go")
        finally:
            session.close()
    printed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert printed[-1]["type"] == ("turn.failed" if outcome.error else "turn.completed")
    path = session.recorder.path
    assert path is not None
    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line)


@pytest.mark.oracle
@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_issue_shapes_end_the_turn_like_rust_codex(tmp_path: Path, case: str) -> None:
    from pycodex.testing.rust_oracle import oracle_home_root
    from sec_harness import codex_or_skip

    fails = case in FAILS
    response = ScriptedResponse(body=_body(BAD_EVENTS[case], complete=not fails))
    run = run_agent(
        codex_or_skip(),
        [],
        base=tmp_path,
        home_parent=oracle_home_root(),
        responses=[response],
        args=("--skip-git-repo-check",),
    )
    assert run.returncode == (1 if fails else 0), run.stderr
    assert run.events()[-1]["type"] == ("turn.failed" if fails else "turn.completed")


chat_chunks = st.one_of(
    json_values,
    _shaped(
        {
            "id": st.text(max_size=4),
            "choices": st.lists(
                st.one_of(
                    json_values,
                    _shaped(
                        {
                            "delta": _shaped(
                                {
                                    "content": st.text(max_size=4),
                                    "tool_calls": st.lists(
                                        _shaped(
                                            {
                                                "index": st.integers(0, 2),
                                                "id": st.text(max_size=3),
                                                "function": _shaped(
                                                    {
                                                        "name": st.sampled_from(
                                                            ["apply_patch", "x"]
                                                        ),
                                                        "arguments": st.sampled_from(
                                                            ['{"input": 3}', "[1]", "{", "{}"]
                                                        ),
                                                    }
                                                ),
                                            }
                                        ),
                                        max_size=2,
                                    ),
                                }
                            ),
                            "finish_reason": st.sampled_from(["stop", None]),
                        }
                    ),
                ),
                max_size=2,
            ),
            "usage": _shaped(
                {
                    "prompt_tokens": st.integers(0, 9),
                    "completion_tokens": st.integers(0, 9),
                    "total_tokens": st.integers(0, 9),
                    "prompt_tokens_details": _shaped({"cached_tokens": st.integers(0, 9)}),
                }
            ),
        }
    ),
)


@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(chat_chunks, max_size=5), done=st.booleans())
def test_generated_chat_chunks_never_crash(chunks: list[Any], done: bool) -> None:
    """The Chat Completions parser (a pycodex addition) holds the same line."""
    from pycodex.client.chat import parse_chat_stream
    from pycodex.client.events import Completed, OutputItemDone
    from pycodex.client.validate import item_is_well_formed
    from pycodex.errors import StreamError

    pairs = [("", json.dumps(c)) for c in chunks] + ([("", "[DONE]")] if done else [])
    try:
        produced = list(parse_chat_stream(iter(pairs), {"apply_patch"}))
    except StreamError:
        return
    assert isinstance(produced[-1], Completed)
    for event in produced:
        if isinstance(event, OutputItemDone):
            assert item_is_well_formed(event.item)
