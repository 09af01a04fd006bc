"""The llm backend against a scripted OpenAI-compatible server on 127.0.0.1, with one repair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pycodex.testing import MockResponsesServer, ScriptedResponse

from translator.backends.llm import LlmBackend
from translator.backends.replay import ReplayBackend
from translator.cache import AnswerCache
from translator.config import LlmConfig, Price, TranslateConfig
from translator.plan import Plan, PlannedItem, TranslationUnit
from translator.provenance import ProvenanceIndex
from translator.translate import Translator

RUST = "pub fn clamp_timeout(ms: u64) -> u64 {\n    ms.min(MAX_TIMEOUT_MS)\n}"
BAD = json.dumps({"code": "def clamp_timeout(ms: int) -> int:\n    pass\n", "notes": "first try"})
GOOD_CODE = "def clamp_timeout(ms: int) -> int:\n    return min(ms, MAX_TIMEOUT_MS)\n"
GOOD = json.dumps({"code": GOOD_CODE, "notes": "uses the module constant"})
TARGET = '"""Exec helpers."""\n\nMAX_TIMEOUT_MS = 600_000\n\n\ndef keep_me() -> str:\n    return "untouched"\n'


def chat_completion(content: str, prompt_tokens: int, completion_tokens: int) -> ScriptedResponse:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return ScriptedResponse(body=json.dumps(body), content_type="application/json")


def _plan(target: Path) -> Plan:
    item = PlannedItem(
        qualified_path="codex_core::exec::clamp_timeout",
        item_kind="fn",
        status="added",
        change_kind="new",
        file="codex-rs/core/src/exec.rs",
        action="translate",
        python_symbol="clamp_timeout",
        new_text=RUST,
        new_hash="abcdef0123456789",
    )
    unit = TranslationUnit(
        id="pycodex.core.exec",
        python_module="pycodex.core.exec",
        target_path=str(target),
        layer="core",
        order=0,
        items=(item,),
        est_input_tokens=100,
        est_output_tokens=50,
        est_cost_usd=0.0,
    )
    return Plan(base="a" * 40, head="b" * 40, units=(unit,))


def _config(base_url: str, budget: float = 1.0) -> TranslateConfig:
    return TranslateConfig(
        llm=LlmConfig(base_url=base_url, model="test-model"),
        prices={"test-model": Price(input=1.0, output=2.0)},
        budget_usd=budget,
        max_attempts=3,
    )


def _translator(
    tmp_path: Path, backend: LlmBackend | ReplayBackend, config: TranslateConfig
) -> Translator:
    return Translator(
        backend,
        config,
        base_dir=tmp_path,
        state_dir=tmp_path / "state",
        provenance=ProvenanceIndex(tmp_path / "state" / "provenance.sqlite"),
        cache=AnswerCache(tmp_path / "state" / "cache"),
        run_id="run1",
    )


def test_round_trip_with_one_repair(tmp_path: Path) -> None:
    target = tmp_path / "port" / "pycodex" / "core" / "exec.py"
    target.parent.mkdir(parents=True)
    target.write_text(TARGET)
    with MockResponsesServer(
        [chat_completion(BAD, 1000, 100), chat_completion(GOOD, 1200, 120)]
    ) as server:
        config = _config(server.base_url)
        translator = _translator(tmp_path, LlmBackend(config.llm, api_key="sk-test"), config)
        result = translator.run(_plan(target))
        requests = server.model_requests()

    assert [r.path for r in requests] == ["/v1/chat/completions", "/v1/chat/completions"]
    first, second = requests[0].json(), requests[1].json()
    assert first["model"] == "test-model"
    assert first["response_format"]["type"] == "json_schema"
    assert "clamp_timeout" in first["messages"][0]["content"]  # expected names in the system prompt
    assert RUST in first["messages"][1]["content"]
    assert "Result<T, E>" in first["messages"][0]["content"]  # the idiom table
    # the repair request carries the rejected answer and the check's failure text
    assert second["messages"][2] == {"role": "assistant", "content": BAD}
    assert "placeholder body" in second["messages"][3]["content"]

    unit = result.units[0]
    assert unit.outcome == "merged" and unit.attempts == 2
    assert (unit.input_tokens, unit.output_tokens) == (2200, 220)
    assert unit.cost_usd == pytest.approx((2200 * 1.0 + 220 * 2.0) / 1e6)
    assert result.calls == 2 and result.cost_usd == pytest.approx(unit.cost_usd)

    merged = target.read_text()
    assert merged == TARGET + (
        "\n\n# ferry: codex_core::exec::clamp_timeout @ bbbbbbbbbbbb abcdef01\n" + GOOD_CODE
    )
    attempts = sorted(
        (tmp_path / "state" / "attempts" / "run1" / "pycodex.core.exec").glob("*.json")
    )
    records = [json.loads(p.read_text()) for p in attempts]
    assert [(r["attempt"], r["outcome"], r["stage"]) for r in records] == [
        (1, "rejected", "check"),
        (2, "accepted", "done"),
    ]
    assert all(r["format"] == "ferry.attempt/1" for r in records)
    run = json.loads((tmp_path / "state" / "attempts" / "run1" / "run.json").read_text())
    assert run["format"] == "ferry.translate-run/1" and run["calls"] == 2

    with ProvenanceIndex(tmp_path / "state" / "provenance.sqlite") as index:
        (record,) = index.for_rust("codex_core::exec::clamp_timeout")
        assert (record.python_module, record.python_symbol, record.commit) == (
            "pycodex.core.exec",
            "clamp_timeout",
            "b" * 40,
        )


def test_unchanged_prompt_hits_the_cache_and_costs_nothing(tmp_path: Path) -> None:
    target = tmp_path / "exec.py"
    target.write_text(TARGET)
    with MockResponsesServer([chat_completion(GOOD, 900, 90)]) as server:
        config = _config(server.base_url)
        first = _translator(tmp_path, LlmBackend(config.llm, api_key="k"), config).run(
            _plan(target)
        )
        target.write_text(TARGET)  # the same unit again, e.g. a rerun after a failed gate elsewhere
        second = _translator(tmp_path, LlmBackend(config.llm, api_key="k"), config).run(
            _plan(target)
        )
        assert len(server.model_requests()) == 1
    assert first.calls == 1 and first.cache_hits == 0
    assert second.calls == 0 and second.cache_hits == 1 and second.cost_usd == 0
    assert second.units[0].outcome == "merged"


def test_budget_cap_stops_before_calling(tmp_path: Path) -> None:
    target = tmp_path / "exec.py"
    target.write_text(TARGET)
    with MockResponsesServer([chat_completion(GOOD, 900, 90)]) as server:
        config = _config(server.base_url, budget=0.0)
        result = _translator(tmp_path, LlmBackend(config.llm, api_key="k"), config).run(
            _plan(target)
        )
        assert server.model_requests() == []
    assert result.units[0].outcome == "failed"
    assert "budget" in result.units[0].error
    assert target.read_text() == TARGET


def test_record_then_replay_offline(tmp_path: Path) -> None:
    target = tmp_path / "exec.py"
    target.write_text(TARGET)
    recordings = tmp_path / "replay"
    with MockResponsesServer([chat_completion(BAD, 10, 5), chat_completion(GOOD, 20, 6)]) as server:
        config = _config(server.base_url)
        recorder = ReplayBackend(recordings, inner=LlmBackend(config.llm, api_key="k"))
        recorded = Translator(recorder, config, base_dir=tmp_path, state_dir=tmp_path / "s1").run(
            _plan(target)
        )
    assert recorded.units[0].attempts == 2
    assert len(list(recordings.glob("*.json"))) == 2
    after_record = target.read_text()

    target.write_text(TARGET)
    replayer = ReplayBackend(recordings, model="test-model")
    replayed = Translator(
        replayer, _config("http://127.0.0.1:9/v1"), base_dir=tmp_path, state_dir=tmp_path / "s2"
    ).run(_plan(target))
    assert replayed.units[0].outcome == "merged" and replayed.units[0].attempts == 2
    assert target.read_text() == after_record


def test_replay_without_recording_fails_with_instructions(tmp_path: Path) -> None:
    target = tmp_path / "exec.py"
    target.write_text(TARGET)
    result = Translator(
        ReplayBackend(tmp_path / "empty", model="test-model"),
        _config("http://127.0.0.1:9/v1"),
        base_dir=tmp_path,
        state_dir=tmp_path / "s",
    ).run(_plan(target))
    assert result.units[0].outcome == "failed"
    assert "no recorded answer" in result.units[0].error and "record" in result.units[0].error


def test_attempts_are_bounded(tmp_path: Path) -> None:
    target = tmp_path / "exec.py"
    target.write_text(TARGET)
    with MockResponsesServer([chat_completion(BAD, 1, 1) for _ in range(3)]) as server:
        config = _config(server.base_url)
        result = _translator(tmp_path, LlmBackend(config.llm, api_key="k"), config).run(
            _plan(target)
        )
        assert len(server.model_requests()) == 3
    assert result.units[0].outcome == "failed" and result.units[0].attempts == 3
    assert target.read_text() == TARGET


def test_method_of_a_class_the_target_lacks_adds_the_class(tmp_path: Path) -> None:
    target = tmp_path / "exec.py"
    target.write_text(TARGET)
    code = "class Runner:\n    def kill(self, pid: int) -> bool:\n        return pid > 0\n"
    item = PlannedItem(
        qualified_path="codex_core::exec::Runner::kill",
        item_kind="method",
        status="added",
        change_kind="new",
        file="codex-rs/core/src/exec.rs",
        action="translate",
        python_symbol="Runner.kill",
        new_text="pub fn kill(&self, pid: i32) -> bool { pid > 0 }",
        new_hash="0badc0de00000000",
    )
    plan = _plan(target)
    plan = plan.model_copy(update={"units": (plan.units[0].model_copy(update={"items": (item,)}),)})
    with MockResponsesServer(
        [chat_completion(json.dumps({"code": code, "notes": ""}), 5, 5)]
    ) as server:
        config = _config(server.base_url)
        translator = _translator(tmp_path, LlmBackend(config.llm, api_key="k"), config)
        result = translator.run(plan)
        system = server.model_requests()[0].json()["messages"][0]["content"]
    assert "In class `Runner`, define the methods kill" in system
    assert result.units[0].outcome == "merged", result.units[0].error
    assert target.read_text() == TARGET + (
        "\n\nclass Runner:\n"
        "    # ferry: codex_core::exec::Runner::kill @ bbbbbbbbbbbb 0badc0de\n"
        "    def kill(self, pid: int) -> bool:\n        return pid > 0\n"
    )
    assert translator.provenance is not None
    (record,) = translator.provenance.for_rust("codex_core::exec::Runner::kill")
    assert record.python_symbol == "Runner.kill"


def test_cache_survives_changes_elsewhere_in_the_module(tmp_path: Path) -> None:
    """Another symbol added to the module (by another unit) does not invalidate the answer."""
    target = tmp_path / "exec.py"
    target.write_text(TARGET)
    with MockResponsesServer([chat_completion(GOOD, 900, 90)]) as server:
        config = _config(server.base_url)
        _translator(tmp_path, LlmBackend(config.llm, api_key="k"), config).run(_plan(target))
        target.write_text(TARGET + "\n\ndef added_by_another_unit() -> int:\n    return 3\n")
        second = _translator(tmp_path, LlmBackend(config.llm, api_key="k"), config).run(
            _plan(target)
        )
        assert len(server.model_requests()) == 1
    assert second.cache_hits == 1 and second.units[0].outcome == "merged"
    assert (
        "def added_by_another_unit" in target.read_text()
        and "def clamp_timeout" in target.read_text()
    )
