"""Agents that attempt a task inside its environment, chosen by name."""

from harness.agents.base import Agent, AgentResult
from harness.agents.registry import AGENTS, make_agent

__all__ = ["AGENTS", "Agent", "AgentResult", "make_agent"]
