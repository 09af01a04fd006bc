"""Wall time of a scripted one-commit ``ferry sync`` with the llm and the agent backends.

The upstream is a generated two-commit history (``tests/sync/incident_port.py``: a
``Session::run_turn`` body change) and the port a small synchronous pycodex with a CLI
end-to-end test. The model is a scripted OpenAI-compatible server on 127.0.0.1: for the
llm backend one Chat Completions answer, for the agent backend ``pycodex exec`` editing the
file through apply_patch. Each run is the real CLI in a subprocess on a fresh project, so
the figure includes creating the gate environment and running the pytest gate.

    .venv/bin/python benchmarks/bench_sync.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from incident_port import BODY_CHANGE_RS, chat_answer, make_incident_project  # noqa: E402
from pycodex.testing import (  # noqa: E402
    MockResponsesServer,
    ScriptedResponse,
    ev_apply_patch_custom_tool_call,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_response_created,
)

GOOD = """class Session:
    def run_turn(self, prompt: str) -> list[str]:
        self.history.append(f"user: {prompt}")
        return list(self.history)
"""
PATCH = """*** Begin Patch
*** Update File: port/pycodex/core/session.py
@@
     def run_turn(self, prompt: str) -> list[str]:
-        self.history.append(prompt)
+        self.history.append(f"user: {prompt}")
*** End Patch"""


def _turn(rid: str, *events: dict[str, object]) -> ScriptedResponse:
    done = ev_completed_with_tokens(rid, 1100, input_tokens=1000, output_tokens=100)
    return ScriptedResponse.sse([ev_response_created(rid), *events, done])


def one_sync(base: Path, backend: str) -> tuple[float, float, str]:
    """(wall seconds, seconds in gates, outcome) of one scripted sync."""
    if backend == "llm":
        script = [chat_answer(GOOD)]
    else:
        script = [_turn("r1", ev_apply_patch_custom_tool_call("p1", PATCH)),
                  _turn("r2", ev_assistant_message("m1", "done"))]  # fmt: skip
    extra = '\n[translate.agent]\nsandbox = "danger-full-access"\n'
    with MockResponsesServer(script) as server:
        files = {"codex-rs/core/src/session.rs": BODY_CHANGE_RS}
        project, _ = make_incident_project(base, files, server.base_url, extra)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["FERRY_TEST_MODEL_KEY"] = "sk-bench"
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", "from ferry.cli import main; main()", "sync", "--config",
             str(project / "ferry.toml"), "--backend", backend, "--gate", "pytest"],
            cwd=project, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        wall = time.monotonic() - started
    summary = json.loads(proc.stdout[: proc.stdout.rindex("}") + 1])
    gates = 0.0
    for commit in summary["commits"]:
        verdict = Path(commit["artifacts"]) / "verdict.json"
        if verdict.is_file():
            gates += sum(g["duration_sec"] for g in json.loads(verdict.read_text())["gates"])
    if summary["outcome"] != "merged":
        raise SystemExit(
            f"{backend} sync did not merge: {summary['reasons']}\n{proc.stderr[-2000:]}"
        )
    return wall, gates, summary["outcome"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'backend':8} {'median wall s':>14} {'min s':>7} {'gates s':>8}  runs  outcome")
    for backend in ("llm", "agent"):
        walls: list[float] = []
        gates: list[float] = []
        outcome = ""
        with tempfile.TemporaryDirectory(prefix=f"ferry-bench-sync-{backend}-") as tmp:
            for n in range(args.repeats):
                wall, gate, outcome = one_sync(Path(tmp) / f"run{n}", backend)
                walls.append(wall)
                gates.append(gate)
        print(f"{backend:8} {statistics.median(walls):14.2f} {min(walls):7.2f} "
              f"{statistics.median(gates):8.2f}  {len(walls):4}  {outcome}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
