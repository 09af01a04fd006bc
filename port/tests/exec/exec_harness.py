"""Drive the real ``pycodex exec`` CLI against the scripted model server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pycodex.testing import MockResponsesServer


@dataclass
class ExecRun:
    returncode: int
    stdout: str
    stderr: str

    def events(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def event_types(self) -> list[str]:
        return [str(e["type"]) for e in self.events()]


@dataclass
class ExecHarness:
    home: Path
    workspace: Path
    server: MockResponsesServer

    def write_config(self, extra: str = "", provider_extra: str = "") -> None:
        (self.home / "config.toml").write_text(
            'model = "gpt-5.5"\n'
            'model_provider = "mock"\n'
            f"{extra}\n"
            "[model_providers.mock]\n"
            'name = "mock"\n'
            f'base_url = "{self.server.base_url}"\n'
            'wire_api = "responses"\n'
            'env_key = "MOCK_API_KEY"\n'
            "request_max_retries = 2\n"
            "stream_max_retries = 2\n"
            f"{provider_extra}\n"
        )

    def run(
        self,
        *args: str,
        stdin: str | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> ExecRun:
        full_env = {
            **os.environ,
            "CODEX_HOME": str(self.home),
            "MOCK_API_KEY": "sk-test",
            **(env or {}),
        }
        proc = subprocess.run(
            [sys.executable, "-c", "from pycodex._entry import main; main()", "exec", *args],
            cwd=cwd or self.workspace,
            env=full_env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=120,
        )
        return ExecRun(proc.returncode, proc.stdout, proc.stderr)

    def rollouts(self) -> Sequence[Path]:
        return sorted((self.home / "sessions").glob("*/*/*/rollout-*.jsonl"))
