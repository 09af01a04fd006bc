"""pycodex start-up and a full scripted ``exec`` round trip, beside the Rust binary.

Prints, for each command, the median wall time over N runs and the peak RSS of
the process (from ``wait4``): ``python3 -c pass`` (the floor), ``pycodex
--version``, ``codex --version``, and a two-request ``exec --json`` round trip
(exec_command, then a final message) against the scripted server for both.

Goals (issue 2): start-up <= 1.3x bare python, round trip <= the Rust binary's,
peak RSS <= 60 MiB. Usage: python benchmarks/bench_pycodex.py [RUNS]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_function_call,
    ev_response_created,
)
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

PYCODEX = [str(Path(sys.executable).parent / "pycodex")]


def measure(
    argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024.0


def series(argv: Sequence[str], runs: int, **kw: object) -> tuple[float, float]:
    times, rss = [], []
    for _ in range(runs):
        t, r = measure(argv, **kw)  # type: ignore[arg-type]
        times.append(t)
        rss.append(r)
    return statistics.median(times), max(rss)


def script() -> list[ScriptedResponse]:
    return [
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_function_call("c1", "exec_command", json.dumps({"cmd": "echo hi > f.txt"})),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r2"), ev_assistant_message("m", "done"), ev_completed("r2")]
        ),
    ]


def round_trip(argv: Sequence[str], runs: int) -> tuple[float, float]:
    times, rss = [], []
    for _ in range(runs):
        home = Path(tempfile.mkdtemp(dir=oracle_home_root()))
        ws = Path(tempfile.mkdtemp())
        subprocess.run(["git", "init", "-q", str(ws)], check=True)
        with MockResponsesServer(script()) as server:
            (home / "config.toml").write_text(
                f'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\nbase_url = "{server.base_url}"\n'
                'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
            )
            env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "sk-bench"}
            t, r = measure(
                [*argv, "exec", "--json", "--dangerously-bypass-approvals-and-sandbox", "go"],
                cwd=ws,
                env=env,
            )
        times.append(t)
        rss.append(r)
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(ws, ignore_errors=True)
    return statistics.median(times), max(rss)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rows: list[tuple[str, float, float]] = []
    base_t, base_r = series([sys.executable, "-c", "pass"], runs)
    rows.append(("python3 -c pass", base_t, base_r))
    py_t, py_r = series([*PYCODEX, "--version"], runs)
    rows.append(("pycodex --version", py_t, py_r))
    rust: list[str] | None
    try:
        rust = [str(codex_binary())]
    except OracleUnavailable as exc:
        print(f"(Rust codex unavailable: {exc})")
        rust = None
    if rust:
        rows.append(("codex --version", *series([*rust, "--version"], runs)))
    trip_runs = max(3, runs // 2)
    py_trip = round_trip(PYCODEX, trip_runs)
    rows.append(("pycodex exec round trip", *py_trip))
    rust_trip = None
    if rust:
        rust_trip = round_trip(rust, trip_runs)
        rows.append(("codex exec round trip", *rust_trip))
    print(f"{'command':<28}{'median s':>10}{'peak RSS MiB':>14}")
    for name, t, r in rows:
        print(f"{name:<28}{t:>10.3f}{r:>14.1f}")
    print(f"startup ratio pycodex/python: {py_t / base_t:.2f} (goal <= 1.30)")
    if rust_trip:
        print(f"round trip ratio pycodex/codex: {py_trip[0] / rust_trip[0]:.2f} (goal <= 1.00)")
    print(f"pycodex exec peak RSS: {py_trip[1]:.1f} MiB (goal <= 60)")


if __name__ == "__main__":
    main()
