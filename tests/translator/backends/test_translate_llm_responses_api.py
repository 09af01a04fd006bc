"""The llm backend over the Responses API (``[translate.llm] api = "responses"``), with a repair."""

from __future__ import annotations

import json
from pathlib import Path

from pycodex.testing import MockResponsesServer, ScriptedResponse

from translator.backends.llm import LlmBackend
from translator.config import LlmConfig, TranslateConfig
from translator.plan import Plan, PlannedItem, TranslationUnit
from translator.translate import Translator


def response(code: str, input_tokens: int, output_tokens: int) -> ScriptedResponse:
    text = json.dumps({"code": code, "notes": ""})
    body = {
        "id": "resp_1",
        "object": "response",
        "created_at": 0,
        "model": "codex-test",
        "status": "completed",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
        "parallel_tool_calls": False,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }
    return ScriptedResponse(body=json.dumps(body), content_type="application/json")


def test_responses_api_round_trip_with_repair(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text('"""m."""\n')
    item = PlannedItem(
        qualified_path="c::m::is_even",
        item_kind="fn",
        status="added",
        change_kind="new",
        file="codex-rs/c/src/m.rs",
        action="translate",
        python_symbol="is_even",
        new_text="pub fn is_even(x: u32) -> bool { x % 2 == 0 }",
    )
    unit = TranslationUnit(
        id="pycodex.m",
        python_module="pycodex.m",
        target_path=str(target),
        layer="core",
        order=0,
        items=(item,),
        est_input_tokens=1,
        est_output_tokens=1,
        est_cost_usd=0.0,
    )
    plan = Plan(base="a" * 40, head="b" * 40, units=(unit,))
    wrong = "def is_even(x: int) -> bool:\n    ...\n"
    right = "def is_even(x: int) -> bool:\n    return x % 2 == 0\n"
    with MockResponsesServer([response(wrong, 30, 3), response(right, 40, 4)]) as server:
        config = TranslateConfig(
            llm=LlmConfig(api="responses", base_url=server.base_url, model="codex-test")
        )
        result = Translator(
            LlmBackend(config.llm, api_key="k"), config, base_dir=tmp_path, state_dir=tmp_path / "s"
        ).run(plan)
        requests = server.model_requests()
    assert [r.path for r in requests] == ["/v1/responses", "/v1/responses"]
    first = requests[0].json()
    assert first["text"]["format"]["type"] == "json_schema"
    assert first["input"][0]["role"] == "system" and "is_even" in first["input"][0]["content"]
    assert "placeholder body" in requests[1].json()["input"][-1]["content"]
    assert result.units[0].outcome == "merged" and result.units[0].attempts == 2
    assert (result.input_tokens, result.output_tokens) == (70, 7)
    assert target.read_text().endswith(right)
