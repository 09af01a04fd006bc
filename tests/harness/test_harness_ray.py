"""``--executor ray``: trials as Ray tasks on a local ``ray.init()`` cluster, same records as local."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import HARBOR_TASKS, TB1_TASKS, copy_task

from ferry.cli import main
from harness.agents import make_agent
from harness.environments import environment_factory
from harness.records import TB_RESULTS_FORMAT, stamp
from harness.tasks import load_tasks
from harness.tb.executors import RayExecutor
from harness.tb.runner import RunOptions, run_benchmark

ray = pytest.importorskip("ray")
pytestmark = [pytest.mark.usefixtures("need_bwrap"), pytest.mark.ray]


@pytest.fixture(scope="module")
def cluster() -> Any:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def _outcomes(results: Any) -> list[tuple[Any, ...]]:
    return [(r.task_id, r.attempt, r.is_resolved, r.scored, str(r.failure_mode), r.parser_results,
             r.reward) for r in results.results]  # fmt: skip


def test_ray_results_match_the_local_executor(cluster: Any, tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    copy_task(TB1_TASKS / "hello-world", dataset)
    broken = copy_task(HARBOR_TASKS / "harbor-hello", dataset)
    (broken / "tests" / "test.sh").write_text("exit 0\n")  # a verifier error, kept separate
    tasks = load_tasks(dataset)
    runs = {}
    for name, executor in (("local", None), ("ray", RayExecutor())):
        runs[name] = run_benchmark(
            tasks,
            lambda: make_agent("oracle"),
            environment_factory("local"),
            RunOptions(name, tmp_path / name, 2, progress=False, attempts=2, executor=executor),
            stamp(TB_RESULTS_FORMAT, {"executor": name}),
        )
    assert _outcomes(runs["ray"]) == _outcomes(runs["local"])
    assert runs["ray"].n_scored == 2 and runs["ray"].accuracy == 1.0
    errors = {
        name: {k: [t.split(".")[0] for t in v] for k, v in r.errors.items()}
        for name, r in runs.items()
    }
    assert errors["ray"] == errors["local"] == {"verifier_error": ["harbor-hello", "harbor-hello"]}
    assert runs["ray"].pass_at_k == {"pass@1": 1.0, "pass@2": 1.0}


def test_trial_resources_follow_the_task(cluster: Any) -> None:
    from harness.tb.trial import TrialSpec

    task = load_tasks(HARBOR_TASKS / "harbor-hello")[0]
    executor = RayExecutor()
    spec = TrialSpec(task, "t", Path("/nonexistent"), make_agent("nop"), environment_factory("local"),
                     stamp(TB_RESULTS_FORMAT, {}))  # fmt: skip
    assert executor.resources(spec) == {"num_cpus": 1.0, "memory": 1024 * 1024 * 1024.0}


@pytest.mark.nightly
def test_cli_ray_executor(cluster: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [
        "bench", "tb", str(TB1_TASKS), "-t", "count-lines", "--executor", "ray",
        "-o", str(tmp_path), "--run-id", "r",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "accuracy 100.0% (1/1 scored)" in result.output
