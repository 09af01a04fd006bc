"""Execution environments for benchmark tasks, chosen by name (``local``, ``docker``)."""

from harness.environments.base import Environment, EnvironmentFactory, ExecResult
from harness.environments.registry import environment_factory

__all__ = ["Environment", "EnvironmentFactory", "ExecResult", "environment_factory"]
