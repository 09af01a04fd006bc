"""``results.json`` records with Terminal-Bench's field names plus tokens, cost and a stamp."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.outcomes import ErrorCategory, FailureMode
from harness.parsers import UnitTestStatus
from harness.records import Stamp


class TrialResult(BaseModel):
    """One agent attempt at one task (TB1's ``TrialResults`` fields come first)."""

    model_config = ConfigDict(frozen=True)

    id: str
    trial_name: str
    task_id: str
    instruction: str
    is_resolved: bool | None = None
    failure_mode: FailureMode = FailureMode.UNSET
    parser_results: dict[str, UnitTestStatus] | None = None
    recording_path: str | None = None
    total_input_tokens: int | None = None
    total_output_tokens: int | None = None
    trial_started_at: datetime | None = None
    trial_ended_at: datetime | None = None
    agent_started_at: datetime | None = None
    agent_ended_at: datetime | None = None
    test_started_at: datetime | None = None
    test_ended_at: datetime | None = None
    # ferry additions
    task_format: str
    agent: str
    environment: str
    attempt: int = 1
    #: The verifier reached a verdict in this trial: the trial counts in the accuracy.
    scored: bool = False
    error_category: ErrorCategory | None = None
    verifier_exit_code: int | None = None
    reward: float | None = None
    cached_input_tokens: int | None = None
    reasoning_output_tokens: int | None = None
    cost_usd: float | None = None
    message: str = ""
    environment_notes: list[str] = Field(default_factory=list)
    stamp: Stamp


class SkippedTask(BaseModel):
    """A task directory that could not be loaded; the run went on without it."""

    model_config = ConfigDict(frozen=True)

    path: str
    error: str


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimate from ``n`` attempts of which ``c`` resolved (Chen et al.)."""
    if n - c < k:
        return 1.0
    prob_all_fail = 1.0
    for i in range(n - c + 1, n + 1):
        prob_all_fail *= 1.0 - k / i
    return 1.0 - prob_all_fail


class BenchmarkResults(BaseModel):
    """The whole run, as TB1's ``BenchmarkResults`` plus scoring, errors and the stamp.

    ``accuracy`` is resolved over *scored* trials; trials whose environment, agent
    install or verifier failed are listed under ``errors`` by category instead.
    ``accuracy_all_trials`` counts them as failures, for comparison.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    results: list[TrialResult]
    n_resolved: int
    n_unresolved: int
    n_scored: int = 0
    n_errors: int = 0
    resolved_ids: list[str]
    unresolved_ids: list[str]
    accuracy: float
    accuracy_all_trials: float = 0.0
    errors: dict[str, list[str]] = Field(default_factory=dict)
    attempts: int = 1
    pass_at_k: dict[str, float] = Field(default_factory=dict)
    skipped_tasks: list[SkippedTask] = Field(default_factory=list)
    interrupted: bool = False
    fingerprint: str | None = None
    total_input_tokens: int = 0
    total_output_tokens: int = 0
    total_cost_usd: float | None = None
    stamp: Stamp

    @classmethod
    def from_trials(
        cls,
        run_id: str,
        trials: list[TrialResult],
        stamp: Stamp,
        *,
        attempts: int = 1,
        skipped: list[SkippedTask] | None = None,
        interrupted: bool = False,
        fingerprint: str | None = None,
    ) -> BenchmarkResults:
        ordered = sorted(trials, key=lambda t: (t.task_id, t.attempt))
        scored = [t for t in ordered if t.scored]
        resolved = sorted({t.task_id for t in scored if t.is_resolved})
        unresolved = sorted({t.task_id for t in ordered} - set(resolved))
        errors: dict[str, list[str]] = {}
        for trial in ordered:
            if not trial.scored:
                key = str(trial.error_category or ErrorCategory.INFRA)
                errors.setdefault(key, []).append(trial.trial_name)
        costs = [t.cost_usd for t in ordered if t.cost_usd is not None]
        n_resolved_trials = sum(1 for t in scored if t.is_resolved)
        return cls(
            id=run_id,
            results=ordered,
            n_resolved=n_resolved_trials,
            n_unresolved=len(scored) - n_resolved_trials,
            n_scored=len(scored),
            n_errors=len(ordered) - len(scored),
            resolved_ids=resolved,
            unresolved_ids=unresolved,
            accuracy=n_resolved_trials / len(scored) if scored else 0.0,
            accuracy_all_trials=n_resolved_trials / len(ordered) if ordered else 0.0,
            errors=errors,
            attempts=attempts,
            pass_at_k=_pass_at_k(scored, attempts),
            skipped_tasks=list(skipped or []),
            interrupted=interrupted,
            fingerprint=fingerprint,
            total_input_tokens=sum(t.total_input_tokens or 0 for t in ordered),
            total_output_tokens=sum(t.total_output_tokens or 0 for t in ordered),
            total_cost_usd=sum(costs) if costs else None,
            stamp=stamp,
        )


def _pass_at_k(scored: list[TrialResult], attempts: int) -> dict[str, float]:
    """Mean pass@k over tasks with at least one scored trial, for k = 1..attempts."""
    per_task: dict[str, list[bool]] = {}
    for trial in scored:
        per_task.setdefault(trial.task_id, []).append(bool(trial.is_resolved))
    if not per_task:
        return {}
    out: dict[str, float] = {}
    for k in range(1, attempts + 1):
        values = [pass_at_k(len(r), sum(r), k) for r in per_task.values() if len(r) >= k]
        if values:
            out[f"pass@{k}"] = sum(values) / len(values)
    return out


def dump(model: BaseModel) -> str:
    return model.model_dump_json(indent=2) + "\n"


def trial_fields() -> dict[str, Any]:
    """Field names of a trial record (documentation and tests)."""
    return dict(TrialResult.model_fields)
