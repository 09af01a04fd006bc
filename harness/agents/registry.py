"""Agents by name."""

from __future__ import annotations

from harness.agents.base import Agent
from harness.agents.codex_cli import CodexAgent, ModelSettings, PycodexAgent
from harness.agents.simple import NopAgent, OracleAgent
from harness.errors import ConfigError

AGENTS = ("oracle", "nop", "pycodex", "codex", "scripted-pycodex", "scripted-codex")


def make_agent(name: str, settings: ModelSettings | None = None) -> Agent:
    if name == "oracle":
        return OracleAgent()
    if name == "nop":
        return NopAgent()
    if name == "pycodex":
        return PycodexAgent(settings)
    if name == "codex":
        return CodexAgent(settings)
    if name in ("scripted-pycodex", "scripted-codex"):
        from harness.agents.scripted import ScriptedSolutionAgent

        return ScriptedSolutionAgent(name.split("-", 1)[1])
    raise ConfigError(f"unknown agent '{name}' (choose one of: {', '.join(AGENTS)})")
