"""``results.json`` records with Terminal-Bench's field names plus tokens, cost and a stamp."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.outcomes import FailureMode
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
    reward: float | None = None
    cached_input_tokens: int | None = None
    reasoning_output_tokens: int | None = None
    cost_usd: float | None = None
    message: str = ""
    environment_notes: list[str] = Field(default_factory=list)
    stamp: Stamp


class BenchmarkResults(BaseModel):
    """The whole run, as TB1's ``BenchmarkResults`` plus the stamp."""

    model_config = ConfigDict(frozen=True)

    id: str
    results: list[TrialResult]
    n_resolved: int
    n_unresolved: int
    resolved_ids: list[str]
    unresolved_ids: list[str]
    accuracy: float
    total_input_tokens: int = 0
    total_output_tokens: int = 0
    total_cost_usd: float | None = None
    stamp: Stamp

    @classmethod
    def from_trials(cls, run_id: str, trials: list[TrialResult], stamp: Stamp) -> BenchmarkResults:
        ordered = sorted(trials, key=lambda t: t.task_id)
        resolved = [t.task_id for t in ordered if t.is_resolved]
        unresolved = [t.task_id for t in ordered if not t.is_resolved]
        costs = [t.cost_usd for t in ordered if t.cost_usd is not None]
        return cls(
            id=run_id,
            results=ordered,
            n_resolved=len(resolved),
            n_unresolved=len(unresolved),
            resolved_ids=resolved,
            unresolved_ids=unresolved,
            accuracy=len(resolved) / len(ordered) if ordered else 0.0,
            total_input_tokens=sum(t.total_input_tokens or 0 for t in ordered),
            total_output_tokens=sum(t.total_output_tokens or 0 for t in ordered),
            total_cost_usd=sum(costs) if costs else None,
            stamp=stamp,
        )


def dump(model: BaseModel) -> str:
    return model.model_dump_json(indent=2) + "\n"


def trial_fields() -> dict[str, Any]:
    """Field names of a trial record (documentation and tests)."""
    return dict(TrialResult.model_fields)
