"""Sandbox overhead: milliseconds per spawn of ``true`` directly vs under each mode.

Also times ``wrap_command`` itself (argv construction, no spawn). Prints a table;
exits 0 with a note when the sandbox is unavailable on this machine.
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

SPAWNS = int(os.environ.get("BENCH_SANDBOX_SPAWNS", "40"))
TRUE = "/bin/true" if os.path.exists("/bin/true") else "/usr/bin/true"


def _spawn_ms(argv: Sequence[str], cwd: Path, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _call_us(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


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
        build_us = _call_us(lambda: wrap_command([TRUE], policies["workspace-write"], cwd), 2000)

    print(f"spawn of {TRUE}, {SPAWNS} runs each (ms per spawn)")
    print(f"{'mode':<22}{'median':>10}{'min':>10}{'overhead':>12}")
    for name, median, low in rows:
        print(f"{name:<22}{median:>10.2f}{low:>10.2f}{median - base:>+12.2f}")
    print(f"wrap_command (workspace-write, argv only): {build_us:.1f} us/call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
