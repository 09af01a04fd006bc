"""False passes, through the ``ferry bench tb`` command a researcher runs.

Each test reproduces a way an unsolved task used to count as resolved: a reward
file the agent wrote itself, a verifier that died before it judged, and a resumed
run that reused a killed trial's sandbox with another agent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import HARBOR_TASKS, TB1_TASKS, copy_task

from ferry.cli import main

pytestmark = pytest.mark.usefixtures("need_bwrap")

STRICT_VERIFIER = """#!/bin/bash
# Like many Harbor verifiers: set -e, so failing tests end the script before the reward.
set -e
cd /app
python3 -m pytest /tests/test_outputs.py -rA
echo 1 > /logs/verifier/reward.txt
"""


def _bench(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["bench", "tb", *args])
    return result.exit_code, result.output


def _results(run_dir: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((run_dir / "results.json").read_text())
    return data


def test_reward_written_by_the_agent_is_not_a_pass(tmp_path: Path) -> None:
    task = copy_task(HARBOR_TASKS / "harbor-hello", tmp_path / "tasks")
    (task / "tests" / "test.sh").write_text(STRICT_VERIFIER)
    # The "solution" does not solve the task: it only forges the verifier's reward.
    (task / "solution" / "solve.sh").write_text(
        "#!/bin/bash\nmkdir -p /logs/verifier && echo 1 > /logs/verifier/reward.txt\n"
    )
    code, output = _bench(
        [str(task), "-a", "oracle", "-o", str(tmp_path / "runs"), "--run-id", "r"]
    )
    assert code == 0, output
    data = _results(tmp_path / "runs" / "r")
    trial = data["results"][0]  # type: ignore[index]
    assert trial["is_resolved"] is False
    assert trial["failure_mode"] == "verifier_error" and trial["scored"] is False
    assert "without writing /logs/verifier/reward.txt" in trial["message"]
    assert data["n_resolved"] == 0 and data["errors"] == {"verifier_error": [trial["trial_name"]]}


def test_verifier_killed_before_it_judged_is_not_a_pass(tmp_path: Path) -> None:
    task = copy_task(HARBOR_TASKS / "harbor-hello", tmp_path / "tasks")
    (task / "tests" / "test.sh").write_text("#!/bin/bash\necho starting\nkill -KILL $$\n")
    (task / "solution" / "solve.sh").write_text(
        "#!/bin/bash\necho 'Hello from Harbor' > /app/hello.txt\n"
        "mkdir -p /logs/verifier && echo 1 > /logs/verifier/reward.txt\n"
    )
    code, output = _bench(
        [str(task), "-a", "oracle", "-o", str(tmp_path / "runs"), "--run-id", "r"]
    )
    assert code == 0, output
    trial = _results(tmp_path / "runs" / "r")["results"][0]  # type: ignore[index]
    assert trial["is_resolved"] is False and trial["failure_mode"] == "verifier_error"
    assert "killed (exit 137)" in trial["message"]
    assert "error: verifier_error" in output and "accuracy 0.0% (0/0 scored)" in output


def test_tb1_tests_the_agent_planted_are_replaced(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path / "tasks")
    # The agent plants a conftest that would turn every failure into a pass.
    (task / "solution.sh").write_text(
        "mkdir -p /tests && cat > /tests/conftest.py <<'EOF'\n"
        "import pytest\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    outcome.get_result().outcome = 'passed'\n"
        "EOF\n"
    )
    code, output = _bench(
        [str(task), "-a", "oracle", "-o", str(tmp_path / "runs"), "--run-id", "r"]
    )
    assert code == 0, output
    trial = _results(tmp_path / "runs" / "r")["results"][0]  # type: ignore[index]
    assert trial["is_resolved"] is False and trial["scored"] is True
    assert set(trial["parser_results"].values()) == {"failed"}


def _ferry_env(tmp_path: Path) -> dict[str, str]:
    # TMPDIR puts the sandboxes' scratch directory inside the test's own folder.
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "PYTHONUNBUFFERED": "1"}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


def test_resume_after_a_killed_run_cannot_reuse_its_leftovers(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path / "tasks")
    (task / "solution.sh").write_text("echo 'Hello, world!' > /app/hello.txt\nsleep 600\n")
    args = [str(task), "-o", str(tmp_path / "runs"), "--run-id", "r"]
    ferry = [str(Path(sys.executable).parent / "ferry"), "bench", "tb", *args]
    killed = subprocess.Popen(
        [*ferry, "-a", "oracle"], env=_ferry_env(tmp_path), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 240
    while not list(tmp_path.rglob("hello.txt")):
        assert killed.poll() is None, "the oracle run ended before it could be killed"
        assert time.monotonic() < deadline, "the oracle never wrote its answer"
        time.sleep(0.5)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    time.sleep(1)  # bwrap --die-with-parent takes the sandboxed processes along

    nop = subprocess.run(
        [*ferry, "-a", "nop"], env=_ferry_env(tmp_path), capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    run_dir = tmp_path / "runs" / "r"
    if (run_dir / "results.json").is_file():
        assert _results(run_dir)["n_resolved"] == 0, "nop resolved with the oracle's leftovers"
    assert nop.returncode != 0
    assert "started with other settings" in nop.stdout + nop.stderr
    assert "agent: run has 'oracle', now 'nop'" in nop.stdout + nop.stderr
    # The killed run's sandbox (with the oracle's answer) was reaped by the next run.
    assert not list(tmp_path.rglob("hello.txt"))


def test_resume_refuses_a_changed_task_and_other_endpoint(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path / "tasks")
    args = [str(task), "-a", "oracle", "-o", str(tmp_path / "runs"), "--run-id", "r"]
    assert _bench(args)[0] == 0
    again = _bench([*args, "-m", "other-model"])
    assert again[0] != 0 and "model: run has 'gpt-5-codex', now 'other-model'" in again[1]
    spec = task / "task.yaml"
    spec.write_text(spec.read_text() + "\n# edited\n")
    changed = _bench(args)
    assert changed[0] != 0 and "task hello-world changed" in changed[1]


def test_every_trial_starts_from_a_fresh_sandbox(tmp_path: Path) -> None:
    from harness.environments import environment_factory
    from harness.tasks import load_task

    factory = environment_factory("local", scratch=tmp_path / "scratch")
    task = load_task(TB1_TASKS / "hello-world")
    first = factory.create(task, tmp_path / "trial")
    first.start()
    first.exec("echo leftover > /app/hello.txt", timeout_sec=30)
    # The first trial is never stopped (its run was killed); the next one must not see it.
    second = factory.create(task, tmp_path / "trial")
    second.start()
    try:
        assert second.read_file("/app/hello.txt") is None
    finally:
        second.stop()
        first.stop()
