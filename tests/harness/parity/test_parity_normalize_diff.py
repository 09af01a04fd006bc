"""Normalisation erases only volatile values; the diff reports exact JSON pointers."""

from __future__ import annotations

import json
from pathlib import Path

from harness.parity.diff import MISSING, diff_values, first_difference_offset
from harness.parity.normalize import Normalizer, spawn_status_settled, stderr_lines, unordered

ROOT = "/cache/parity-1/case/s1"
NORM = Normalizer((ROOT,))


def test_volatile_text_is_replaced() -> None:
    text = (
        "Chunk ID: 9f3a2b\nWall time: 0.1234 seconds\nProcess running with session ID 8812\n"
        "thread 01a21331-2c60-7631-8965-94a74f9c6bc8 at 2026-11-25T14:54:20.663485Z on 127.0.0.1:45983"
    )
    assert NORM.text(text) == (
        "Chunk ID: <CHUNK>\nWall time: <WALL> seconds\nProcess running with session ID <SESSION>\n"
        "thread <UUID> at <TIMESTAMP> on 127.0.0.1:<PORT>"
    )


def test_behavioural_text_is_kept() -> None:
    text = "Process exited with code 3\nOriginal token count: 16\nOutput:\nls: missing.txt: No such file\n"
    assert NORM.text(text) == text


def test_root_paths_are_replaced_in_values_and_keys() -> None:
    value = {"cwd": f"{ROOT}/ws", f"{ROOT}/ws": {"dirty": False}}
    assert NORM.value(value) == {"cwd": "<ROOT>/ws", "<ROOT>/ws": {"dirty": False}}


def test_volatile_keys_and_embedded_json() -> None:
    meta = json.dumps({"turn_started_at_unix_ms": 17, "model": "gpt-5.5", "installation_id": "abc"})
    value = {"prompt_cache_key": "k1", "x-codex-turn-metadata": meta, "reasoning": None}
    normalized = NORM.value(value)
    assert normalized["prompt_cache_key"] == "<VOLATILE>"
    assert json.loads(normalized["x-codex-turn-metadata"]) == {
        "installation_id": "<VOLATILE>",
        "model": "gpt-5.5",
        "turn_started_at_unix_ms": "<VOLATILE>",
    }
    assert normalized["reasoning"] is None


def test_two_sides_with_different_roots_normalise_equal() -> None:
    other = Normalizer(("/cache/parity-1/case/s2",))
    left = {"text": f"wrote {ROOT}/ws/a.txt", "id": "0b5e1d3c-1111-4222-8333-944445555666"}
    right = {
        "text": "wrote /cache/parity-1/case/s2/ws/a.txt",
        "id": "7c0e1d3c-1111-4222-8333-944445555777",
    }
    assert NORM.value(left) == other.value(right)


def test_unordered_erases_item_ids_and_sorts() -> None:
    a = [
        {"type": "item.started", "item": {"id": "item_0", "cmd": "b"}},
        {"type": "item.started", "item": {"id": "item_1", "cmd": "a"}},
    ]
    b = [
        {"type": "item.started", "item": {"id": "item_0", "cmd": "a"}},
        {"type": "item.started", "item": {"id": "item_1", "cmd": "b"}},
    ]
    assert a != b
    assert unordered(a) == unordered(b)


def test_diff_paths_and_missing_values() -> None:
    expected = {
        "requests": [{"body": {"model": "gpt-5.5", "tools": ["a", "b"]}}],
        "exit": {"code": 0},
        "a/b": 1,
    }
    actual = {
        "requests": [{"body": {"model": "gpt-5", "tools": ["a"]}}],
        "exit": {"code": 0},
        "extra": True,
    }
    diffs = {d.path: (d.expected, d.actual) for d in diff_values(expected, actual)}
    assert diffs == {
        "/requests/0/body/model": ("gpt-5.5", "gpt-5"),
        "/requests/0/body/tools/1": ("b", MISSING),
        "/a~1b": (1, MISSING),
        "/extra": (MISSING, True),
    }


def test_diff_distinguishes_types_and_equal_values_give_nothing() -> None:
    assert diff_values({"x": [1, {"y": "z"}]}, {"x": [1, {"y": "z"}]}) == []
    assert [d.path for d in diff_values({"n": 1}, {"n": True})] == ["/n"]
    assert [d.path for d in diff_values({"n": 1}, {"n": 1.0})] == ["/n"]


def test_first_difference_offset() -> None:
    assert first_difference_offset("abcdef", "abcxef") == 3
    assert first_difference_offset("abc", "abcdef") == 3


def test_normalizer_treats_resolved_root(tmp_path: Path) -> None:
    norm = Normalizer((str(tmp_path), str(tmp_path.resolve())))
    assert norm.text(f"{tmp_path.resolve()}/x") == "<ROOT>/x"


def test_long_strings_get_a_note_locating_the_first_difference() -> None:
    expected = "x" * 100 + "tail-a"
    actual = "x" * 100 + "tail-b"
    (diff,) = diff_values({"t": expected}, {"t": actual})
    assert diff.note is not None
    assert diff.note.startswith("lengths 106/106, first difference at 105:")
    assert diff_values({"t": "short"}, {"t": "shorT"})[0].note is None


def test_stderr_keeps_cli_messages_and_drops_log_records() -> None:
    stderr = (
        "Reading additional input from stdin...\n"
        "2026-11-25T14:54:20.663485Z ERROR codex_core::tools::router: error=unsupported call\n"
        "\n"
        "Warning: no last agent message; wrote empty content to last.txt\n"
    )
    assert stderr_lines(stderr) == [
        "Reading additional input from stdin...",
        "Warning: no last agent message; wrote empty content to last.txt",
    ]


def _collab(tool: str, status: str) -> dict[str, object]:
    return {
        "type": "item.completed",
        "item": {
            "type": "collab_tool_call",
            "tool": tool,
            "agents_states": {"<UUID>": {"status": status, "message": None}},
        },
    }


def test_spawn_status_race_is_settled_but_nothing_else() -> None:
    settled = spawn_status_settled(
        [
            _collab("spawn_agent", "running"),
            _collab("spawn_agent", "errored"),
            _collab("wait", "running"),
            {"type": "turn.completed"},
        ]
    )
    assert settled == [
        _collab("spawn_agent", "pending_init"),
        _collab("spawn_agent", "errored"),  # a failed spawn stays a difference
        _collab("wait", "running"),  # only spawn's snapshot races
        {"type": "turn.completed"},
    ]


def test_stderr_drops_only_pycodex_notes_about_what_it_lacks() -> None:
    stderr = (
        "warning: config key `plugins` is not supported by pycodex yet and has no effect: x\n"
        "warning: pycodex does not implement the feature(s) memories; enabling them has no\n"
        "warning: Untrusted project-local configuration is disabled.\n"
        "Reading additional input from stdin...\n"
    )
    # codex's own warnings stay compared; a line naming pycodex is the port's declared note
    assert stderr_lines(stderr) == [
        "warning: Untrusted project-local configuration is disabled.",
        "Reading additional input from stdin...",
    ]
