"""Agents by name."""

from __future__ import annotations

from harness.agents.base import Agent
from harness.agents.codex_cli import CodexAgent, ModelSettings, PycodexAgent
from harness.agents.simple import NopAgent, OracleAgent
from harness.errors import ConfigError

AGENTS = ("oracle", "nop", "pycodex", "codex")


def make_agent(name: str, settings: ModelSettings | None = None) -> Agent:
    if name == "oracle":
        return OracleAgent()
    if name == "nop":
        return NopAgent()
    if name == "pycodex":
        return PycodexAgent(settings)
    if name == "codex":
        return CodexAgent(settings)
    raise ConfigError(f"unknown agent '{name}' (choose one of: {', '.join(AGENTS)})")
