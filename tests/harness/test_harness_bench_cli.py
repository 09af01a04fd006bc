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
    assert "accuracy 100.0% (2/2 scored)" in result.output
    # stdout is not a terminal here: one progress line per finished trial.
    assert "2/2 " in result.output and ".1-of-1.cli: resolved" in result.output
    for path in (tmp_path / "cli").rglob("results.json"):
        assert path.stat().st_mode & 0o777 == 0o644, path
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


@pytest.mark.usefixtures("need_bwrap")
def test_bench_tb_skips_a_malformed_task_and_reports_it(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    shutil.copytree(TB1_TASKS / "hello-world", dataset / "hello-world")
    shutil.copytree(HARBOR_TASKS / "harbor-hello", dataset / "broken")
    (dataset / "broken" / "instruction.md").write_text("")
    result = CliRunner().invoke(main, ["bench", "tb", str(dataset), "-o", str(tmp_path / "runs"),
                                       "--run-id", "m", "-k", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "skipped a malformed task" in result.output and "instruction.md: is empty" in result.output
    )
    data = json.loads((tmp_path / "runs" / "m" / "results.json").read_text())
    assert [s["path"] for s in data["skipped_tasks"]] == [
        str(dataset / "broken" / "instruction.md")
    ]
    assert data["pass_at_k"] == {"pass@1": 1.0, "pass@2": 1.0} and len(data["results"]) == 2


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


@pytest.mark.usefixtures("need_bwrap")
def test_sigterm_stops_the_run_and_writes_results(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    dataset = tmp_path / "dataset"
    shutil.copytree(TB1_TASKS / "hello-world", dataset / "hello-world")
    (dataset / "hello-world" / "solution.sh").write_text(
        "echo 'Hello, world!' > /app/hello.txt\nsleep 600\n"
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "ferry"), "bench", "tb", str(dataset), "-o",
         str(tmp_path / "runs"), "--run-id", "s"],
        env={**os.environ, "TMPDIR": str(scratch)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 240
    while not list(scratch.rglob("hello.txt")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    data = json.loads((tmp_path / "runs" / "s" / "results.json").read_text())
    assert data["interrupted"] is True and data["results"] == []
    assert not list(scratch.rglob("hello.txt"))  # the running sandbox was torn down
