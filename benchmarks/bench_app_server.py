"""App-server latency, ``pycodex app-server`` beside the Rust ``codex app-server``.

For each server: the time from start to the ``initialize`` answer, ``thread/start``'s round
trip, and the median latency of a turn (``turn/start`` sent -> ``turn/completed`` seen) over
N turns of one thread, for a message-only turn and for a turn with one ``exec_command``
call, all against the same scripted model server on 127.0.0.1; then the server's peak RSS.
Usage: python benchmarks/bench_app_server.py [TURNS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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
TIMEOUT_S = 120.0


class Client:
    """A JSON-lines client over a server's stdio; waits block on a reader thread."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [*argv, "app-server"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages: list[dict[str, Any]] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self.cond:
                self.messages.append(json.loads(raw))
                self.cond.notify_all()

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def wait(self, predicate: Callable[[dict[str, Any]], bool], start: int = 0) -> int:
        """Index of the first message from ``start`` on that matches."""
        deadline = time.monotonic() + TIMEOUT_S
        with self.cond:
            while True:
                for index in range(start, len(self.messages)):
                    if predicate(self.messages[index]):
                        return index
                if not self.cond.wait(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError("the server did not answer in time")

    def peak_rss_mib(self) -> float:
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return float("nan")
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
        return float("nan")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=TIMEOUT_S)


def _message_turn(i: int) -> ScriptedResponse:
    return ScriptedResponse.sse(
        [ev_response_created(f"r{i}"), ev_assistant_message(f"m{i}", "ok"), ev_completed(f"r{i}")]
    )


def _tool_turn(i: int) -> list[ScriptedResponse]:
    call = ev_function_call(f"c{i}", "exec_command", json.dumps({"cmd": "echo hi"}))
    return [
        ScriptedResponse.sse([ev_response_created(f"t{i}"), call, ev_completed(f"t{i}")]),
        _message_turn(1000 + i),
    ]


def measure(argv: Sequence[str], turns: int, root: Path) -> dict[str, float]:
    home, ws = root / "home", root / "ws"
    home.mkdir(parents=True)
    ws.mkdir()
    responses: list[ScriptedResponse] = [_message_turn(i) for i in range(turns)]
    for i in range(turns):
        responses.extend(_tool_turn(i))
    with MockResponsesServer(responses) as server:
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\napproval_policy = "never"\n'
            'sandbox_mode = "danger-full-access"\n[features]\nplugins = false\n'
            f'[model_providers.mock]\nname = "mock"\nbase_url = "{server.base_url}"\n'
            'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
        )
        env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "k", "RUST_LOG": "off"}
        started = time.perf_counter()
        client = Client(argv, env, ws)
        client.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {"clientInfo": {"name": "bench", "version": "1"}},
            }
        )
        client.wait(lambda m: m.get("id") == 1)
        ready = time.perf_counter() - started
        t0 = time.perf_counter()
        client.send({"id": 2, "method": "thread/start", "params": {"cwd": str(ws)}})
        at = client.wait(lambda m: m.get("id") == 2)
        thread_start = time.perf_counter() - t0
        thread = client.messages[at]["result"]["thread"]["id"]
        message_turns: list[float] = []
        tool_turns: list[float] = []
        request_id = 10
        for kind in ("message", "tool"):
            for _ in range(turns):
                request_id += 1
                mark = len(client.messages)
                t0 = time.perf_counter()
                client.send(
                    {
                        "id": request_id,
                        "method": "turn/start",
                        "params": {"threadId": thread, "input": [{"type": "text", "text": "go"}]},
                    }
                )
                client.wait(lambda m: m.get("method") == "turn/completed", mark)
                (message_turns if kind == "message" else tool_turns).append(
                    time.perf_counter() - t0
                )
        rss = client.peak_rss_mib()
        client.close()
    return {
        "ready": ready,
        "thread_start": thread_start,
        "turn": statistics.median(message_turns),
        "tool_turn": statistics.median(tool_turns),
        "rss": rss,
    }


def main(argv: list[str]) -> int:
    turns = int(argv[0]) if argv else 8
    rows: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(dir=oracle_home_root()) as tmp:
        rows.append(("pycodex app-server", measure(PYCODEX, turns, Path(tmp) / "py")))
        try:
            codex = [str(codex_binary())]
        except OracleUnavailable as exc:
            print(f"(Rust codex unavailable, shown alone: {exc})")
        else:
            rows.append(("codex app-server (Rust)", measure(codex, turns, Path(tmp) / "rust")))
    print(f"app-server latency, median of {turns} turns per kind (seconds; RSS in MiB)")
    header = f"{'server':<26}{'initialize':>11}{'thread/start':>14}{'turn':>8}{'tool turn':>11}{'peak RSS':>10}"
    print(header)
    for name, r in rows:
        print(
            f"{name:<26}{r['ready']:>11.3f}{r['thread_start']:>14.3f}{r['turn']:>8.3f}"
            f"{r['tool_turn']:>11.3f}{r['rss']:>10.1f}"
        )
    if len(rows) == 2:
        py, rust = rows[0][1], rows[1][1]
        print(
            f"turn latency pycodex/Rust: {py['turn'] / rust['turn']:.2f}x (message), "
            f"{py['tool_turn'] / rust['tool_turn']:.2f}x (tool call)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
