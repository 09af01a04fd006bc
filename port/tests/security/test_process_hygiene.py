"""Nothing a run started outlives pycodex, whatever signal ends it (issue 11, hygiene).

A scripted model starts a long sandboxed command (with a background job); the
test then ends ``pycodex exec`` with SIGKILL, SIGTERM or SIGINT and checks that
no process of that command (launcher, bwrap, shell, jobs) is left, that the
workspace holds no leftover ``.codex``/``.agents``/``.aws`` mount points, and
that the sandbox's lock files in ``/dev/shm`` are gone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from pycodex.sandbox.mount_targets import mount_target, registry_dir
from pycodex.testing import MockResponsesServer
from sec_harness import PYCODEX, Call, script

pytestmark = pytest.mark.usefixtures("bwrap_ok")

#: A liveness bound for a loaded machine, not a timing assertion.
PATIENCE_S = 120.0


def _processes_with(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if token.encode() in cmdline:
            found.append(int(entry.name))
    return found


def _wait_for(predicate: object, what: str) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_signal_leaves_nothing_behind(tmp_path: Path, signum: int) -> None:
    token = f"pycodex-hygiene-{uuid.uuid4().hex[:10]}"
    ws = tmp_path / "ws"
    ws.mkdir()
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    home = tmp_path / "home"
    home.mkdir()
    cmd = f"(sleep 3601; : {token}) & sleep 3602; : {token}"
    calls = [Call.exec(cmd, yield_time_ms=30000)]
    with MockResponsesServer(script(calls)) as server:
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
            f'base_url = "{server.base_url}"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
        )
        env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "sk-test"}
        proc = subprocess.Popen(
            [*PYCODEX, "exec", "--json", "-s", "workspace-write", "go"],
            cwd=ws,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            # Started: the launcher, bwrap, both shells and both sleeps carry the token.
            _wait_for(lambda: len(_processes_with(token)) >= 4, "the command to start")
            assert (ws / ".codex").is_dir()  # bubblewrap's mount point while it runs
            proc.send_signal(signum)
            proc.wait(timeout=PATIENCE_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        _wait_for(lambda: not _processes_with(token), "every process of the command to end")
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert "Traceback" not in stderr, stderr
    for line in stdout.splitlines():
        json.loads(line)
    # The launcher removes its mount points as it exits; wait for it to finish.
    _wait_for(lambda: sorted(os.listdir(ws)) == [".git"], f"mount points to go: {os.listdir(ws)}")
    registry = registry_dir()
    if registry is not None:
        for name in (".codex", ".agents", ".aws"):
            assert not mount_target(ws / name, registry).lock.exists()


def test_background_job_of_a_finished_unsandboxed_command_ends_with_pycodex(
    tmp_path: Path,
) -> None:
    """danger-full-access: a job left running by a finished command dies when pycodex exits."""
    token = f"pycodex-hygiene-{uuid.uuid4().hex[:10]}"
    ws = tmp_path / "ws"
    ws.mkdir()
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    home = tmp_path / "home"
    home.mkdir()
    calls = [Call.exec(f"(sleep 3603; : {token}) & echo started")]
    with MockResponsesServer(script(calls)) as server:
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
            f'base_url = "{server.base_url}"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
        )
        env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "sk-test"}
        proc = subprocess.run(
            [*PYCODEX, "exec", "--json", "-s", "danger-full-access", "go"],
            cwd=ws,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PATIENCE_S,
        )
    assert proc.returncode == 0, proc.stderr
    _wait_for(lambda: not _processes_with(token), "the background job to end")
