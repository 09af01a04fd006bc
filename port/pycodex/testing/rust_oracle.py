"""Locate (or install from npm into a private cache) the real Rust ``codex`` binary.

The Rust binary is the oracle the port is compared against. It is installed with
``npm install @openai/codex@<version>`` into ``$FERRY_CACHE`` (default
``~/.cache/ferry``)/codex-<version> — never globally — and reused afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

DEFAULT_CODEX_VERSION = "0.169.0"


# ferry: port-only -- test support: the Rust oracle binary for parity tests
class OracleUnavailable(RuntimeError):
    """The Rust binary could not be found or installed (npm missing or registry unreachable)."""


# ferry: port-only -- test support: the Rust oracle binary for parity tests
def cache_root() -> Path:
    return Path(os.environ.get("FERRY_CACHE", Path.home() / ".cache" / "ferry"))


# ferry: port-only -- test support: installs the pinned @openai/codex from npm for parity tests
def codex_binary(version: str = DEFAULT_CODEX_VERSION, *, install: bool = True) -> Path:
    """Return the path of the ``codex`` launcher for ``version``, installing it if needed."""
    prefix = cache_root() / f"codex-{version}"
    launcher = prefix / "node_modules" / ".bin" / "codex"
    if launcher.exists() and _platform_package_present(prefix):
        return launcher
    if not install:
        raise OracleUnavailable(f"codex {version} is not installed under {prefix}")
    npm = shutil.which("npm")
    if npm is None:
        raise OracleUnavailable("npm is not on PATH; install Node.js to run the Rust oracle")
    prefix.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(prefix),
            f"@openai/codex@{version}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0 or not launcher.exists():
        raise OracleUnavailable(
            f"npm install @openai/codex@{version} failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}"
        )
    return launcher


def _platform_package_present(prefix: Path) -> bool:
    scope = prefix / "node_modules" / "@openai"
    return scope.is_dir() and any(p.name.startswith("codex-") for p in scope.iterdir())


# ferry: port-only -- test support: throw-away CODEX_HOMEs the Rust binary accepts
def oracle_home_root() -> Path:
    """A directory for throw-away CODEX_HOMEs that is *not* under ``$TMPDIR``.

    The Rust binary refuses to create its helper files when CODEX_HOME lives
    inside the temporary directory, so oracle runs keep their homes here.
    """
    root = cache_root() / "homes"
    root.mkdir(parents=True, exist_ok=True)
    return root
