"""The Verdict: every configured gate's result, stamped, passed only if all passed.

:func:`run_gates` first builds and verifies the worktree's gate environment; when it does
not isolate the candidate (a judged package resolves outside the worktree, an editable
finder is active) no gate runs and the verdict fails with an ``isolation`` result saying
why. It then chooses the tests (the whole suite, or the impacted ones) and, when given
translated symbols, records which of them the gates ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace

from pydantic import BaseModel, ConfigDict, Field

from harness.records import VERDICT_FORMAT, Stamp, stamp
from harness.validate.exercise import SymbolSpan, executed_lines, recording, unexercised
from harness.validate.gates import GATES, GateContext, GateResult
from harness.validate.isolation import GateEnv, GateEnvError, prepare_gate_env
from harness.validate.selection import select_tests

#: gates whose processes count towards "exercised" (mypy and imports run nothing)
EXERCISING_GATES = ("pytest", "parity")


class Verdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    passed: bool
    gates: list[GateResult]
    tests: list[str]
    modules: list[str]
    stamp: Stamp
    environment: dict[str, object] = Field(default_factory=dict)
    selection: list[str] = Field(default_factory=list)  # why each test was chosen
    checked_symbols: list[str] = Field(default_factory=list)
    unexercised: list[str] = Field(default_factory=list)  # translated symbols no gate ran

    def failing(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed]

    def feedback(self) -> str:
        """The failure text handed back to the translator."""
        return "\n\n".join(
            f"The {g.name} gate failed on the candidate worktree:\n{g.output.strip()[-6000:]}"
            for g in self.failing()
        )


def _isolation_failure(ctx: GateContext, problems: list[str], env: GateEnv | None) -> Verdict:
    text = (
        "gate environment does not isolate the candidate worktree "
        f"{ctx.root}; no gate was run:\n" + "\n".join(f"- {p}" for p in problems)
    )
    results = [GateResult(name="isolation", passed=False, output=text, duration_sec=0.0)]
    results += [
        GateResult(name=n, passed=False, output="not run: gate environment not isolated",
                   duration_sec=0.0) for n in ctx.config.gates
    ]  # fmt: skip
    return Verdict(
        passed=False,
        gates=results,
        tests=list(ctx.tests),
        modules=list(ctx.modules),
        stamp=stamp(VERDICT_FORMAT, ctx.config.model_dump()),
        environment={"venv": str(env.venv) if env else None, "problems": problems},
    )


def run_gates(ctx: GateContext, *, symbols: Sequence[SymbolSpan] = ()) -> Verdict:
    """Run ``ctx.config.gates`` on the tree at ``ctx.root`` in its own gate environment."""
    cfg = ctx.config
    env = ctx.env
    if env is None:
        env_root = ctx.env_root or (ctx.root / ".ferry" / "gate-env")
        try:
            env = prepare_gate_env(ctx.root, cfg.source_roots, env_root)
        except GateEnvError as exc:
            return _isolation_failure(ctx, [str(exc)], None)
    problems = env.verify()
    if problems:
        return _isolation_failure(ctx, problems, env)
    tests = list(ctx.tests)
    reasons: list[str] = []
    if not tests:
        port = [p for p in env.judged if env.search and (env.search[0] / p).is_dir()]
        chosen = select_tests(
            ctx.root,
            test_paths=cfg.tests,
            source_roots=cfg.source_roots,
            packages=port,
            changed=ctx.changed,
            mode=cfg.selection,
            e2e=cfg.e2e_tests,
        )
        tests, reasons = list(chosen.tests), list(chosen.reasons)
    gate_ctx = replace(ctx, env=env, tests=tests)
    measure = bool(symbols) and cfg.exercise_check
    data_dir = env.venv / "coverage-data"
    with recording(env, symbols, data_dir) if measure else nullcontext(data_dir):
        results = [GATES[name].run(gate_ctx) for name in cfg.gates]
    passed = all(r.passed for r in results)
    missed: list[str] = []
    if measure and passed:
        if any(name in EXERCISING_GATES for name in cfg.gates):
            missed = unexercised(symbols, executed_lines(data_dir))
        else:
            missed = [s.qualified for s in symbols]  # no configured gate runs code
    return Verdict(
        passed=passed,
        gates=results,
        tests=tests,
        modules=list(ctx.modules),
        stamp=stamp(VERDICT_FORMAT, cfg.model_dump()),
        environment={"venv": str(env.venv), "python": str(env.python),
                     "search": [str(p) for p in env.search], "judged": list(env.judged)},
        selection=reasons,
        checked_symbols=[s.qualified for s in symbols] if measure else [],
        unexercised=missed,
    )  # fmt: skip
