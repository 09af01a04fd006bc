"""Peak RSS and wall time when a command prints 100 MB, pycodex beside the Rust binary.

One scripted ``exec --json`` run per binary: the model runs a command that
prints SIZE bytes (default 100 MB), then answers. Upstream keeps 1 MiB of it
(head and tail halves with an omitted-bytes marker), so memory should stay flat
and the largest ``--json`` line near 1 MiB. Prints wall seconds, peak RSS of
the CLI process (``wait4``) and the size of the largest stdout line.
Usage: python benchmarks/bench_exec_output.py [SIZE_MB]
"""

from __future__ import annotations

import json
import os
import shutil
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

PYCODEX = [sys.executable, "-c", "from pycodex._entry import main; main()"]


def script(size: int) -> list[ScriptedResponse]:
    cmd = f"yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c {size}"
    return [
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_function_call("c1", "exec_command", json.dumps({"cmd": cmd})),
                ev_completed("r1"),
            ]
        ),
        ScriptedResponse.sse(
            [ev_response_created("r2"), ev_assistant_message("m", "done"), ev_completed("r2")]
        ),
    ]


def run(argv: Sequence[str], size: int) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, longest stdout line in bytes) of one exec run."""
    home = Path(tempfile.mkdtemp(prefix="bench-home-", dir=oracle_home_root()))
    work = Path(tempfile.mkdtemp(prefix="bench-ws-"))
    try:
        with MockResponsesServer(script(size)) as server:
            (home / "config.toml").write_text(
                'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\n'
                f'name = "mock"\nbase_url = "{server.base_url}"\nwire_api = "responses"\n'
                'env_key = "MOCK_API_KEY"\n'
            )
            env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "sk-bench"}
            out = work / "stdout.jsonl"
            start = time.perf_counter()
            with out.open("wb") as fh:
                proc = subprocess.Popen(
                    [*argv, "exec", "--json", "--skip-git-repo-check", "go"],
                    cwd=work,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=fh,
                    stderr=subprocess.DEVNULL,
                )
                _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"{argv[0]} exited {os.waitstatus_to_exitcode(status)}")
            longest = max((len(line) for line in out.read_bytes().splitlines()), default=0)
        return elapsed, usage.ru_maxrss / 1024.0, longest
    finally:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    size = int(float(sys.argv[1]) * 1_000_000) if len(sys.argv) > 1 else 100_000_000
    print(f"command output: {size / 1e6:.0f} MB (exec --json, read-only sandbox)")
    print(f"{'binary':<10} {'wall s':>8} {'peak RSS MiB':>13} {'longest line':>13}")
    rows: list[tuple[str, list[str]]] = [("pycodex", PYCODEX)]
    try:
        rows.append(("codex", [str(codex_binary())]))
    except OracleUnavailable as exc:
        print(f"(Rust codex unavailable: {exc})")
    for name, argv in rows:
        wall, rss, longest = run(argv, size)
        print(f"{name:<10} {wall:>8.2f} {rss:>13.1f} {longest / 1024:>10.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
