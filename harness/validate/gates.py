"""The gates: pytest, mypy --strict, parity (the Rust oracle) and benchmark regression.

Each gate is a value-returning check: a failing gate is a :class:`GateResult` with
``passed=False`` and the text to feed back to the translator, never an exception.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from harness.validate.config import ValidateConfig

OUTPUT_LIMIT = 20_000


class GateResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    passed: bool
    output: str
    duration_sec: float
    details: dict[str, Any] = {}


@dataclass(frozen=True)
class GateContext:
    root: Path
    config: ValidateConfig
    tests: Sequence[str] = ()
    modules: Sequence[str] = ()
    record_baseline: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Gate(Protocol):
    name: str

    def run(self, ctx: GateContext) -> GateResult: ...


def _tail(text: str) -> str:
    return text if len(text) <= OUTPUT_LIMIT else "...\n" + text[-OUTPUT_LIMIT:]


def _run(
    name: str, argv: list[str], ctx: GateContext, details: dict[str, Any] | None = None
) -> GateResult:
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv, cwd=ctx.root, capture_output=True, text=True, timeout=ctx.config.timeout_sec
        )
    except subprocess.TimeoutExpired:
        return GateResult(name=name, passed=False, output=f"timed out after {ctx.config.timeout_sec:g}s: {argv}",
                          duration_sec=time.monotonic() - started)  # fmt: skip
    return GateResult(
        name=name,
        passed=proc.returncode == 0,
        output=_tail(proc.stdout + proc.stderr),
        duration_sec=time.monotonic() - started,
        details={"argv": argv, "exit_code": proc.returncode, **(details or {})},
    )


class PytestGate:
    name = "pytest"

    def run(self, ctx: GateContext) -> GateResult:
        if not ctx.tests:
            return GateResult(name=self.name, passed=False, duration_sec=0.0,
                              output="no tests selected: pass a plan with tests/modules or --tests PATH")  # fmt: skip
        return _run(
            self.name, [sys.executable, "-m", "pytest", *ctx.config.pytest_args, *ctx.tests], ctx
        )


class MypyGate:
    name = "mypy"

    def run(self, ctx: GateContext) -> GateResult:
        if not ctx.modules:
            return GateResult(name=self.name, passed=False, duration_sec=0.0,
                              output="no modules selected: pass a plan naming modules or --modules PATH")  # fmt: skip
        return _run(
            self.name, [sys.executable, "-m", "mypy", *ctx.config.mypy_args, *ctx.modules], ctx
        )


class ParityGate:
    """Runs ``ferry parity run`` (owned by ``harness.parity``) when that package is present."""

    name = "parity"

    def run(self, ctx: GateContext) -> GateResult:
        try:
            present = importlib.util.find_spec("harness.parity.cli") is not None
        except ModuleNotFoundError:
            present = False
        if not present:
            return GateResult(name=self.name, passed=False, duration_sec=0.0,
                              output="parity gate unavailable: harness.parity is not installed")  # fmt: skip
        argv = [
            sys.executable,
            "-c",
            "from ferry.cli import main; main()",
            "parity",
            "run",
            *ctx.config.parity_args,
        ]
        result = _run(self.name, argv, ctx)
        meaning = {2: "invalid parity scenario or allow-list", 3: "Rust oracle binary unavailable"}
        code = result.details.get("exit_code")
        if isinstance(code, int) and code in meaning:
            return result.model_copy(
                update={"output": f"parity gate: {meaning[code]}\n{result.output}"}
            )
        return result


class BenchGate:
    """Median wall time of each benchmark script over ``repeats`` runs vs the stored baseline."""

    name = "bench"

    def run(self, ctx: GateContext) -> GateResult:
        cfg = ctx.config.bench
        started = time.monotonic()
        baseline_path = ctx.root / cfg.baseline
        baseline: dict[str, float] = {}
        if baseline_path.is_file():
            baseline = {
                k: float(v) for k, v in json.loads(baseline_path.read_text())["seconds"].items()
            }
        if not cfg.scripts:
            return GateResult(name=self.name, passed=False, duration_sec=0.0,
                              output="no benchmark scripts configured: set [validate.bench] scripts")  # fmt: skip
        lines: list[str] = []
        medians: dict[str, float] = {}
        ok = True
        for script in cfg.scripts:
            path = ctx.root / "benchmarks" / f"{script}.py"
            if not path.is_file():
                lines.append(f"{script}: FAIL missing {path}")
                ok = False
                continue
            times: list[float] = []
            for _ in range(cfg.repeats):
                t0 = time.monotonic()
                proc = subprocess.run([sys.executable, str(path)], cwd=ctx.root, capture_output=True, text=True,
                                      timeout=ctx.config.timeout_sec)  # fmt: skip
                times.append(time.monotonic() - t0)
                if proc.returncode != 0:
                    lines.append(f"{script}: FAIL exit {proc.returncode}: {proc.stderr[-500:]}")
                    ok = False
                    break
            medians[script] = statistics.median(times)
            reference = baseline.get(script)
            if ctx.record_baseline:
                lines.append(f"{script}: recorded {medians[script]:.3f}s")
            elif reference is None:
                lines.append(
                    f"{script}: FAIL no baseline in {baseline_path} (run with --record-baseline)"
                )
                ok = False
            else:
                limit = reference * (1 + cfg.tolerance)
                verdict = "ok" if medians[script] <= limit else "FAIL slower"
                ok = ok and medians[script] <= limit
                lines.append(f"{script}: {verdict} median {medians[script]:.3f}s vs baseline {reference:.3f}s "
                             f"(limit {limit:.3f}s, {cfg.repeats} runs)")  # fmt: skip
        if ctx.record_baseline and ok:
            from ferry.fsutil import write_text_atomic

            write_text_atomic(
                baseline_path, json.dumps({"seconds": {**baseline, **medians}}, indent=2) + "\n"
            )
        return GateResult(name=self.name, passed=ok, output="\n".join(lines), duration_sec=time.monotonic() - started,
                          details={"medians": medians, "baseline": baseline, "tolerance": cfg.tolerance})  # fmt: skip


GATES: dict[str, Gate] = {g.name: g for g in (PytestGate(), MypyGate(), ParityGate(), BenchGate())}
