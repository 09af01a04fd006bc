"""Thread goals: the get_goal / create_goal / update_goal tools of codex 0.169.

A thread has at most one goal. It is active until the model marks it complete,
blocked or paused; tokens of responses that finish while it is active count
against its optional budget. Tool results are the JSON shapes and error texts
the Rust binary returns (observed through the parity oracle). ``codex exec``
does not start continuation turns for an active goal, and neither does pycodex.
codex adds a response's tokens to the goal asynchronously, so a goal read in the
tool calls of that same response may or may not include them; pycodex always does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

NO_GOAL_TO_UPDATE = "cannot update goal because this thread has no goal"
UNFINISHED_GOAL = (
    "cannot create a new goal because this thread has an unfinished goal; "
    "complete the existing goal first"
)
BUDGET_NOT_POSITIVE = "goal budgets must be positive when provided"
COMPLETION_BUDGET_REPORT = (
    "Goal achieved. Report final usage from this tool result's structured goal fields. "
    "If `goal.tokenBudget` is present, include token usage from `goal.tokensUsed` and "
    "`goal.tokenBudget`. If `goal.timeUsedSeconds` is greater than 0, summarize elapsed time "
    "in a concise, human-friendly form appropriate to the response language."
)
STATUSES = ("complete", "blocked", "paused")


# ferry: codex_core::tools::handlers::plan::parse_update_plan_arguments @ 1d092cb66 -- nearest item: the goal tools are not in the mirror -- 0.169.0: get_goal/create_goal/update_goal refusals
class GoalError(Exception):
    """A refused goal operation; ``str()`` is what the model is told."""


# ferry: codex_protocol::plan_tool::UpdatePlanArgs @ 1d092cb66 -- nearest item: the goal tools are not in the mirror -- 0.169.0: a thread goal (objective, status, token budget)
@dataclass(frozen=True)
class Goal:
    thread_id: str
    objective: str
    status: str
    token_budget: int | None
    tokens_used: int
    active_seconds: float
    created_at: int
    updated_at: int

    # ferry: codex_protocol::plan_tool::StepStatus @ 1d092cb66 -- nearest item -- 0.169.0: goal status
    @property
    def unfinished(self) -> bool:
        return self.status != "complete"

    # ferry: codex_protocol::plan_tool::UpdatePlanArgs @ 1d092cb66 -- nearest item -- 0.169.0: the goal JSON get_goal returns
    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "threadId": self.thread_id,
            "objective": self.objective,
            "status": self.status,
        }
        if self.token_budget is not None:
            data["tokenBudget"] = self.token_budget
        data.update(
            tokensUsed=self.tokens_used,
            timeUsedSeconds=int(self.active_seconds),
            createdAt=self.created_at,
            updatedAt=self.updated_at,
        )
        return data


# ferry: codex_core::tools::handlers::plan::PlanHandler @ 1d092cb66 -- nearest item: per-thread state behind a tool -- 0.169.0: the goal of one thread
@dataclass
class GoalStore:
    """The goal of one thread and the history items its creation adds."""

    thread_id: str
    clock: Callable[[], float] = time.time
    goal: Goal | None = None
    _active_since: float | None = None
    pending_items: list[dict[str, Any]] = field(default_factory=list)

    # -- tools
    # ferry: codex_core::tools::handlers::plan::handle_update_plan @ 1d092cb66 -- nearest item -- 0.169.0: get_goal
    def get(self) -> str:
        return self._result()

    # ferry: codex_core::tools::handlers::plan::handle_update_plan @ 1d092cb66 -- nearest item -- 0.169.0: create_goal
    def create(self, objective: str, token_budget: Any = None) -> str:
        # The budget is validated first (codex reports it even when a goal is unfinished).
        if token_budget is not None and (
            isinstance(token_budget, bool) or not isinstance(token_budget, int) or token_budget <= 0
        ):
            raise GoalError(BUDGET_NOT_POSITIVE)
        if self.goal is not None and self.goal.unfinished:
            raise GoalError(UNFINISHED_GOAL)
        now = int(self.clock())
        self.goal = Goal(self.thread_id, objective, "active", token_budget, 0, 0.0, now, now)
        self._active_since = self.clock()
        # codex follows the call's output with the objective, addressed to the agent.
        self.pending_items.append(
            {
                "type": "function_call_output",
                "name": "goal_objective",
                "namespace": "agent",
                "output": objective,
            }
        )
        return self._result()

    # ferry: codex_core::tools::handlers::plan::handle_update_plan @ 1d092cb66 -- nearest item -- 0.169.0: update_goal
    def update(self, status: str) -> str:
        if self.goal is None:
            raise GoalError(NO_GOAL_TO_UPDATE)
        if status not in STATUSES:
            raise GoalError(
                f"unknown goal status `{status}`; expected one of {', '.join(STATUSES)}"
            )
        self._settle_time()
        self.goal = replace(self.goal, status=status, updated_at=int(self.clock()))
        self._active_since = None
        return self._result()

    # -- accounting
    # ferry: codex_core::state::session::SessionState::update_token_info_from_usage @ 1d092cb66 -- nearest item -- 0.169.0: tokens counted against the goal budget
    def add_tokens(self, tokens: int) -> None:
        """Count a finished response's tokens against an active goal."""
        if self.goal is not None and self.goal.status == "active":
            self.goal = replace(self.goal, tokens_used=self.goal.tokens_used + tokens)

    # ferry: codex_core::state::session::SessionState::record_items @ 1d092cb66 -- nearest item -- 0.169.0: history items a new goal adds
    def take_pending_items(self) -> list[dict[str, Any]]:
        items, self.pending_items = self.pending_items, []
        return items

    def _settle_time(self) -> None:
        if self.goal is not None and self._active_since is not None:
            elapsed = self.clock() - self._active_since
            self.goal = replace(self.goal, active_seconds=self.goal.active_seconds + elapsed)
            self._active_since = self.clock()

    def _result(self) -> str:
        goal = self.goal
        if goal is None:
            payload: dict[str, Any] = {
                "goal": None,
                "remainingTokens": None,
                "completionBudgetReport": None,
            }
        else:
            self._settle_time()
            goal = self.goal
            assert goal is not None
            remaining = (
                None if goal.token_budget is None else max(goal.token_budget - goal.tokens_used, 0)
            )
            report = (
                COMPLETION_BUDGET_REPORT
                if goal.status == "complete" and goal.token_budget is not None
                else None
            )
            payload = {
                "goal": goal.to_json(),
                "remainingTokens": remaining,
                "completionBudgetReport": report,
            }
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
