"""Terminal-Bench runs in the local (bubblewrap) environment with the reference agents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import HARBOR_TASKS, TB1_TASKS, copy_task

from harness.agents import make_agent
from harness.environments import environment_factory
from harness.outcomes import FailureMode
from harness.records import TB_RESULTS_FORMAT, TB_TRIAL_FORMAT, stamp
from harness.tasks import load_task, load_tasks
from harness.tb.results import BenchmarkResults
from harness.tb.runner import RunOptions, run_benchmark

pytestmark = pytest.mark.usefixtures("need_bwrap")


def _run(
    root: Path, run_dir: Path, agent: str = "oracle", *, n: int = 2, ids: tuple[str, ...] = ()
) -> BenchmarkResults:
    return run_benchmark(
        load_tasks(root, ids),
        lambda: make_agent(agent),
        environment_factory("local"),
        RunOptions(run_id="t", run_dir=run_dir, n_concurrent=n, progress=False),
        stamp(TB_RESULTS_FORMAT, {"agent": agent, "environment": "local"}),
    )


@pytest.mark.parametrize("root", [TB1_TASKS, HARBOR_TASKS], ids=["tb1", "harbor"])
def test_oracle_resolves_every_task(root: Path, tmp_path: Path) -> None:
    results = _run(root, tmp_path)
    assert len(results.results) >= 5
    failures = {
        r.task_id: (r.failure_mode, r.message) for r in results.results if not r.is_resolved
    }
    assert failures == {}
    assert results.accuracy == 1.0
    for trial in results.results:
        assert trial.failure_mode is FailureMode.NONE
        assert trial.agent_started_at and trial.test_ended_at and trial.trial_ended_at
        assert any("replaced by the host system" in note for note in trial.environment_notes)
        if trial.task_format == "tb1":
            assert trial.parser_results and set(trial.parser_results.values()) == {"passed"}
        else:
            assert trial.reward == 1.0


@pytest.mark.parametrize("root", [TB1_TASKS, HARBOR_TASKS], ids=["tb1", "harbor"])
def test_nop_resolves_nothing(root: Path, tmp_path: Path) -> None:
    ids = tuple(sorted(p.name for p in root.iterdir())[:2])
    results = _run(root, tmp_path, "nop", ids=ids)
    assert len(results.results) == 2
    assert results.n_resolved == 0 and results.n_unresolved == len(results.results)


def test_results_json_has_terminal_bench_fields_and_stamp(tmp_path: Path) -> None:
    _run(TB1_TASKS, tmp_path, ids=("fix-add",))
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["stamp"]["format"] == TB_RESULTS_FORMAT
    assert data["stamp"]["ferry_version"] and data["stamp"]["config"]["agent"] == "oracle"
    trial = data["results"][0]
    for key in ("id", "trial_name", "task_id", "is_resolved", "failure_mode", "parser_results", "instruction",
                "total_input_tokens", "total_output_tokens", "trial_started_at", "trial_ended_at",
                "agent_started_at", "agent_ended_at", "test_started_at", "test_ended_at"):  # fmt: skip
        assert key in trial
    assert trial["parser_results"] == {"test_add_small": "passed", "test_add_negative": "passed"}
    assert trial["stamp"]["format"] == TB_TRIAL_FORMAT
    trial_file = tmp_path / "fix-add" / trial["trial_name"] / "results.json"
    stored = json.loads(trial_file.read_text())
    assert stored["id"] == trial["id"] and stored["stamp"]["format"] == TB_TRIAL_FORMAT


def test_resume_skips_recorded_tasks(tmp_path: Path) -> None:
    first = _run(TB1_TASKS, tmp_path, ids=("fix-add", "hello-world"))
    # Make the stored record distinguishable: a rerun would overwrite it.
    trial_file = next((tmp_path / "fix-add").glob("*/results.json"))
    data = json.loads(trial_file.read_text())
    data["message"] = "from the first run"
    trial_file.write_text(json.dumps(data))
    second = _run(TB1_TASKS, tmp_path, ids=("fix-add", "hello-world", "count-lines"))
    by_id = {r.task_id: r for r in second.results}
    assert by_id["fix-add"].message == "from the first run"
    assert by_id["fix-add"].id == {r.task_id: r for r in first.results}["fix-add"].id
    assert by_id["count-lines"].is_resolved


def test_agent_timeout(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path / "tasks")
    spec = task / "task.yaml"
    spec.write_text(
        spec.read_text().replace("max_agent_timeout_sec: 60.0", "max_agent_timeout_sec: 1.0")
    )
    (task / "solution.sh").write_text("sleep 30\necho 'Hello, world!' > /app/hello.txt\n")
    results = _run(task, tmp_path / "run")
    trial = results.results[0]
    assert trial.failure_mode is FailureMode.AGENT_TIMEOUT
    assert trial.is_resolved is False
    assert trial.agent_ended_at is not None and trial.agent_started_at is not None
    assert (trial.agent_ended_at - trial.agent_started_at).total_seconds() < 20


def test_test_timeout(tmp_path: Path) -> None:
    task = copy_task(HARBOR_TASKS / "harbor-hello", tmp_path / "tasks")
    toml = task / "task.toml"
    toml.write_text(
        toml.read_text().replace("[verifier]\ntimeout_sec = 60.0", "[verifier]\ntimeout_sec = 1.0")
    )
    (task / "tests" / "test.sh").write_text("sleep 30\n")
    trial = _run(task, tmp_path / "run").results[0]
    assert trial.failure_mode is FailureMode.TEST_TIMEOUT and not trial.is_resolved


def test_parse_error_when_tests_print_no_summary(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path / "tasks")
    (task / "run-tests.sh").write_text("echo no pytest here\n")
    trial = _run(task, tmp_path / "run").results[0]
    assert trial.failure_mode is FailureMode.PARSE_ERROR
    assert "short test summary info" in trial.message


def test_missing_reward_is_a_verifier_error(tmp_path: Path) -> None:
    task = copy_task(HARBOR_TASKS / "harbor-hello", tmp_path / "tasks")
    (task / "tests" / "test.sh").write_text("true\n")
    results = _run(task, tmp_path / "run")
    trial = results.results[0]
    assert trial.failure_mode is FailureMode.VERIFIER_ERROR and "reward.txt" in trial.message
    assert not trial.scored and results.n_scored == 0
    assert results.errors == {"verifier_error": [trial.trial_name]}


def test_failing_build_step_is_an_environment_error(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path / "tasks")
    (task / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\nRUN exit 3\n")
    trial = _run(task, tmp_path / "run").results[0]
    assert trial.failure_mode is FailureMode.ENVIRONMENT_ERROR
    assert "Dockerfile:3" in trial.message and "exit 3" in trial.message


def test_writing_system_paths_is_refused(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "fix-add", tmp_path / "tasks")
    (task / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY calc.py /usr/local/bin/calc.py\n")
    trial = _run(task, tmp_path / "run").results[0]
    assert trial.failure_mode is FailureMode.ENVIRONMENT_ERROR
    assert "use the docker environment" in trial.message


def test_sandbox_drops_capabilities_and_hides_host(tmp_path: Path) -> None:
    task = load_task(TB1_TASKS / "hello-world")
    env = environment_factory("local", scratch=tmp_path / "scratch").create(task, tmp_path)
    env.start()
    root = env.root  # type: ignore[attr-defined]
    assert tmp_path not in root.parents or (tmp_path / "scratch") in root.parents
    try:
        caps = env.exec("grep CapEff /proc/self/status", timeout_sec=30)
        assert caps.output.split()[-1] == "0000000000000000"
        assert env.exec("echo x > /usr/ferry-probe", timeout_sec=30).exit_code != 0
        assert env.exec("ls /work/main/harness", timeout_sec=30).exit_code != 0
        assert env.exec("echo $$", timeout_sec=30).output.strip() != ""
        assert env.exec("pwd", timeout_sec=30).output.strip() == "/app"
        env.exec("echo data > /app/f", timeout_sec=30)
        assert (root / "app" / "f").read_text() == "data\n"
    finally:
        env.stop()
    assert not root.exists()


def test_solution_yaml_is_run_by_the_oracle(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "count-lines", tmp_path / "tasks")
    (task / "solution.sh").unlink()
    (task / "solution.yaml").write_text(
        "- command: cd /app\n  min_timeout_sec: 0.1\n  block: true\n"
        "- command: wc -l < data.txt | tr -d ' ' > count.txt\n  append_enter: true\n"
    )
    trial = _run(task, tmp_path / "run").results[0]
    assert trial.is_resolved, trial.message


def test_bad_solution_yaml_names_the_entry(tmp_path: Path) -> None:
    from harness.errors import TaskFormatError

    task = copy_task(TB1_TASKS / "count-lines", tmp_path / "tasks")
    (task / "solution.sh").unlink()
    (task / "solution.yaml").write_text("- command: ls\n- cmd: oops\n")
    with pytest.raises(TaskFormatError) as info:
        load_task(task)
    assert info.value.field == "1.command"


def test_install_failure_is_recorded(tmp_path: Path) -> None:
    from harness.agents.codex_cli import PycodexAgent, port_fingerprint

    built = tmp_path / "dist" / port_fingerprint()
    bundle = built / "dist" / "pycodex"
    bundle.mkdir(parents=True)
    (bundle / "pycodex").write_text("#!/bin/sh\necho broken bundle; exit 3\n")
    (bundle / "pycodex").chmod(0o755)
    (built / ".complete").touch()  # a "built" bundle that cannot run
    results = run_benchmark(
        load_tasks(TB1_TASKS, ["hello-world"]),
        lambda: PycodexAgent(dist_cache=tmp_path / "dist"),
        environment_factory("local"),
        RunOptions(run_id="t", run_dir=tmp_path / "run", progress=False),
        stamp(TB_RESULTS_FORMAT, {}),
    )
    trial = results.results[0]
    assert trial.failure_mode is FailureMode.AGENT_INSTALLATION_FAILED
    assert "pycodex install failed" in trial.message and not trial.is_resolved
    assert trial.agent_started_at is None
    assert not trial.scored and str(trial.error_category) == "infra"
