"""The same fixture tasks in the docker environment (skipped when no Docker engine answers).

Base images are not pulled: the first run builds a Debian rootfs with debootstrap
and imports it under the names the tasks use; each trial reports the substitution.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import HARBOR_TASKS, TASKS, TB1_TASKS

from harness.agents import make_agent
from harness.environments import environment_factory
from harness.errors import EnvironmentUnavailable
from harness.outcomes import FailureMode
from harness.records import TB_RESULTS_FORMAT, stamp
from harness.tasks import load_task, load_tasks
from harness.tb.runner import RunOptions, run_benchmark

pytestmark = pytest.mark.docker

COMPOSE_TASKS = TASKS / "compose"
OFFLINE_TASKS = TASKS / "offline"


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


def test_agent_leftovers_are_ended_and_the_container_survives(
    tmp_path: Path, docker_factory: object
) -> None:
    env = docker_factory.create(load_task(TB1_TASKS / "hello-world"), tmp_path)  # type: ignore[attr-defined]
    env.start()
    try:
        env.exec("nohup sleep 1000 >/dev/null 2>&1 &", timeout_sec=30)
        assert "sleep 1000" in env.exec("ps -eo args", timeout_sec=30).output
        env.end_processes()
        after = env.exec("ps -eo args", timeout_sec=30)
        assert after.exit_code == 0 and "sleep 1000" not in after.output
    finally:
        env.stop()


def test_compose_service_limits_tmpfs_and_working_dir_in_docker(tmp_path: Path) -> None:
    from harness.environments.docker_env import DockerEnvironmentFactory
    from harness.environments.standins import standin_kit

    tasks = load_tasks(COMPOSE_TASKS)
    try:
        factory = DockerEnvironmentFactory(kit=standin_kit(tasks, offline=True))
    except EnvironmentUnavailable as exc:
        pytest.skip(f"docker environment unavailable: {exc}")
    results = run_benchmark(
        tasks,
        lambda: make_agent("oracle"),
        factory,
        RunOptions(run_id="compose", run_dir=tmp_path, progress=False),
        stamp(TB_RESULTS_FORMAT, {"environment": "docker"}),
    )
    (trial,) = results.results
    assert trial.is_resolved, (trial.failure_mode, trial.message)
    assert any("compose service 'greeter'" in n for n in trial.environment_notes)
    assert not factory.client.networks.list(filters={"label": "org.ferry.managed=1"})


def test_offline_uv_project_in_docker(tmp_path: Path) -> None:
    from harness.environments.docker_env import DockerEnvironmentFactory
    from harness.environments.standins import standin_kit

    tasks = load_tasks(OFFLINE_TASKS)
    try:
        factory = DockerEnvironmentFactory(kit=standin_kit(tasks, offline=True))
    except EnvironmentUnavailable as exc:
        pytest.skip(f"docker environment unavailable: {exc}")
    for agent, resolved in (("oracle", True), ("nop", False)):
        results = run_benchmark(
            tasks,
            lambda agent=agent: make_agent(agent),  # type: ignore[misc]
            factory,
            RunOptions(run_id=agent, run_dir=tmp_path / agent, progress=False),
            stamp(TB_RESULTS_FORMAT, {"environment": "docker"}),
        )
        (trial,) = results.results
        assert trial.scored and trial.is_resolved is resolved, (trial.failure_mode, trial.message)
        tests = next((tmp_path / agent / "uv-project").glob("*/tests.txt")).read_text()
        assert "Python 3.13" in tests  # t-bench's python-3-13 base, from Debian trixie
