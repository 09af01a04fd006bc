"""``ferry bench tb`` / ``ferry bench swe`` through the real ``ferry`` command group."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import HARBOR_TASKS, TB1_TASKS
from swe_fixtures import build_instances

from ferry.cli import main


@pytest.mark.usefixtures("need_bwrap")
def test_bench_tb_writes_stamped_results_and_resumes(tmp_path: Path) -> None:
    args = ["bench", "tb", str(TB1_TASKS), "-a", "oracle", "-t", "fix-add", "-t", "count-lines",
            "-n", "2", "-o", str(tmp_path), "--run-id", "cli"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "accuracy 100.0% (2/2)" in result.output
    data = json.loads((tmp_path / "cli" / "results.json").read_text())
    assert (
        data["stamp"]["config"]["agent"] == "oracle"
        and data["stamp"]["config"]["environment"] == "local"
    )
    assert data["stamp"]["config"]["task_ids"] == ["fix-add", "count-lines"]
    assert data["resolved_ids"] == ["count-lines", "fix-add"]
    first_ids = {r["task_id"]: r["id"] for r in data["results"]}
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0
    rerun = json.loads((tmp_path / "cli" / "results.json").read_text())
    assert {r["task_id"]: r["id"] for r in rerun["results"]} == first_ids


def test_bench_tb_bad_task_is_a_clear_error(tmp_path: Path) -> None:
    task = tmp_path / "broken"
    shutil.copytree(HARBOR_TASKS / "harbor-hello", task)
    (task / "instruction.md").write_text("  \n")
    result = CliRunner().invoke(main, ["bench", "tb", str(task), "-o", str(tmp_path / "runs")])
    assert result.exit_code != 0
    assert "instruction.md: is empty" in result.output


def test_bench_swe_writes_predictions(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repos, dataset = build_instances(tmp_path / "data")
    args = ["bench", "swe", str(dataset), "-a", "oracle", "--repos", str(repos), "-o", str(tmp_path / "runs"),
            "--run-id", "s", "-i", "mathlib__mathlib-1", "-i", "textkit__textkit-3"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "resolved 2/2" in result.output
    lines = (tmp_path / "runs" / "s" / "predictions.jsonl").read_text().splitlines()
    assert [json.loads(line)["model_name_or_path"] for line in lines] == ["oracle:gpt-5-codex"] * 2
