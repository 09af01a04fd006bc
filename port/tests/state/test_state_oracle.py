"""One CODEX_HOME shared by both binaries: each resumes the other's thread and database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_response_created,
)
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

PYCODEX = [sys.executable, "-c", "from pycodex._entry import main; main()"]


def _answer(text: str) -> ScriptedResponse:
    return ScriptedResponse.sse(
        [
            ev_response_created("r"),
            ev_assistant_message("m", text),
            ev_completed_with_tokens("r", 10),
        ]
    )


def _run(argv: list[str], home: Path, ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_", "RUST_"))}
    env.update(CODEX_HOME=str(home), MOCK_API_KEY="k", RUST_LOG="off")
    return subprocess.run(
        [*argv, "exec", "--json", "--skip-git-repo-check", *args],
        cwd=ws,
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.oracle
@pytest.mark.parametrize("first", ["codex", "pycodex"])
def test_each_binary_resumes_the_others_thread(first: str) -> None:
    try:
        codex = [str(codex_binary())]
    except OracleUnavailable as exc:
        pytest.skip(str(exc))
    writer, reader = (codex, PYCODEX) if first == "codex" else (PYCODEX, codex)
    home = Path(tempfile.mkdtemp(dir=oracle_home_root()))
    ws = home / "ws"
    ws.mkdir()
    try:
        with MockResponsesServer([_answer("r1"), _answer("r2")]) as server:
            (home / "config.toml").write_text(
                f'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
                f'base_url = "{server.base_url}"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
            )
            made = _run(writer, home, ws, "first task")
            assert made.returncode == 0, made.stderr
            resumed = _run(reader, home, ws, "resume", "--last", "second task")
            assert resumed.returncode == 0, resumed.stderr
            second = server.model_requests()[1]
        texts = [
            c["content"][-1]["text"]
            for c in second.json()["input"]
            if c.get("type") == "message" and c["role"] in ("user", "assistant")
        ]
        assert "first task" in texts and "r1" in texts and texts[-1] == "second task"
        thread = made.stdout.split('"thread_id":"')[1].split('"')[0]
        assert f'"thread_id":"{thread}"' in resumed.stdout
        with sqlite3.connect(home / "state_5.sqlite") as conn:
            (tokens,) = conn.execute(
                "SELECT tokens_used FROM threads WHERE id = ?", (thread,)
            ).fetchone()
            assert tokens == 20
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        shutil.rmtree(home, ignore_errors=True)
