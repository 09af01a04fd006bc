"""The Verdict: every configured gate's result, stamped, passed only if all passed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from harness.records import VERDICT_FORMAT, Stamp, stamp
from harness.validate.gates import GATES, GateContext, GateResult


class Verdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    passed: bool
    gates: list[GateResult]
    tests: list[str]
    modules: list[str]
    stamp: Stamp


def run_gates(ctx: GateContext) -> Verdict:
    results = [GATES[name].run(ctx) for name in ctx.config.gates]
    return Verdict(
        passed=all(r.passed for r in results),
        gates=results,
        tests=list(ctx.tests),
        modules=list(ctx.modules),
        stamp=stamp(VERDICT_FORMAT, ctx.config.model_dump()),
    )
