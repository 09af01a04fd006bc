"""A failing gate sends its text back to the model; the module is restored in between."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pycodex.testing import MockResponsesServer, ScriptedResponse

from translator.backends.llm import LlmBackend
from translator.config import LlmConfig, TranslateConfig
from translator.gates import CommandGate, GateResult
from translator.plan import Plan, PlannedItem, TranslationUnit
from translator.translate import Translator

TARGET = '"""m."""\n\n\ndef untouched() -> int:\n    return 1\n'


def _answer(code: str) -> ScriptedResponse:
    body = {
        "id": "c",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
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
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    return ScriptedResponse(body=json.dumps(body), content_type="application/json")


@dataclass
class SeenGate:
    """Fails while the merged module returns a negative number; records what it saw."""

    seen: list[str] = field(default_factory=list)
    name: str = "unit-tests"

    def check(self, path: Path, text: str) -> GateResult:
        self.seen.append(path.read_text())
        if "return x - 1" in text:
            return GateResult(False, "test_double: assert double(-1) == -2 failed")
        return GateResult(True)


def _plan(target: Path) -> Plan:
    item = PlannedItem(
        qualified_path="c::m::double",
        item_kind="fn",
        status="added",
        change_kind="new",
        file="codex-rs/c/src/m.rs",
        action="translate",
        python_symbol="double",
        new_text="pub fn double(x: i64) -> i64 { x * 2 }",
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
    return Plan(base="a" * 40, head="b" * 40, units=(unit,))


def test_gate_failure_is_fed_back_and_repaired(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text(TARGET)
    gate = SeenGate()
    wrong = "def double(x: int) -> int:\n    return x - 1\n"
    right = "def double(x: int) -> int:\n    return x * 2\n"
    with MockResponsesServer([_answer(wrong), _answer(right)]) as server:
        config = TranslateConfig(llm=LlmConfig(base_url=server.base_url, model="m"))
        translator = Translator(
            LlmBackend(config.llm, api_key="k"),
            config,
            base_dir=tmp_path,
            state_dir=tmp_path / "s",
            gates=[gate],
        )
        result = translator.run(_plan(target))
        second = server.model_requests()[1].json()
    assert result.units[0].outcome == "merged" and result.units[0].attempts == 2
    assert "failed the unit-tests gate" in second["messages"][-1]["content"]
    assert "assert double(-1) == -2" in second["messages"][-1]["content"]
    assert "return x - 1" in gate.seen[0]  # the gate judged the merged file on disk
    assert (
        target.read_text().endswith(right)
        and "def untouched() -> int:\n    return 1\n" in target.read_text()
    )


def test_command_gate_reports_exit_status(tmp_path: Path) -> None:
    ok = CommandGate("test -d {path}", tmp_path).check(tmp_path, "")
    assert ok.ok
    failed = CommandGate("echo broken >&2; exit 3", tmp_path).check(tmp_path / "x.py", "")
    assert not failed.ok and "exited 3" in failed.text and "broken" in failed.text
