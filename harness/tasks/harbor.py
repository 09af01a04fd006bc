"""Harbor tasks: ``task.toml``, ``instruction.md``, ``environment/``, ``tests/test.sh``, ``solution/``."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from harness.errors import TaskFormatError
from harness.tasks._validation import validate_model
from harness.tasks.compose import ComposeSettings, read_compose
from harness.tasks.model import Task, TaskFormat

TASK_FILE = "task.toml"
COMPOSE_FILES = ("docker-compose.yaml", "docker-compose.yml")


class _Phase(BaseModel):
    model_config = ConfigDict(extra="allow")

    timeout_sec: float = Field(default=600.0, gt=0)
    env: dict[str, str] = Field(default_factory=dict)


class _Environment(BaseModel):
    model_config = ConfigDict(extra="allow")

    build_timeout_sec: float = Field(default=600.0, gt=0)
    docker_image: str | None = None
    cpus: float | None = None
    memory_mb: int | None = None
    storage_mb: int | None = None
    allow_internet: bool = True


class HarborTaskToml(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str = "1.0"
    metadata: dict[str, Any] = Field(default_factory=dict)
    verifier: _Phase = Field(default_factory=_Phase)
    agent: _Phase = Field(default_factory=_Phase)
    environment: _Environment = Field(default_factory=_Environment)


def load_harbor_task(task_dir: Path) -> Task:
    task_file = task_dir / TASK_FILE
    try:
        raw = tomllib.loads(task_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TaskFormatError(task_file, f"invalid TOML: {exc}") from None
    spec = validate_model(HarborTaskToml, raw, task_file)
    instruction_file = task_dir / "instruction.md"
    if not instruction_file.is_file():
        raise TaskFormatError(
            instruction_file, "missing: Harbor tasks keep the prompt in instruction.md"
        )
    instruction = instruction_file.read_text(encoding="utf-8")
    if not instruction.strip():
        raise TaskFormatError(instruction_file, "is empty")
    env_dir = task_dir / "environment"
    dockerfile = env_dir / "Dockerfile"
    if not dockerfile.is_file() and spec.environment.docker_image is None:
        raise TaskFormatError(
            dockerfile, "missing (or set [environment] docker_image in task.toml)", field=None
        )
    test_script = task_dir / "tests" / "test.sh"
    if not test_script.is_file():
        raise TaskFormatError(test_script, "missing: the Harbor verifier runs tests/test.sh")
    solve = task_dir / "solution" / "solve.sh"
    compose = _compose(env_dir)
    return Task(
        task_id=task_dir.name,
        path=task_dir,
        format=TaskFormat.HARBOR,
        instruction=instruction,
        agent_timeout_sec=spec.agent.timeout_sec,
        test_timeout_sec=spec.verifier.timeout_sec,
        build_context=env_dir,
        dockerfile=dockerfile if dockerfile.is_file() else None,
        image=spec.environment.docker_image,
        tests_dir=task_dir / "tests",
        test_script=test_script,
        solution=solve if solve.is_file() else None,
        parser_name="reward",
        build_timeout_sec=spec.environment.build_timeout_sec,
        verifier_env=dict(spec.verifier.env),
        metadata={"version": spec.version, **spec.metadata},
        cpus=spec.environment.cpus,
        memory_mb=spec.environment.memory_mb,
        allow_internet=spec.environment.allow_internet and not compose.no_network,
        container_env=dict(compose.environment),
        compose_working_dir=compose.working_dir,
        tmpfs=compose.tmpfs,
        services=compose.services,
        compose_dir=env_dir,
        compose_ignored=compose.ignored,
    )


def _compose(env_dir: Path) -> ComposeSettings:
    """``environment/docker-compose.yaml`` (optional; Harbor's agent service is ``main``).

    Resource limits come from ``task.toml``; the compose file's own refer to Harbor's
    variables and are not read.
    """
    path = next((env_dir / n for n in COMPOSE_FILES if (env_dir / n).is_file()), None)
    if path is None:
        return ComposeSettings()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaskFormatError(path, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise TaskFormatError(path, "must be a mapping with 'services'")
    services = data.get("services")
    if isinstance(services, dict) and isinstance(services.get("main"), dict):
        main = {
            k: v for k, v in services["main"].items() if k not in ("deploy", "cpus", "mem_limit")
        }
        data = {**data, "services": {**services, "main": main}}
    return read_compose(data, path, "main")
