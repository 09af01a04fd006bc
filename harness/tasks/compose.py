"""What a task's ``docker-compose.yaml`` says about its environment.

Both formats may carry one: TB1 always (service ``client`` is the agent's container),
Harbor optionally in ``environment/`` (service ``main``). The harness reads the agent
service's ``working_dir``, ``tmpfs``, ``network_mode``, resource limits
(``deploy.resources.limits`` or the older ``cpus``/``mem_limit``) and environment, and
starts every other service beside it. Keys it does not act on are listed on the
task (``ignored``), never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import TaskFormatError

#: Keys of the agent's service that the harness implements or that have no effect on a
#: trial (names, log mounts, the idle command, the tty a human would attach).
HANDLED_KEYS = frozenset({
    "build", "image", "container_name", "command", "environment", "volumes", "working_dir",
    "tmpfs", "deploy", "cpus", "mem_limit", "network_mode", "tty", "stdin_open", "init",
    "depends_on", "platform", "entrypoint", "networks", "restart", "healthcheck", "ports",
})  # fmt: skip
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1 / (1024 * 1024), "k": 1 / 1024, "m": 1.0, "g": 1024.0, "t": 1024.0 * 1024}


@dataclass(frozen=True)
class ComposeSettings:
    working_dir: str | None = None
    tmpfs: tuple[str, ...] = ()
    cpus: float | None = None
    memory_mb: int | None = None
    no_network: bool = False
    environment: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, Any] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()


def memory_mb(value: object, path: Path, where: str) -> int:
    """Compose memory sizes (``512m``, ``2G``, ``1.5gb``, bytes) in MiB."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(1, int(value / (1024 * 1024)))
    match = _SIZE.match(str(value))
    if match is None:
        raise TaskFormatError(path, f"'{value}' is not a memory size (e.g. 512m, 2g)", field=where)
    return max(1, int(float(match.group(1)) * _UNITS[match.group(2).lower()]))


def _cpus(value: object, path: Path, where: str) -> float:
    try:
        cpus = float(str(value))
    except ValueError:
        raise TaskFormatError(path, f"'{value}' is not a number of CPUs", field=where) from None
    if cpus <= 0:
        raise TaskFormatError(path, "must be positive", field=where)
    return cpus


def _environment(service: Mapping[str, Any], path: Path, where: str) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return {str(k): "" if v is None else str(v) for k, v in env.items()}
    if isinstance(env, list):
        out: dict[str, str] = {}
        for item in env:
            key, _, value = str(item).partition("=")
            out[key] = value
        return out
    raise TaskFormatError(path, "must be a list or mapping", field=f"{where}.environment")


def _tmpfs(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]
    return tuple(str(item).split(":")[0] for item in items if str(item).strip())


def read_compose(compose: Mapping[str, Any], path: Path, agent_service: str) -> ComposeSettings:
    """The settings of ``agent_service`` and the other services of a parsed compose file."""
    services = compose.get("services")
    if not isinstance(services, dict):
        raise TaskFormatError(path, "needs a 'services' mapping", field="services")
    if agent_service not in services:
        raise TaskFormatError(
            path,
            f"needs the agent's service named '{agent_service}'",
            field=f"services.{agent_service}",
        )
    where = f"services.{agent_service}"
    service = services[agent_service]
    if not isinstance(service, dict):
        raise TaskFormatError(path, "must be a mapping", field=where)
    limits = (((service.get("deploy") or {}).get("resources") or {}).get("limits")) or {}
    cpus = limits.get("cpus", service.get("cpus"))
    memory = limits.get("memory", service.get("mem_limit"))
    others = {name: spec for name, spec in services.items() if name != agent_service}
    for name, spec in others.items():
        if not isinstance(spec, dict) or not (spec.get("image") or spec.get("build")):
            raise TaskFormatError(path, "needs an 'image' or a 'build'", field=f"services.{name}")
    working_dir = service.get("working_dir")
    return ComposeSettings(
        working_dir=str(working_dir) if working_dir else None,
        tmpfs=_tmpfs(service.get("tmpfs")),
        cpus=_cpus(cpus, path, f"{where}.deploy.resources.limits.cpus") if cpus else None,
        memory_mb=memory_mb(memory, path, f"{where}.deploy.resources.limits.memory")
        if memory
        else None,
        no_network=service.get("network_mode") == "none",
        environment=_environment(service, path, where),
        services=others,
        ignored=tuple(sorted(f"{where}.{key}" for key in service if key not in HANDLED_KEYS)),
    )
