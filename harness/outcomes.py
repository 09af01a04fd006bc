"""Failure modes of a trial (Terminal-Bench's names) and the error categories they fall in.

A trial is *scored* (counts in the accuracy denominator) only when the verifier
reached a verdict in this trial. Harness-side failures -- the environment did not
build, the agent could not be installed, the verifier died or could not fetch what
it needs -- say nothing about the agent and are reported separately, as Harbor and
SWE-bench report errored trials. Agent errors and agent timeouts after which the
verifier still judged the environment stay scored: an agent must not raise its
score by crashing.
"""

from __future__ import annotations

import enum


class FailureMode(enum.StrEnum):
    UNSET = "unset"
    NONE = "none"
    UNKNOWN = "unknown"
    TEST_TIMEOUT = "test_timeout"
    AGENT_TIMEOUT = "agent_timeout"
    UNKNOWN_AGENT_ERROR = "unknown_agent_error"
    PARSE_ERROR = "parse_error"
    FATAL_LLM_PARSE_ERROR = "fatal_llm_parse_error"
    CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded"
    OUTPUT_LENGTH_EXCEEDED = "output_length_exceeded"
    AGENT_INSTALLATION_FAILED = "agent_installation_failed"
    ENVIRONMENT_ERROR = "environment_error"
    VERIFIER_ERROR = "verifier_error"
    INFRA_ERROR = "infra_error"


class ErrorCategory(enum.StrEnum):
    """The five kinds of failure tb/Harbor/SWE-bench tell apart."""

    AGENT_ERROR = "agent_error"
    VERIFIER_ERROR = "verifier_error"
    ENVIRONMENT_BUILD_ERROR = "environment_build_error"
    TIMEOUT = "timeout"
    INFRA = "infra"


_CATEGORY: dict[FailureMode, ErrorCategory] = {
    FailureMode.UNKNOWN: ErrorCategory.INFRA,
    FailureMode.INFRA_ERROR: ErrorCategory.INFRA,
    FailureMode.AGENT_INSTALLATION_FAILED: ErrorCategory.INFRA,
    FailureMode.TEST_TIMEOUT: ErrorCategory.TIMEOUT,
    FailureMode.AGENT_TIMEOUT: ErrorCategory.TIMEOUT,
    FailureMode.UNKNOWN_AGENT_ERROR: ErrorCategory.AGENT_ERROR,
    FailureMode.FATAL_LLM_PARSE_ERROR: ErrorCategory.AGENT_ERROR,
    FailureMode.CONTEXT_LENGTH_EXCEEDED: ErrorCategory.AGENT_ERROR,
    FailureMode.OUTPUT_LENGTH_EXCEEDED: ErrorCategory.AGENT_ERROR,
    FailureMode.PARSE_ERROR: ErrorCategory.VERIFIER_ERROR,
    FailureMode.VERIFIER_ERROR: ErrorCategory.VERIFIER_ERROR,
    FailureMode.ENVIRONMENT_ERROR: ErrorCategory.ENVIRONMENT_BUILD_ERROR,
}


def error_category(mode: FailureMode) -> ErrorCategory | None:
    """The category of a failure mode (``None`` for a clean trial)."""
    return _CATEGORY.get(mode)


#: Failure modes after which the verifier's verdict (if any) still judges the agent.
AGENT_SIDE = frozenset(
    {
        FailureMode.NONE,
        FailureMode.AGENT_TIMEOUT,
        FailureMode.UNKNOWN_AGENT_ERROR,
        FailureMode.FATAL_LLM_PARSE_ERROR,
        FailureMode.CONTEXT_LENGTH_EXCEEDED,
        FailureMode.OUTPUT_LENGTH_EXCEEDED,
    }
)
