"""pycodex's UI in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen.

The captured screens are compared with text snapshots in ``snapshots/`` (paths normalised);
``PYCODEX_UPDATE_SNAPSHOTS=1`` rewrites them after an intended change of the UI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pycodex.testing import MockResponsesServer, ScriptedResponse
from pycodex.testing.mock_responses import (
    ev_completed_with_tokens,
    ev_function_call,
    ev_response_created,
)
from tui_harness import WAIT_S, text_response

SNAPSHOTS = Path(__file__).parent / "snapshots"
WIDTH, HEIGHT = 100, 30


class Tmux:
    """One private tmux server (its own socket) running one pane."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def __call__(self, *args: str) -> str:
        proc = subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return proc.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "ui")

    def wait_for(self, needle: str) -> str:
        deadline = time.monotonic() + WAIT_S
        while True:
            screen = self.screen()
            if needle in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {needle!r}; screen:\n{screen}")
            time.sleep(0.2)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/ensure-system-deps.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="pct-") as sockets:
        server = Tmux(Path(sockets) / "sock")
        try:
            yield server
        finally:
            subprocess.run(
                ["tmux", "-S", str(server.socket), "kill-server"], capture_output=True, check=False
            )


def _normalise(screen: str, workspace: Path) -> str:
    screen = screen.replace(str(workspace), "<WS>")
    # the status line cuts the (fixed-length, randomly named) workspace path short
    screen = re.sub(re.escape(str(workspace)[:-8]) + r"[A-Za-z0-9_]{0,7}…", "<WS…>", screen)
    lines = [line.rstrip() for line in screen.splitlines()]
    text = "\n".join(lines).rstrip() + "\n"
    text = re.sub(r"Working \(\d+s", "Working (Ns", text)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<THREAD>", text)


def _check_snapshot(name: str, screen: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("PYCODEX_UPDATE_SNAPSHOTS") == "1":
        path.write_text(screen)
    assert path.exists(), f"no snapshot {path}; run with PYCODEX_UPDATE_SNAPSHOTS=1 to record it"
    assert screen == path.read_text(), f"screen differs from {path}:\n{screen}"


def test_a_turn_with_an_approval_in_a_real_terminal(tmux: Tmux, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # a fixed-length workspace path, so that the status line truncates the same way each run
    workspace = Path(tempfile.mkdtemp(prefix="pct-", dir="/tmp"))
    try:
        _run_session(tmux, home, workspace)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _run_session(tmux: Tmux, home: Path, workspace: Path) -> None:
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    (workspace / "README.md").write_text("hello from the readme\n")
    answer = "The readme says **hello**.\n\n```python\nprint('hi')\n```"
    call = {
        "cmd": "touch seen.txt && cat README.md",
        "sandbox_permissions": "require_escalated",
        "justification": "Read the readme?",
    }
    with MockResponsesServer(
        [
            ScriptedResponse.sse(
                [
                    ev_response_created("r1"),
                    ev_function_call("c1", "exec_command", json.dumps(call)),
                    ev_completed_with_tokens("r1", 2000),
                ]
            ),
            text_response("r2", answer, tokens=2345),
        ]
    ) as server:
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\nsandbox_mode = "read-only"\n'
            "[model_providers.mock]\n"
            f'name = "mock"\nbase_url = "{server.base_url}"\nwire_api = "responses"\n'
            'env_key = "MOCK_API_KEY"\n'
        )
        command = (
            f"env -u COLUMNS -u LINES CODEX_HOME={home} MOCK_API_KEY=sk-test TERM=xterm-256color "
            f"{sys.executable} -c 'from pycodex._entry import main; main()'; "
            'echo "EXIT=$?"; sleep 600'
        )
        tmux(
            "new-session",
            "-d",
            "-s",
            "ui",
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            "-c",
            str(workspace),
            command,
        )
        tmux.wait_for("Ask Codex to do anything")
        tmux.wait_for("on-request")  # the status line: the session is ready
        tmux("send-keys", "-t", "ui", "-l", "show me the readme")
        tmux("send-keys", "-t", "ui", "Enter")
        approval = tmux.wait_for("Press enter to confirm or esc to cancel")
        _check_snapshot("tmux_approval.txt", _normalise(approval, workspace))
        assert len(server.model_requests()) == 1
        assert not (workspace / "seen.txt").exists()  # nothing runs before the answer
        tmux("send-keys", "-t", "ui", "y")
        tmux.wait_for("The readme says hello.")
        done = tmux.wait_for("4.35K tokens")
        _check_snapshot("tmux_turn.txt", _normalise(done, workspace))
        tmux("send-keys", "-t", "ui", "C-c")
        after = tmux.wait_for("EXIT=")
    assert (workspace / "seen.txt").exists()
    assert "EXIT=0" in after
    assert "To continue this session, run:" in after
    assert re.search(r"pycodex resume [0-9a-f-]{36}", after)
    assert "Token usage: total=4,345 input=4,345 output=0" in after
