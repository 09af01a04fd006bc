"""Scenario loading: the shipped set is valid and bad files name the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.parity.errors import ScenarioError
from harness.parity.oracle import DEFAULT_SCENARIOS
from harness.parity.scenario import load_scenario, load_scenarios

REQUIRED_COVERAGE = {
    "exec_success",
    "exec_failure",
    "exec_long_output",
    "exec_yield_timeout",
    "exec_command_write_stdin",
    "apply_patch_add",
    "apply_patch_update",
    "apply_patch_move",
    "apply_patch_delete",
    "apply_patch_failure",
    "update_plan",
    "multi_turn",
    "sandbox_read_only_denied",
    "sandbox_workspace_write_denied",
    "agents_md",
    "stdin_prompt",
    "output_last_message",
    "output_schema",
    "fault_500_then_success",
    "fault_429_retry_after",
    "fault_stream_cut",
    "fault_malformed_event",
    "reasoning_items",
}


def test_shipped_scenarios_load_and_cover_the_required_behaviours() -> None:
    scenarios = load_scenarios(DEFAULT_SCENARIOS)
    names = {s.name for s in scenarios}
    assert len(scenarios) >= 25
    assert names >= REQUIRED_COVERAGE, sorted(REQUIRED_COVERAGE - names)
    assert all(s.description for s in scenarios), "every scenario says what it checks"


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bare_event_lists_are_turns_and_name_defaults_to_stem(tmp_path: Path) -> None:
    path = _write(tmp_path, "prompt: p\nturns:\n  - [{assistant_message: hi}]\n", "my_case.yaml")
    scenario = load_scenario(path)
    assert scenario.name == "my_case"
    assert scenario.turns[0].events[0].assistant_message == "hi"


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "prompt: p\nturns: [\n  - oops: [\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value)
    assert "line" in str(info.value)


def test_unknown_event_kind_names_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "prompt: p\nturns:\n  - events:\n      - teleport: {x: 1}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message
    assert "turns.0.events.0" in message


def test_missing_prompt_and_stdin_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "turns:\n  - [{assistant_message: hi}]\n")
    with pytest.raises(ScenarioError, match="give a prompt, stdin, or both"):
        load_scenario(path)


def test_files_may_not_escape_the_workspace(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "prompt: p\nfiles: {'../evil': x}\nturns:\n  - [{assistant_message: hi}]\n"
    )
    with pytest.raises(ScenarioError, match="field files"):
        load_scenario(path)


def test_error_status_cannot_carry_events(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "prompt: p\nturns:\n  - {status: 500, events: [{assistant_message: x}]}\n"
    )
    with pytest.raises(ScenarioError, match=r"turns\.0"):
        load_scenario(path)


def test_only_selects_and_rejects_unknown_names(tmp_path: Path) -> None:
    _write(tmp_path, "prompt: p\nturns:\n  - [{assistant_message: a}]\n", "a.yaml")
    _write(tmp_path, "prompt: p\nturns:\n  - [{assistant_message: b}]\n", "b.yaml")
    assert [s.name for s in load_scenarios(tmp_path, ["b"])] == ["b"]
    with pytest.raises(ScenarioError, match="no scenario named"):
        load_scenarios(tmp_path, ["c"])


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"no \*\.yaml"):
        load_scenarios(tmp_path)
