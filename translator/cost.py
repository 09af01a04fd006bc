"""Tokens and money: a price table, per-unit and per-run totals, and a budget cap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from translator.backends.base import Usage
from translator.config import Price
from translator.errors import BudgetExceeded


@dataclass
class CostMeter:
    prices: Mapping[str, Price]
    budget_usd: float
    spent_usd: float = 0.0
    usage: Usage = field(default_factory=Usage)
    calls: int = 0
    per_unit: dict[str, tuple[Usage, float]] = field(default_factory=dict)

    def cost(self, model: str, usage: Usage) -> float:
        """USD for ``usage`` on ``model`` (0 for models without a price, e.g. mechanical)."""
        price = self.prices.get(model)
        if price is None:
            return 0.0
        return (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1_000_000

    def ensure_affordable(self, model: str, estimate: Usage, unit: str) -> None:
        """Raise before a call whose estimated cost would push the run past the budget."""
        projected = self.spent_usd + self.cost(model, estimate)
        if projected > self.budget_usd:
            raise BudgetExceeded(
                f"{unit}: the next call (~${self.cost(model, estimate):.4f}) would bring the run to "
                f"${projected:.4f}, over the ${self.budget_usd:.2f} budget; raise [translate].budget_usd "
                "or translate fewer units"
            )

    def charge(self, unit: str, model: str, usage: Usage) -> float:
        amount = self.cost(model, usage)
        self.spent_usd += amount
        self.usage = self.usage + usage
        self.calls += 1
        previous_usage, previous_cost = self.per_unit.get(unit, (Usage(), 0.0))
        self.per_unit[unit] = (previous_usage + usage, previous_cost + amount)
        return amount
