"""The same fixture tasks in the docker environment (skipped when no Docker engine answers).

Base images are not pulled: the first run builds a Debian rootfs with debootstrap
and imports it under the names the tasks use; each trial reports the substitution.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import HARBOR_TASKS, TB1_TASKS

from harness.agents import make_agent
from harness.environments import environment_factory
from harness.errors import EnvironmentUnavailable
from harness.outcomes import FailureMode
from harness.records import TB_RESULTS_FORMAT, stamp
from harness.tasks import load_task, load_tasks
from harness.tb.runner import RunOptions, run_benchmark

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def docker_factory() -> object:
    try:
        return environment_factory("docker")
    except EnvironmentUnavailable as exc:
        pytest.skip(f"docker environment unavailable: {exc}")


@pytest.mark.parametrize("root", [TB1_TASKS, HARBOR_TASKS], ids=["tb1", "harbor"])
def test_oracle_resolves_every_task_in_docker(
    root: Path, tmp_path: Path, docker_factory: object
) -> None:
    results = run_benchmark(
        load_tasks(root),
        lambda: make_agent("oracle"),
        docker_factory,  # type: ignore[arg-type]
        RunOptions(run_id="docker", run_dir=tmp_path, n_concurrent=2, progress=False),
        stamp(TB_RESULTS_FORMAT, {"environment": "docker"}),
    )
    failures = {
        r.task_id: (r.failure_mode, r.message) for r in results.results if not r.is_resolved
    }
    assert failures == {}
    assert len(results.results) >= 5
    for trial in results.results:
        assert trial.failure_mode is FailureMode.NONE and trial.environment == "docker"
        assert any("substituted by a local Debian" in n for n in trial.environment_notes)


def test_docker_exec_timeout_and_files(tmp_path: Path, docker_factory: object) -> None:
    env = docker_factory.create(load_task(TB1_TASKS / "fix-add"), tmp_path)  # type: ignore[attr-defined]
    env.start()
    try:
        assert env.workdir == "/app"
        assert env.read_file("/app/calc.py") == (TB1_TASKS / "fix-add" / "calc.py").read_bytes()
        slow = env.exec("sleep 20", timeout_sec=1)
        assert slow.timed_out and slow.duration_sec < 15
        env.copy_in(TB1_TASKS / "fix-add" / "tests", "/tests")
        assert env.exec("ls /tests", timeout_sec=30).output.split() == ["test_outputs.py"]
        env.exec("mkdir -p /out/sub && echo hi > /out/sub/f", timeout_sec=30)
        assert env.copy_out("/out", tmp_path / "out")
        assert (tmp_path / "out" / "sub" / "f").read_text() == "hi\n"
        assert env.read_file("/nope") is None
    finally:
        env.stop()
