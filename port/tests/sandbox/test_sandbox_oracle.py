"""Parity with the real ``codex sandbox`` (Rust 0.169.0): same exit codes, output, effects.

Each script runs in a fresh workspace under both binaries; exit code, stdout and
the files left behind must match.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

pytestmark = [pytest.mark.oracle, pytest.mark.usefixtures("sandbox_ok", "registry_ok")]

ENTRY = "import sys; from pycodex.cli import main; sys.argv[0] = 'pycodex'; main()"
PY = sys.executable

SCRIPTS: dict[str, str] = {
    "write-cwd": "touch made; echo $?",
    "write-git": "touch .git/evil; echo $?",
    "mkdir-codex": "mkdir .codex 2>/dev/null; echo $?; ls -a | grep -c '^.codex$'",
    "write-outside": "touch {outside}/escaped 2>/dev/null; echo $?",
    "remount": "mount -o remount,rw / 2>/dev/null; echo $?",
    "inet-socket": f"{PY} -c 'import socket; socket.socket()' 2>/dev/null; echo $?",
    "unix-socket": f"{PY} -c 'import socket; socket.socketpair(); print(\"ok\")'",
    "network-env": 'echo "[$CODEX_SANDBOX_NETWORK_DISABLED]"',
    "exit-code": "exit 7",
    "signal": "kill -TERM $$",
    "caps": "grep CapEff /proc/self/status",
}
#: /tmp and $TMPDIR are left out of the writable roots: their protected paths
#: (``/tmp/.codex``...) come and go as other sandboxes on the machine create
#: and remove mount points there, and the Rust binary fails to start when one
#: vanishes between its check and bubblewrap's bind (the flake under load).
_WORKSPACE_ONLY = [
    "-c",
    "sandbox_workspace_write.exclude_slash_tmp=true",
    "-c",
    "sandbox_workspace_write.exclude_tmpdir_env_var=true",
]
CONFIGS: dict[str, list[str]] = {
    "read-only": ["-c", 'sandbox_mode="read-only"'],
    "workspace-write": ["-c", 'sandbox_mode="workspace-write"', *_WORKSPACE_ONLY],
    "workspace-write+net": [
        "-c",
        'sandbox_mode="workspace-write"',
        "-c",
        "sandbox_workspace_write.network_access=true",
        *_WORKSPACE_ONLY,
    ],
}


@pytest.fixture(scope="module")
def codex() -> Path:
    try:
        return codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"Rust codex binary unavailable: {exc}")


def _run(argv: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CODEX_HOME": str(home)}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".git/objects" not in str(p))


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_same_behaviour_as_codex(
    codex: Path, tmp_path: Path, outside_dir: Path, script: str, config: str
) -> None:
    home = oracle_home_root() / "sandbox-parity"
    home.mkdir(exist_ok=True)
    results = {}
    for name in ("rust", "python"):
        ws = tmp_path / name
        (ws / ".git").mkdir(parents=True)
        target = outside_dir / name
        target.mkdir()
        body = SCRIPTS[script].format(outside=target)
        flags = CONFIGS[config]
        if name == "rust":
            argv = [str(codex), "sandbox", *flags, "--", "sh", "-c", body]
        else:
            argv = [PY, "-c", ENTRY, "sandbox", *flags, "--", "sh", "-c", body]
        proc = _run(argv, ws, home if name == "rust" else ws / ".no-home")
        results[name] = (proc.returncode, proc.stdout, _tree(ws), _tree(target))
        shutil.rmtree(target)
    assert results["python"] == results["rust"]
