"""The format-neutral view of one benchmark task that environments and agents consume."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class TaskFormat(enum.StrEnum):
    TB1 = "tb1"
    HARBOR = "harbor"


#: Where things live inside the task environment (the paths both harnesses use).
CONTAINER_TEST_DIR = "/tests"
CONTAINER_LOGS_DIR = "/logs"
CONTAINER_AGENT_LOGS_DIR = "/logs/agent"
CONTAINER_VERIFIER_LOGS_DIR = "/logs/verifier"
CONTAINER_ORACLE_DIR = "/oracle"
CONTAINER_SOLUTION_DIR = "/solution"


@dataclass(frozen=True)
class Task:
    """One task, whatever its on-disk format.

    ``test_script`` is TB1's ``run-tests.sh`` or Harbor's ``tests/test.sh``;
    ``solution`` is ``solution.sh`` (or ``solution.yaml``) / ``solution/solve.sh``
    (``None`` when absent). ``run_tests_in_same_shell`` is kept from TB1 but has no
    effect here: every phase runs in a fresh shell of the same environment, so files
    persist between agent and tests while shell state (cwd, exported variables) does not.
    """

    task_id: str
    path: Path
    format: TaskFormat
    instruction: str
    agent_timeout_sec: float
    test_timeout_sec: float
    build_context: Path
    dockerfile: Path | None
    tests_dir: Path
    test_script: Path
    solution: Path | None
    image: str | None = None
    parser_name: str = "pytest"
    run_tests_in_same_shell: bool = False
    build_timeout_sec: float = 600.0
    container_env: Mapping[str, str] = field(default_factory=dict)
    verifier_env: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    #: Resource limits and network access (Harbor's ``[environment]``; TB1 has none).
    cpus: float | None = None
    memory_mb: int | None = None
    allow_internet: bool = True
    #: ``docker-compose.yaml`` details of the agent's service and its companions.
    compose_working_dir: str | None = None
    tmpfs: tuple[str, ...] = ()
    #: The other compose services (started beside the agent's by the docker environment);
    #: their ``build`` paths are relative to ``compose_dir``.
    services: Mapping[str, Any] = field(default_factory=dict)
    compose_dir: Path | None = None
    #: Compose keys of the agent's service the harness does not act on (reported per trial).
    compose_ignored: tuple[str, ...] = ()

    @property
    def solution_dir(self) -> Path | None:
        """Harbor uploads the whole ``solution/`` directory; TB1 only ``solution.sh``."""
        if self.solution is None:
            return None
        return self.solution.parent if self.format is TaskFormat.HARBOR else None
