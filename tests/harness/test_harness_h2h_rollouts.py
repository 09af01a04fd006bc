"""Head-to-head tables and token counts read from rollout files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.agents.rollouts import TokenUsage, sessions_usage
from harness.bench_cli import bench
from harness.errors import TaskFormatError
from harness.h2h import head_to_head


def _results(path: Path, resolved: dict[str, bool], *, swe: bool = False) -> Path:
    key, flag = ("instance_id", "resolved") if swe else ("task_id", "is_resolved")
    path.write_text(json.dumps({"results": [{key: k, flag: v} for k, v in resolved.items()]}))
    return path


def test_head_to_head_buckets(tmp_path: Path) -> None:
    a = _results(
        tmp_path / "a.json", {"t1": True, "t2": True, "t3": False, "t4": False, "t5": True}
    )
    b = _results(
        tmp_path / "b.json",
        {"t1": True, "t2": False, "t3": True, "t4": False, "t6": True},
        swe=True,
    )
    table = head_to_head(a, b, name_a="pycodex", name_b="codex")
    assert (table.both, table.only_a, table.only_b, table.neither) == (
        ["t1"],
        ["t2"],
        ["t3"],
        ["t4"],
    )
    assert table.missing_in_a == ["t6"] and table.missing_in_b == ["t5"]
    assert table.rows() == [
        ("both solved", 1),
        ("only pycodex", 1),
        ("only codex", 1),
        ("neither", 1),
    ]
    assert table.stamp.format == "ferry.bench.h2h/1"


def test_h2h_cli_json_and_bad_file(tmp_path: Path) -> None:
    a = _results(tmp_path / "a.json", {"t1": True})
    b = _results(tmp_path / "b.json", {"t1": False})
    result = CliRunner().invoke(bench, ["h2h", str(a), str(b), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["only_a"] == ["t1"]
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(TaskFormatError) as info:
        head_to_head(a, tmp_path / "bad.json")
    assert info.value.field == "results"


def _rollout(path: Path, totals: list[dict[str, int] | None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"type": "session_meta", "payload": {"id": "x"}})]
    for total in totals:
        info = None if total is None else {"total_token_usage": total, "last_token_usage": total}
        lines.append(
            json.dumps({"type": "event_msg", "payload": {"type": "token_count", "info": info}})
        )
    lines.append("not json")
    path.write_text("\n".join(lines) + "\n")


def test_sessions_usage_takes_last_total_per_rollout_and_sums(tmp_path: Path) -> None:
    first = {
        "input_tokens": 100,
        "cached_input_tokens": 40,
        "output_tokens": 10,
        "total_tokens": 110,
    }
    last = {"input_tokens": 300, "cached_input_tokens": 100, "output_tokens": 30, "reasoning_output_tokens": 5,
            "total_tokens": 330}  # fmt: skip
    _rollout(tmp_path / "sessions/2026/11/25/rollout-a.jsonl", [None, first, last])
    _rollout(tmp_path / "sessions/2026/11/26/rollout-b.jsonl", [first])
    usage = sessions_usage(tmp_path)
    assert usage == TokenUsage(400, 140, 40, 5, 440)
    cost = usage.cost_usd({"input": 1.0, "cached_input": 0.1, "output": 10.0})
    assert cost == pytest.approx((260 * 1.0 + 140 * 0.1 + 40 * 10.0) / 1e6)
    assert usage.cost_usd({}) is None
    assert sessions_usage(tmp_path / "nothing") is None
