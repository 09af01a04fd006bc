"""Sandbox overhead: milliseconds per spawn of ``true`` directly vs under each mode.

Rows: bubblewrap per mode, the legacy Landlock mechanism, and (when installed)
the real Rust ``codex sandbox`` for reference (that one includes node and codex
start-up, so it is an upper bound, not a like-for-like figure). Also times
``wrap_command`` itself (argv construction, no spawn). Exits 0 with a note when
the sandbox is unavailable on this machine.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pycodex.sandbox import SandboxPolicy, sandbox_available, wrap_command
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

SPAWNS = int(os.environ.get("BENCH_SANDBOX_SPAWNS", "40"))
ORACLE_SPAWNS = int(os.environ.get("BENCH_SANDBOX_ORACLE_SPAWNS", "10"))
TRUE = "/bin/true" if os.path.exists("/bin/true") else "/usr/bin/true"


def _spawn_ms(
    argv: Sequence[str], cwd: Path, n: int, env: dict[str, str] | None = None
) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, env=env)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _call_us(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def _oracle_rows(cwd: Path) -> list[tuple[str, float, float]]:
    try:
        codex = codex_binary(install=False)
    except OracleUnavailable:
        return []
    home = oracle_home_root() / "bench-sandbox"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "CODEX_HOME": str(home)}
    rows = []
    for mode in ("read-only", "workspace-write"):
        argv = [str(codex), "sandbox", "-c", f'sandbox_mode="{mode}"', "--", TRUE]
        samples = _spawn_ms(argv, cwd, ORACLE_SPAWNS, env)
        rows.append((f"rust codex {mode}", statistics.median(samples), min(samples)))
    return rows


def main() -> int:
    reason = sandbox_available()
    if reason is not None:
        print(f"sandbox unavailable, nothing measured: {reason}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / ".git").mkdir()
        policies = {
            "read-only": SandboxPolicy.read_only(),
            "read-only + network": SandboxPolicy.read_only(network_access=True),
            "workspace-write": dataclasses.replace(SandboxPolicy.workspace_write(), tmpdir=""),
            "danger-full-access": SandboxPolicy.danger_full_access(),
        }
        rows: list[tuple[str, float, float]] = []
        direct = _spawn_ms([TRUE], cwd, SPAWNS)
        base = statistics.median(direct)
        rows.append(("direct", base, min(direct)))
        for name, policy in policies.items():
            argv = wrap_command([TRUE], policy, cwd)
            samples = _spawn_ms(argv, cwd, SPAWNS)
            rows.append((name, statistics.median(samples), min(samples)))
        if sandbox_available(use_legacy_landlock=True) is None:
            ww = policies["workspace-write"]
            argv = wrap_command([TRUE], ww, cwd, use_legacy_landlock=True)
            samples = _spawn_ms(argv, cwd, SPAWNS)
            rows.append(("landlock workspace-write", statistics.median(samples), min(samples)))
        rows += _oracle_rows(cwd)
        build_us = _call_us(lambda: wrap_command([TRUE], policies["workspace-write"], cwd), 2000)

    print(f"spawn of {TRUE}, {SPAWNS} runs each (ms per spawn)")
    print(f"{'mode':<28}{'median':>10}{'min':>10}{'overhead':>12}")
    for name, median, low in rows:
        print(f"{name:<28}{median:>10.2f}{low:>10.2f}{median - base:>+12.2f}")
    print(f"wrap_command (workspace-write, argv only): {build_us:.1f} us/call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
