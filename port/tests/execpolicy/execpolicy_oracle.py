"""Run ``codex execpolicy check`` (the Rust oracle) and ``pycodex execpolicy check`` side by side."""

from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from pycodex.execpolicy.cli import execpolicy_group
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root


@dataclass(frozen=True)
class CheckResult:
    exit_code: int
    stdout: str
    stderr: str


@functools.cache
def _locate() -> Path | str:
    """Install/locate once per session; a failure is remembered so npm is tried only once."""
    try:
        return codex_binary()
    except OracleUnavailable as exc:
        return str(exc)


def rust_binary() -> Path:
    """The Rust ``codex`` binary, or skip the test with the reason it is unavailable."""
    found = _locate()
    if isinstance(found, str):
        pytest.skip(f"Rust oracle unavailable: {found}")
    return found


def run_rust(args: list[str], cwd: Path) -> CheckResult:
    home = oracle_home_root() / "execpolicy-tests"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CODEX_HOME": str(home), "RUST_BACKTRACE": "0"}
    proc = subprocess.run(
        [str(rust_binary()), "execpolicy", "check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )
    return CheckResult(proc.returncode, proc.stdout, proc.stderr)


def run_port(args: list[str], cwd: Path) -> CheckResult:
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(execpolicy_group, ["check", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return CheckResult(result.exit_code, result.stdout, result.stderr)
