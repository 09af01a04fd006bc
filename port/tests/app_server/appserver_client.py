"""Drive the real ``pycodex app-server`` CLI over stdio, as an IDE extension would.

:class:`AppServerProcess` starts the server with a private CODEX_HOME pointing at a
scripted model server, writes JSON-RPC lines and collects everything the server writes.
Waits block on the reader thread (no sleeps), so the tests hold on a loaded machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycodex.testing import MockResponsesServer

JsonObject = dict[str, Any]

#: long enough for a turn on a machine several times slower than a laptop.
WAIT_S = 120.0


def write_config(home: Path, server: MockResponsesServer, extra: str = "") -> None:
    (home / "config.toml").write_text(
        'model = "gpt-5.5"\n'
        'model_provider = "mock"\n'
        f"{extra}\n"
        "[features]\nplugins = false\n\n"
        "[model_providers.mock]\n"
        'name = "mock"\n'
        f'base_url = "{server.base_url}"\n'
        'wire_api = "responses"\n'
        'env_key = "MOCK_API_KEY"\n'
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n",
        encoding="utf-8",
    )


class AppServerProcess:
    """``pycodex app-server`` as a subprocess: send lines, wait for messages."""

    def __init__(self, home: Path, cwd: Path, *args: str) -> None:
        env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "sk-test"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from pycodex._entry import main; main()", "app-server", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: list[JsonObject] = []
        self.lines: list[str] = []
        self._consumed: set[int] = set()
        self._cond = threading.Condition()
        self._closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8").rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self.messages.append(json.loads(line))
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(self, message: JsonObject | str) -> None:
        line = message if isinstance(message, str) else json.dumps(message)
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def wait(self, predicate: Callable[[JsonObject], bool], what: str) -> JsonObject:
        with self._cond:
            while True:
                for index, message in enumerate(self.messages):
                    if index not in self._consumed and predicate(message):
                        self._consumed.add(index)
                        return message
                if self._closed:
                    raise AssertionError(f"server exited before {what}: {self.stderr()}")
                if not self._cond.wait(WAIT_S):
                    raise AssertionError(f"no {what} within {WAIT_S} s; got {self.messages}")

    def response(self, request_id: int | str) -> JsonObject:
        return self.wait(
            lambda m: m.get("id") == request_id and "method" not in m, f"response {request_id}"
        )

    def notification(self, method: str) -> JsonObject:
        return self.wait(lambda m: m.get("method") == method and "id" not in m, method)

    def server_request(self, method: str) -> JsonObject:
        return self.wait(lambda m: m.get("method") == method and "id" in m, f"request {method}")

    def request(self, request_id: int, method: str, params: JsonObject) -> JsonObject:
        self.send({"id": request_id, "method": method, "params": params})
        return self.response(request_id)

    def initialize(self) -> JsonObject:
        result = self.request(0, "initialize", {"clientInfo": {"name": "tests", "version": "1.0"}})
        self.send({"method": "initialized"})
        return result

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        code = self.proc.wait(timeout=WAIT_S)
        with self._cond:
            while not self._closed:
                self._cond.wait(WAIT_S)
        return code

    def stderr(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        return self.proc.stderr.read().decode("utf-8", "replace")


@dataclass
class AppServerHarness:
    """A CODEX_HOME and workspace wired to a scripted model server."""

    home: Path
    workspace: Path
    server: MockResponsesServer

    def start(self, *args: str) -> AppServerProcess:
        return AppServerProcess(self.home, self.workspace, *args)
