"""The README's app-server client example, run exactly as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from appserver_client import AppServerHarness
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_output_text_delta,
    ev_response_created,
)

README = Path(__file__).resolve().parents[3] / "README.md"


def example_code() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- app-server-example -->\n```python\n(.*?)```\n<!-- /app-server-example -->",
        text,
        re.DOTALL,
    )
    assert found is not None, "README.md lost its marked app-server example"
    return found.group(1)


def test_readme_client_streams_a_turn(app: AppServerHarness, tmp_path: Path) -> None:
    added = {
        "type": "response.output_item.added",
        "item": {"type": "message", "role": "assistant", "id": "m1", "content": []},
    }
    app.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                added,
                ev_output_text_delta("Hel"),
                ev_output_text_delta("lo!"),
                ev_assistant_message("m1", "Hello!"),
                ev_completed("r1"),
            ]
        )
    )
    script = tmp_path / "example.py"
    script.write_text(example_code(), encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "CODEX_HOME": str(app.home),
        "MOCK_API_KEY": "sk-test",
    }
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=app.workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Hello!\n[turn completed]\n"
    body = app.server.model_requests()[0].json()
    assert body["input"][-1]["content"][-1]["text"] == "Say hello"
