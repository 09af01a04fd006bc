from __future__ import annotations

from pathlib import Path

import pytest
from helpers import HARBOR_TASKS, TB1_TASKS, copy_task

from harness.errors import TaskFormatError
from harness.tasks import TaskFormat, load_task, load_tasks
from harness.tasks.tb1 import compose_variables


def test_loads_every_fixture_task() -> None:
    tb1 = load_tasks(TB1_TASKS)
    harbor = load_tasks(HARBOR_TASKS)
    assert len(tb1) >= 5 and {t.format for t in tb1} == {TaskFormat.TB1}
    assert len(harbor) >= 5 and {t.format for t in harbor} == {TaskFormat.HARBOR}


def test_tb1_fields() -> None:
    task = load_task(TB1_TASKS / "fix-add")
    assert task.task_id == "fix-add"
    assert "add(a, b)" in task.instruction
    assert task.agent_timeout_sec == 60.0 and task.test_timeout_sec == 60.0
    assert task.parser_name == "pytest" and task.run_tests_in_same_shell is False
    assert task.dockerfile == TB1_TASKS / "fix-add" / "Dockerfile"
    assert task.test_script.name == "run-tests.sh"
    assert task.solution is not None and task.solution.name == "solution.sh"
    # T_BENCH_* variables are substituted in the compose file's environment.
    assert task.container_env == {"TEST_DIR": "/tests"}
    assert task.metadata["difficulty"] == "easy"


def test_harbor_fields() -> None:
    task = load_task(HARBOR_TASKS / "harbor-fix-json")
    assert task.format is TaskFormat.HARBOR
    assert task.instruction.startswith("The file /app/config.json")
    assert task.build_context == HARBOR_TASKS / "harbor-fix-json" / "environment"
    assert task.test_script == HARBOR_TASKS / "harbor-fix-json" / "tests" / "test.sh"
    assert task.solution_dir == HARBOR_TASKS / "harbor-fix-json" / "solution"
    assert task.build_timeout_sec == 120.0
    assert task.metadata["category"] == "programming"


def test_compose_variables_name_the_task() -> None:
    names = compose_variables("My_Task")
    assert names["T_BENCH_TEST_DIR"] == "/tests"
    assert names["T_BENCH_TASK_DOCKER_CLIENT_IMAGE_NAME"] == "tb__my_task__client"


def test_tb1_bad_timeout_names_file_and_field(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path)
    text = (
        (task / "task.yaml")
        .read_text()
        .replace("max_agent_timeout_sec: 60.0", "max_agent_timeout_sec: soon")
    )
    (task / "task.yaml").write_text(text)
    with pytest.raises(TaskFormatError) as info:
        load_task(task)
    assert info.value.field == "max_agent_timeout_sec"
    assert str(task / "task.yaml") in str(info.value)


def test_tb1_missing_instruction(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path)
    (task / "task.yaml").write_text("parser_name: pytest\n")
    with pytest.raises(TaskFormatError, match="needs a non-empty 'instruction'"):
        load_task(task)


def test_tb1_invalid_yaml_names_line(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path)
    (task / "task.yaml").write_text("instruction: [unclosed\n")
    with pytest.raises(TaskFormatError, match="invalid YAML at line"):
        load_task(task)


def test_tb1_unknown_tbench_variable(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path)
    compose = task / "docker-compose.yaml"
    compose.write_text(compose.read_text().replace("${T_BENCH_TEST_DIR}", "${T_BENCH_NO_SUCH}"))
    with pytest.raises(
        TaskFormatError, match=r"unknown Terminal-Bench variable \$\{T_BENCH_NO_SUCH\}"
    ):
        load_task(task)


def test_tb1_missing_run_tests(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path)
    (task / "run-tests.sh").unlink()
    with pytest.raises(TaskFormatError, match=r"run-tests\.sh"):
        load_task(task)


def test_tb1_missing_client_service(tmp_path: Path) -> None:
    task = copy_task(TB1_TASKS / "hello-world", tmp_path)
    (task / "docker-compose.yaml").write_text("services:\n  server:\n    image: x\n")
    with pytest.raises(TaskFormatError) as info:
        load_task(task)
    assert info.value.field == "services.client"


def test_harbor_bad_field(tmp_path: Path) -> None:
    task = copy_task(HARBOR_TASKS / "harbor-hello", tmp_path)
    toml = task / "task.toml"
    toml.write_text(
        toml.read_text().replace("[verifier]\ntimeout_sec = 60.0", "[verifier]\ntimeout_sec = -1")
    )
    with pytest.raises(TaskFormatError) as info:
        load_task(task)
    assert info.value.field == "verifier.timeout_sec"


def test_harbor_invalid_toml(tmp_path: Path) -> None:
    task = copy_task(HARBOR_TASKS / "harbor-hello", tmp_path)
    (task / "task.toml").write_text("version = \n")
    with pytest.raises(TaskFormatError, match="invalid TOML"):
        load_task(task)


def test_harbor_missing_test_sh(tmp_path: Path) -> None:
    task = copy_task(HARBOR_TASKS / "harbor-hello", tmp_path)
    (task / "tests" / "test.sh").unlink()
    with pytest.raises(TaskFormatError, match=r"tests/test\.sh"):
        load_task(task)


def test_harbor_missing_dockerfile_without_image(tmp_path: Path) -> None:
    task = copy_task(HARBOR_TASKS / "harbor-hello", tmp_path)
    (task / "environment" / "Dockerfile").unlink()
    with pytest.raises(TaskFormatError, match="docker_image"):
        load_task(task)


def test_not_a_task(tmp_path: Path) -> None:
    with pytest.raises(TaskFormatError, match=r"neither task\.yaml"):
        load_task(tmp_path)


def test_unknown_task_id() -> None:
    with pytest.raises(TaskFormatError, match="no task\\(s\\) named nope"):
        load_tasks(TB1_TASKS, ["nope"])
