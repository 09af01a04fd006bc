"""A 200-turn scripted ``exec`` session with a small context limit, pycodex beside codex.

One ``exec --json`` run answers 199 model turns with an ``exec_command`` call each
(``login: false``, so a slow login profile does not dominate) and then a final message. Every answer reports 1,000 tokens plus 300 per turn since the last
compaction, with ``model_auto_compact_token_limit = 4000``, so both binaries compact about
every ten turns (the scripted model answers a compaction request with a short summary,
whichever way it comes: a local summarisation turn here, the provider being "mock").
Printed per binary: wall time, peak RSS (``wait4``), turns, compactions, exit code, and
whether the run completed. Usage: python benchmarks/bench_compaction.py [TURNS]
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
from dataclasses import dataclass
from pathlib import Path

from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_response_created,
)
from pycodex.testing.mock_responses import RecordedRequest
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

PYCODEX = [str(Path(sys.executable).parent / "pycodex")]
LIMIT = 4000


@dataclass
class Model:
    """The scripted model: tool calls until ``turns``, a summary for every compaction request."""

    turns: int
    served: int = 0
    since_compaction: int = 0
    compactions: int = 0

    def __call__(self, request: RecordedRequest) -> ScriptedResponse:
        meta = json.loads(request.header("x-codex-turn-metadata") or "{}")
        rid = f"r{self.served}-{self.compactions}"
        if meta.get("request_kind") == "compaction":
            self.compactions += 1
            self.since_compaction = 0
            events = [ev_assistant_message(f"m{rid}", f"summary {self.compactions}")]
            return ScriptedResponse.sse(
                [ev_response_created(rid), *events, ev_completed_with_tokens(rid, 500)]
            )
        self.served += 1
        self.since_compaction += 1
        tokens = 1000 + 300 * self.since_compaction
        if self.served >= self.turns:
            item = ev_assistant_message(f"m{rid}", "all done")
        else:
            item = ev_function_call(
                f"c{rid}",
                "exec_command",
                json.dumps({"cmd": f"echo turn {self.served}", "login": False}),
            )
        return ScriptedResponse.sse(
            [ev_response_created(rid), item, ev_completed_with_tokens(rid, tokens)]
        )


def run_once(argv: Sequence[str], turns: int) -> dict[str, object]:
    model = Model(turns)
    home = Path(tempfile.mkdtemp(dir=oracle_home_root()))
    ws = home / "ws"
    ws.mkdir()
    with MockResponsesServer([model] * (turns * 2 + 10)) as server:
        (home / "config.toml").write_text(
            f'model = "gpt-5.5"\nmodel_provider = "mock"\nmodel_auto_compact_token_limit = {LIMIT}\n'
            f'[model_providers.mock]\nname = "mock"\nbase_url = "{server.base_url}"\n'
            'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "RUST_"))}
        env.update(CODEX_HOME=str(home), MOCK_API_KEY="sk-bench", RUST_LOG="off")
        start = time.perf_counter()
        proc = subprocess.Popen(
            [
                *argv,
                "exec",
                "--json",
                "--skip-git-repo-check",
                "--dangerously-bypass-approvals-and-sandbox",
                "work for a long time",
            ],
            cwd=ws,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    shutil.rmtree(home, ignore_errors=True)
    completed = b'"type":"turn.completed"' in stdout
    return {
        "wall_s": elapsed,
        "peak_rss_mib": usage.ru_maxrss / 1024.0,
        "turns": model.served,
        "compactions": model.compactions,
        "exit": os.waitstatus_to_exitcode(status),
        "completed": completed,
    }


def main() -> None:
    turns = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rows = [("pycodex", run_once(PYCODEX, turns))]
    try:
        rows.append(("codex 0.169.0", run_once([str(codex_binary())], turns)))
    except OracleUnavailable as exc:
        print(f"(Rust codex unavailable: {exc})")
    print(f"{turns}-turn exec session, model_auto_compact_token_limit = {LIMIT}")
    print(
        f"{'binary':<16}{'wall s':>9}{'peak RSS MiB':>14}{'turns':>7}{'compactions':>13}{'exit':>6}  completed"
    )
    for name, r in rows:
        print(
            f"{name:<16}{r['wall_s']:>9.2f}{r['peak_rss_mib']:>14.1f}{r['turns']:>7}"
            f"{r['compactions']:>13}{r['exit']:>6}  {r['completed']}"
        )
    if any(not r["completed"] or r["exit"] != 0 or r["turns"] != turns for _, r in rows):
        raise SystemExit("a run did not complete all turns")


if __name__ == "__main__":
    main()
