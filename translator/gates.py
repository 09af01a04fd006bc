"""Gates run on a merged module before it is accepted; a failure's text feeds the repair loop."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class GateResult:
    ok: bool
    text: str = ""


class Gate(Protocol):
    """Judges a module that has just been written to ``path`` (the port's tree)."""

    @property
    def name(self) -> str: ...

    def check(self, path: Path, text: str) -> GateResult: ...


class CompileGate:
    """The merged module must compile (catches merges that break the surrounding code)."""

    name = "compile"

    def check(self, path: Path, text: str) -> GateResult:
        try:
            compile(text, str(path), "exec")
        except SyntaxError as exc:
            return GateResult(False, f"{path}:{exc.lineno}: {exc.msg}")
        return GateResult(True)


@dataclass(frozen=True)
class CommandGate:
    """Run a shell command (e.g. ``mypy {path}`` or a pytest selection) in ``cwd``."""

    command: str
    cwd: Path
    timeout_s: float = 300.0
    name: str = "command"

    def check(self, path: Path, text: str) -> GateResult:
        cmd = self.command.replace("{path}", str(path))
        try:
            proc = subprocess.run(
                cmd,
                shell=True,
                cwd=self.cwd,
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return GateResult(False, f"`{cmd}` timed out after {self.timeout_s:.0f}s")
        if proc.returncode == 0:
            return GateResult(True)
        output = (proc.stdout + proc.stderr).strip()
        return GateResult(False, f"`{cmd}` exited {proc.returncode}:\n{output[-4000:]}")
