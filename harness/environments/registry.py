"""Pick an environment implementation by its configured name."""

from __future__ import annotations

from typing import Any

from harness.environments.base import EnvironmentFactory
from harness.errors import ConfigError

ENVIRONMENTS = ("local", "docker")


def environment_factory(name: str, **options: Any) -> EnvironmentFactory:
    if name == "local":
        from harness.environments.local import LocalEnvironmentFactory

        return LocalEnvironmentFactory(**options)
    if name == "docker":
        from harness.environments.docker_env import DockerEnvironmentFactory

        return DockerEnvironmentFactory(**options)
    raise ConfigError(f"unknown environment '{name}' (choose one of: {', '.join(ENVIRONMENTS)})")
