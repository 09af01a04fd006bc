"""Interactive UI start-up: time to the first frame and to a ready session, beside the Rust TUI.

Each run starts the UI in a fresh tmux pane (100x30, a real terminal that answers the
UI's terminal queries) and polls ``capture-pane`` every 10 ms: "first frame" is when the
composer's placeholder (``Ask Codex to do anything``) is on screen, "ready" when the
status line shows the session (pycodex: ``tokens used``; codex: its model in the footer).
Ctrl-C then quits. Both binaries use a scripted model server on 127.0.0.1 (no request is
made) and a fresh CODEX_HOME; codex's start-up notices are pre-answered in its config.

The smallest Textual app that draws the same text is measured the same way, as the floor
any Textual UI starts from on this machine at this moment.

Goal (issue 18): first frame <= 300 ms. Usage: python benchmarks/bench_tui.py [RUNS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pycodex.testing import MockResponsesServer
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

PYCODEX = str(Path(sys.executable).parent / "pycodex")
PLACEHOLDER = "Ask Codex to do anything"
POLL_S = 0.01
TIMEOUT_S = 60.0


def _config(base_url: str, workspace: Path, rust: bool) -> str:
    text = (
        'model = "gpt-5.5"\nmodel_provider = "mock"\nsandbox_mode = "read-only"\n'
        "[model_providers.mock]\n"
        f'name = "mock"\nbase_url = "{base_url}"\nwire_api = "responses"\n'
        'env_key = "MOCK_API_KEY"\n'
    )
    if rust:  # codex's one-time notices would hold the first frame back
        text += (
            "[features]\ndaemon_auto_start = false\n"
            f'[projects."{workspace}"]\ntrust_level = "trusted"\n'
            '[notice.model_migrations]\n"gpt-5.5" = "gpt-6-sol"\n'
            "[tui]\nscreen_reader_detection_done = true\n"
            '[tui.model_availability_nux]\n"gpt-6.1-sol" = 3\n'
        )
    return text


def one_run(binary: str, ready_marker: str, rust: bool) -> tuple[float, float]:
    """(seconds to first frame, seconds to ready) of one start."""
    home = Path(tempfile.mkdtemp(dir=oracle_home_root()))
    workspace = Path(tempfile.mkdtemp())
    sockets = Path(tempfile.mkdtemp())
    socket = str(sockets / "s")
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    try:
        with MockResponsesServer() as server:
            (home / "config.toml").write_text(_config(server.base_url, workspace, rust))
            command = (
                f"env -u COLUMNS -u LINES CODEX_HOME={home} MOCK_API_KEY=sk-bench "
                f"TERM=xterm-256color {binary}; sleep 30"
            )
            start = time.perf_counter()
            subprocess.run(
                [
                    "tmux",
                    "-S",
                    socket,
                    "new-session",
                    "-d",
                    "-s",
                    "b",
                    "-x",
                    "100",
                    "-y",
                    "30",
                    "-c",
                    str(workspace),
                    command,
                ],
                check=True,
            )
            first = ready = None
            while ready is None:
                screen = subprocess.run(
                    ["tmux", "-S", socket, "capture-pane", "-p", "-t", "b"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                now = time.perf_counter() - start
                if first is None and PLACEHOLDER in screen:
                    first = now
                if first is not None and ready_marker in screen:
                    ready = now
                if now > TIMEOUT_S:
                    raise RuntimeError(f"{binary} did not start; screen:\n{screen}")
                time.sleep(POLL_S)
            subprocess.run(["tmux", "-S", socket, "send-keys", "-t", "b", "C-c"], check=True)
            time.sleep(0.3)
    finally:
        subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True, check=False)
        for path in (home, workspace, sockets):
            shutil.rmtree(path, ignore_errors=True)
    assert first is not None
    return first, ready


#: the floor: the smallest Textual app that shows the same placeholder and a status line.
MINIMAL_APP = f"""
from textual.app import App
from textual.widgets import Static

class Minimal(App[None]):
    def compose(self):
        yield Static("{PLACEHOLDER}")
        yield Static("tokens used")

Minimal().run()
"""


def series(binary: str, ready_marker: str, rust: bool, runs: int) -> tuple[float, float]:
    firsts, readies = [], []
    for _ in range(runs):
        first, ready = one_run(binary, ready_marker, rust)
        firsts.append(first)
        readies.append(ready)
    return statistics.median(firsts), statistics.median(readies)


def main() -> None:
    if shutil.which("tmux") is None:
        print("(tmux is not installed: no TUI start-up figures)")
        return
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(MINIMAL_APP)
    try:
        minimal = series(f"{sys.executable} {script.name}", "tokens used", False, runs)
    finally:
        os.unlink(script.name)
    rows = [
        ("minimal Textual app", *minimal),
        ("pycodex", *series(PYCODEX, "tokens used", False, runs)),
    ]
    try:
        rust = str(codex_binary())
    except OracleUnavailable as exc:
        print(f"(Rust codex unavailable: {exc})")
    else:
        rows.append(("codex 0.169.0", *series(rust, "GPT-5.5", True, runs)))
    print(f"{'UI (median of ' + str(runs) + ')':<22}{'first frame s':>15}{'ready s':>10}")
    for name, first, ready in rows:
        print(f"{name:<22}{first:>15.3f}{ready:>10.3f}")
    print(f"pycodex first frame: {rows[1][1] * 1000:.0f} ms (goal <= 300 ms)")
    load = os.getloadavg()[0]
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring)")


if __name__ == "__main__":
    main()
