"""The gates: imports, pytest, mypy --strict, parity (the Rust oracle) and benchmark regression.

Each gate is a value-returning check: a failing gate is a :class:`GateResult` with
``passed=False`` and the text to feed back to the translator, never an exception. Every
gate runs in the worktree's own :class:`~harness.validate.isolation.GateEnv`, so it
judges the candidate's code and nothing else.
"""

from __future__ import annotations

import json
import os
import re
import shlex
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
from harness.validate.isolation import GateEnv

OUTPUT_LIMIT = 20_000
_ERROR_LINE = re.compile(r"^(E\s+)?([\w.]+\.)?\w+(Error|Exception): ")


class GateResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    passed: bool
    output: str
    duration_sec: float
    details: dict[str, Any] = {}

    def summary(self) -> str:
        """Why the gate failed, in one line: the failing tests and the first error raised."""
        lines = [ln.strip() for ln in self.output.strip().splitlines() if ln.strip()]
        failed = [ln[:300] for ln in lines if ln.startswith(("FAILED ", "ERROR "))][:3]
        errors = [
            ln.removeprefix("E").strip()[:300]
            for ln in lines
            if _ERROR_LINE.match(ln)
            and "Traceback" not in ln
            and "AssertionError: assert" not in ln
        ]
        parts = failed + errors[:1]
        if parts:
            return " | ".join(dict.fromkeys(parts))
        return lines[-1][:300] if lines else "(no output)"


@dataclass(frozen=True)
class GateContext:
    root: Path  # the project directory of the tree being judged
    config: ValidateConfig
    tests: Sequence[str] = ()  # explicit tests; empty = chosen from [validate]
    modules: Sequence[str] = ()  # changed module files (mypy, impacted selection)
    record_baseline: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    env: GateEnv | None = None  # set by run_gates before any gate runs
    changed: Sequence[str] | None = None  # every changed file (relative to root), if known
    env_root: Path | None = None  # where gate environments live (default <root>/.ferry/gate-env)
    baseline_root: Path | None = None  # where the bench baseline lives (default: root)


class Gate(Protocol):
    name: str

    def run(self, ctx: GateContext) -> GateResult: ...


def _tail(text: str) -> str:
    return text if len(text) <= OUTPUT_LIMIT else "...\n" + text[-OUTPUT_LIMIT:]


def _env(ctx: GateContext) -> GateEnv:
    if ctx.env is None:
        raise RuntimeError("run gates through harness.validate.verdict.run_gates (no GateEnv)")
    return ctx.env


def _run(
    name: str,
    argv: list[str],
    ctx: GateContext,
    details: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> GateResult:
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            cwd=ctx.root,
            capture_output=True,
            text=True,
            timeout=ctx.config.timeout_sec,
            env=env if env is not None else _env(ctx).environ(),
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


_IMPORT_ALL = r"""
import importlib, json, pkgutil, sys, traceback
from pathlib import Path
failures = []
count = 0
for name in json.loads(sys.argv[1]):
    try:
        pkg = importlib.import_module(name)
    except BaseException:
        failures.append((name, traceback.format_exc(limit=3)))
        continue
    count += 1
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        try:
            importlib.import_module(info.name)
            count += 1
        except BaseException:
            failures.append((info.name, traceback.format_exc(limit=3)))
    for path in Path(pkg.__path__[0]).rglob("*.py"):
        if path.name != "__init__.py" and (path.parent / path.stem / "__init__.py").is_file():
            failures.append((str(path), f"module {path} is shadowed by the package {path.parent / path.stem}/"))
for name, text in failures:
    print(f"FAILED import {name}\n{text}")
print(f"{count} modules imported, {len(failures)} failed")
sys.exit(1 if failures else 0)
"""


class ImportsGate:
    """Every module of the judged port packages imports; no module is shadowed by a package."""

    name = "imports"

    def run(self, ctx: GateContext) -> GateResult:
        env = _env(ctx)
        packages = [p for p in env.judged if _in_first_root(env, p)]
        argv = [str(env.python), "-c", _IMPORT_ALL, json.dumps(packages)]
        return _run(self.name, argv, ctx, {"packages": packages})


def _in_first_root(env: GateEnv, package: str) -> bool:
    return bool(env.search) and (env.search[0] / package / "__init__.py").is_file()


class PytestGate:
    name = "pytest"

    def run(self, ctx: GateContext) -> GateResult:
        if not ctx.tests:
            return GateResult(name=self.name, passed=False, duration_sec=0.0,
                              output="no tests selected: set [validate] tests or pass --tests PATH")  # fmt: skip
        missing = [t for t in ctx.tests if not (ctx.root / t.split("::")[0]).exists()]
        if missing:
            return GateResult(name=self.name, passed=False, duration_sec=0.0,
                              output=f"selected tests do not exist under {ctx.root}: {', '.join(missing)}")  # fmt: skip
        argv = [str(_env(ctx).python), "-m", "pytest", *ctx.config.pytest_args, *ctx.tests]
        return _run(self.name, argv, ctx, {"tests": list(ctx.tests)})


class MypyGate:
    name = "mypy"

    def run(self, ctx: GateContext) -> GateResult:
        from harness.validate.selection import impacted_module_files

        env = _env(ctx)
        cfg = ctx.config
        port = [p for p in env.judged if _in_first_root(env, p)]
        if cfg.mypy_scope == "all":
            targets = [str(env.search[0] / p) for p in port]
        else:
            targets = impacted_module_files(ctx.root, cfg.source_roots, port, list(ctx.modules))
            targets += [m for m in ctx.modules if m not in targets and (ctx.root / m).is_file()]
        if not targets:
            return GateResult(name=self.name, passed=False, duration_sec=0.0,
                              output="no modules selected: pass a plan naming modules or --modules PATH")  # fmt: skip
        argv = [str(env.python), "-m", "mypy", *cfg.mypy_args, *targets]
        return _run(self.name, argv, ctx, {"targets": targets})


class ParityGate:
    """``ferry parity run`` with the candidate's ``pycodex`` against the Rust oracle.

    When the worktree holds ferry itself, its own parity harness and scenarios run in the
    gate environment; otherwise the installed ferry runs them. Either way the port under
    test is the gate environment's ``pycodex`` launcher (the worktree's code).
    """

    name = "parity"

    def run(self, ctx: GateContext) -> GateResult:
        env = _env(ctx)
        launcher = env.executable("pycodex")
        # without a console script in the worktree's pyproject, run the package itself
        pycodex = (
            str(launcher) if launcher.is_file() else f"{shlex.quote(str(env.python))} -m pycodex"
        )
        cli = ["-c", "from ferry.cli import main; main()", "parity", "run"]
        args = [*ctx.config.parity_args, "--pycodex", pycodex]
        if "harness" in env.judged:
            argv, run_env = [str(env.python), *cli, *args], env.environ()
        else:
            argv, run_env = [sys.executable, *cli, *args], dict(os.environ)
        result = _run(self.name, argv, ctx, {"pycodex": pycodex}, env=run_env)
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
        env = _env(ctx)
        started = time.monotonic()
        baseline_path = (ctx.baseline_root or ctx.root) / cfg.baseline
        baseline: dict[str, float] = {}
        if baseline_path.is_file():
            try:
                raw = json.loads(baseline_path.read_text(encoding="utf-8"))["seconds"]
                baseline = {k: float(v) for k, v in raw.items()}
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                return GateResult(name=self.name, passed=False, duration_sec=0.0,
                                  output=f"{baseline_path}: not a bench baseline ({exc}); "
                                  "record one with `ferry validate --gate bench --record-baseline`")  # fmt: skip
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
                proc = subprocess.run([str(env.python), str(path)], cwd=ctx.root, capture_output=True, text=True,
                                      timeout=ctx.config.timeout_sec, env=env.environ())  # fmt: skip
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


GATES: dict[str, Gate] = {
    g.name: g for g in (ImportsGate(), PytestGate(), MypyGate(), ParityGate(), BenchGate())
}
