"""``pycodex app-server --listen ws://IP:PORT``, beside the Rust binary's WebSocket transport."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

websockets = pytest.importorskip("websockets", reason="the ws transport needs pycodex[ws]")
from websockets.sync.client import connect  # noqa: E402

PYCODEX = [sys.executable, "-c", "from pycodex._entry import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(argv: list[str], home: Path) -> tuple[subprocess.Popen[bytes], int]:
    (home / "config.toml").write_text("[features]\nplugins = false\n")
    port = _free_port()
    proc = subprocess.Popen(
        [*argv, "app-server", "--listen", f"ws://127.0.0.1:{port}"],
        env={**os.environ, "CODEX_HOME": str(home), "RUST_LOG": "off"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    proc.kill()
    raise AssertionError(
        f"the server did not listen: {proc.stderr.read() if proc.stderr else b''!r}"
    )


def _conversation(port: int) -> list[dict[str, Any]]:
    """Two connections: the first initializes and lists threads, the second does not."""
    seen: list[dict[str, Any]] = []
    with connect(f"ws://127.0.0.1:{port}") as ws:
        ws.send(
            json.dumps(
                {
                    "id": 1,
                    "method": "initialize",
                    "params": {"clientInfo": {"name": "ws", "version": "1"}},
                }
            )
        )
        seen.append(json.loads(ws.recv(timeout=60)))
        seen.append(json.loads(ws.recv(timeout=60)))
        ws.send("not json")
        ws.send(json.dumps({"id": 2, "method": "thread/list", "params": {}}))
        seen.append(json.loads(ws.recv(timeout=60)))
    with connect(f"ws://127.0.0.1:{port}") as ws:
        ws.send(json.dumps({"id": 1, "method": "thread/list", "params": {}}))
        seen.append(json.loads(ws.recv(timeout=60)))
    return seen


def _normalized(messages: list[dict[str, Any]], home: Path) -> list[dict[str, Any]]:
    text = json.dumps(messages).replace(str(home), "<HOME>")
    out = json.loads(text)
    for message in out:
        message.pop("emittedAtMs", None)
        params = message.get("params") or {}
        if "installationId" in params:
            params["installationId"] = "<ID>"
    return list(out)


def test_websocket_connections_are_clients_of_their_own(tmp_path: Path) -> None:
    proc, port = _start(PYCODEX, tmp_path)
    try:
        for probe in ("readyz", "healthz"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{probe}", timeout=30) as answer:
                assert answer.status == 200 and answer.read() == b""
        messages = _conversation(port)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert messages[0]["result"]["userAgent"].startswith("ws/")
    assert messages[1]["method"] == "remoteControl/status/changed"
    assert messages[2] == {
        "id": 2,
        "result": {"data": [], "nextCursor": None, "backwardsCursor": None, "readStates": {}},
    }
    assert messages[3] == {"error": {"code": -32600, "message": "Not initialized"}, "id": 1}
    banner = err.decode()
    assert banner.startswith(
        f"codex app-server (WebSockets)\n  listening on: ws://127.0.0.1:{port}\n"
    )
    assert out == b""


def test_unsupported_listen_urls_are_refused(tmp_path: Path) -> None:
    for url in ("unix://", "off", "ws://127.0.0.1"):
        proc = subprocess.run(
            [*PYCODEX, "app-server", "--listen", url], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2, url
        assert "pycodex serves stdio:// and ws://IP:PORT" in proc.stderr


@pytest.mark.oracle
def test_websocket_answers_match_the_rust_binary(tmp_path: Path) -> None:
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

    try:
        codex = str(codex_binary())
    except OracleUnavailable as exc:
        pytest.skip(f"the codex oracle is unavailable: {exc}")
    results = []
    root = Path(oracle_home_root())
    for name, argv in (("rust", [codex]), ("pycodex", PYCODEX)):
        home = root / f"ws-{os.getpid()}-{name}"
        home.mkdir(exist_ok=True)
        proc, port = _start(argv, home)
        try:
            results.append(_normalized(_conversation(port), home))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
        assert proc.returncode == 0, name
    assert results[1] == results[0]
