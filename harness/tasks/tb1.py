"""Terminal-Bench 1 tasks: ``task.yaml``, ``Dockerfile``, ``docker-compose.yaml``, ``run-tests.sh``.

The compose file refers to the harness through ``${T_BENCH_*}`` variables; they are
substituted here with the values a TB1 run uses, and an unknown one is an error,
because the task would not start under Terminal-Bench either.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.errors import TaskFormatError
from harness.tasks._validation import validate_model
from harness.tasks.compose import read_compose
from harness.tasks.model import (
    CONTAINER_AGENT_LOGS_DIR,
    CONTAINER_LOGS_DIR,
    CONTAINER_TEST_DIR,
    Task,
    TaskFormat,
)

TASK_FILE = "task.yaml"
COMPOSE_FILES = ("docker-compose.yaml", "docker-compose.yml")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


class _Description(BaseModel):
    key: str = "base"
    description: str


class TB1TaskYaml(BaseModel):
    """The fields of ``task.yaml`` the harness reads (others are kept as metadata)."""

    model_config = ConfigDict(extra="allow")

    instruction: str | None = None
    descriptions: list[_Description] | None = None
    author_name: str | None = None
    author_email: str | None = None
    difficulty: str | None = None
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    parser_name: str = "pytest"
    max_agent_timeout_sec: float = Field(default=360.0, gt=0)
    max_test_timeout_sec: float = Field(default=60.0, gt=0)
    run_tests_in_same_shell: bool = False

    @model_validator(mode="after")
    def _has_instruction(self) -> TB1TaskYaml:
        if not (self.instruction or "").strip() and not self.descriptions:
            raise ValueError("task.yaml needs a non-empty 'instruction'")
        return self

    def text(self) -> str:
        if self.instruction and self.instruction.strip():
            return self.instruction
        assert self.descriptions
        base = next((d for d in self.descriptions if d.key == "base"), self.descriptions[0])
        return base.description


def compose_variables(task_id: str) -> dict[str, str]:
    """The ``T_BENCH_*`` values Terminal-Bench exports for a trial of ``task_id``."""
    name = re.sub(r"[^a-z0-9_.-]", "-", task_id.lower())
    return {
        "T_BENCH_TASK_DOCKER_CLIENT_IMAGE_NAME": f"tb__{name}__client",
        "T_BENCH_TASK_DOCKER_CLIENT_CONTAINER_NAME": f"tb__{name}__client",
        "T_BENCH_TASK_DOCKER_NAME_PREFIX": f"tb__{name}",
        "T_BENCH_TEST_DIR": CONTAINER_TEST_DIR,
        "T_BENCH_CONTAINER_LOGS_PATH": CONTAINER_LOGS_DIR,
        "T_BENCH_CONTAINER_AGENT_LOGS_PATH": CONTAINER_AGENT_LOGS_DIR,
        "T_BENCH_TASK_LOGS_PATH": "./logs",
        "T_BENCH_TASK_AGENT_LOGS_PATH": "./agent-logs",
        "T_BENCH_TASK_BUILD_CONTEXT_DIR": ".",
    }


def _substitute(value: str, variables: dict[str, str], path: Path) -> str:
    def repl(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in variables:
            return variables[name]
        if default is not None:
            return default
        if name.startswith("T_BENCH_"):
            raise TaskFormatError(path, f"unknown Terminal-Bench variable ${{{name}}}")
        return match.group(0)

    return _VAR.sub(repl, value)


def _substitute_tree(node: Any, variables: dict[str, str], path: Path) -> Any:
    if isinstance(node, str):
        return _substitute(node, variables, path)
    if isinstance(node, list):
        return [_substitute_tree(item, variables, path) for item in node]
    if isinstance(node, dict):
        return {key: _substitute_tree(value, variables, path) for key, value in node.items()}
    return node


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise TaskFormatError(path, f"invalid YAML{where}: {exc}") from None


def solution_script(path: Path) -> str:
    """A ``solution.yaml`` (a list of ``command`` entries typed into the shell) as a bash script."""
    data = _read_yaml(path)
    if not isinstance(data, list):
        raise TaskFormatError(path, "must be a list of {command: ...} entries")
    commands: list[str] = []
    for n, entry in enumerate(data):
        command = entry.get("command") if isinstance(entry, dict) else None
        if not isinstance(command, str):
            raise TaskFormatError(path, "needs a 'command' string", field=f"{n}.command")
        commands.append(command)
    return "\n".join(commands) + "\n"


def load_tb1_task(task_dir: Path) -> Task:
    task_file = task_dir / TASK_FILE
    spec = validate_model(TB1TaskYaml, _read_yaml(task_file), task_file)
    compose_path = next((task_dir / n for n in COMPOSE_FILES if (task_dir / n).is_file()), None)
    if compose_path is None:
        raise TaskFormatError(
            task_dir / COMPOSE_FILES[0], "missing (TB1 tasks start from docker-compose.yaml)"
        )
    compose = _substitute_tree(
        _read_yaml(compose_path), compose_variables(task_dir.name), compose_path
    )
    settings = read_compose(compose, compose_path, "client")
    service = compose["services"]["client"]
    build = service.get("build") or {}
    if isinstance(build, str):
        build = {"context": build}
    context = (task_dir / str(build.get("context", "."))).resolve()
    named = context / str(build.get("dockerfile", "Dockerfile"))
    dockerfile: Path | None = named
    image: str | None = None
    if not named.is_file():
        if not build and isinstance(service.get("image"), str):
            dockerfile, image = None, service["image"]
        else:
            raise TaskFormatError(
                named, "missing (named by services.client.build in docker-compose.yaml)"
            )
    tests_dir = task_dir / "tests"
    if not tests_dir.is_dir():
        raise TaskFormatError(tests_dir, "missing: TB1 tasks keep their test files in tests/")
    run_tests = task_dir / "run-tests.sh"
    if not run_tests.is_file():
        raise TaskFormatError(run_tests, "missing: TB1 runs the tests with run-tests.sh")
    solution = task_dir / "solution.sh"
    if not solution.is_file() and (task_dir / "solution.yaml").is_file():
        solution = task_dir / "solution.yaml"
        solution_script(solution)  # validated now, so a bad file fails at load time
    metadata = {
        k: v for k, v in spec.model_dump().items() if k not in ("instruction", "descriptions")
    }
    return Task(
        task_id=task_dir.name,
        path=task_dir,
        format=TaskFormat.TB1,
        instruction=spec.text(),
        agent_timeout_sec=spec.max_agent_timeout_sec,
        test_timeout_sec=spec.max_test_timeout_sec,
        build_context=context,
        dockerfile=dockerfile,
        image=image,
        tests_dir=tests_dir,
        test_script=run_tests,
        solution=solution if solution.is_file() else None,
        parser_name=spec.parser_name,
        run_tests_in_same_shell=spec.run_tests_in_same_shell,
        container_env=dict(settings.environment),
        metadata=metadata,
        cpus=settings.cpus,
        memory_mb=settings.memory_mb,
        allow_internet=not settings.no_network,
        compose_working_dir=settings.working_dir,
        tmpfs=settings.tmpfs,
        services=settings.services,
        compose_dir=task_dir,
        compose_ignored=settings.ignored,
    )
