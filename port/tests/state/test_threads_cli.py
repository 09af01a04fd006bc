"""``exec resume|fork`` and ``archive|unarchive|delete`` through the real CLI, across both stores."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from exec_harness import ExecHarness, ExecRun
from pycodex.core.rollout import load_thread
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_response_created,
)


def _answer(text: str, tokens: int = 10) -> ScriptedResponse:
    return ScriptedResponse.sse(
        [
            ev_response_created("r"),
            ev_assistant_message("m", text),
            ev_completed_with_tokens("r", tokens),
        ]
    )


def _pycodex(harness: ExecHarness, *args: str, cwd: Path | None = None) -> ExecRun:
    proc = subprocess.run(
        [sys.executable, "-c", "from pycodex._entry import main; main()", *args],
        cwd=cwd or harness.workspace,
        env={**os.environ, "CODEX_HOME": str(harness.home), "MOCK_API_KEY": "sk"},
        input="",
        capture_output=True,
        text=True,
        timeout=120,
    )
    return ExecRun(proc.returncode, proc.stdout, proc.stderr)


def _new_thread(harness: ExecHarness, prompt: str, tokens: int = 10) -> str:
    harness.server.push(_answer(f"re: {prompt}", tokens))
    run = harness.run("--json", prompt)
    assert run.returncode == 0, run.stderr
    thread = run.events()[0]["thread_id"]
    assert isinstance(thread, str)
    return thread


def _last_user_texts(harness: ExecHarness) -> list[str]:
    body = harness.server.model_requests()[-1].json()
    return [
        c["content"][-1]["text"]
        for c in body["input"]
        if c.get("type") == "message" and c["role"] == "user"
    ][1:]  # without the environment context


def test_resume_by_id_last_and_name(harness: ExecHarness) -> None:
    first = _new_thread(harness, "one")
    second = _new_thread(harness, "two")
    harness.server.push(_answer("again"))
    run = harness.run("--json", "resume", first, "more")
    assert run.events()[0] == {"type": "thread.started", "thread_id": first}
    assert _last_user_texts(harness) == ["one", "more"]
    harness.server.push(_answer("x"))
    run = harness.run("--json", "resume", "--last", "latest")
    assert run.events()[0]["thread_id"] == first  # the most recently updated one
    with sqlite3.connect(harness.home / "state_5.sqlite") as conn:
        conn.execute("UPDATE threads SET name = 'my-thread' WHERE id = ?", (second,))
    harness.server.push(_answer("x"))
    run = harness.run("--json", "resume", "my-thread", "by name")
    assert run.events()[0]["thread_id"] == second


def test_resume_last_is_per_directory_unless_all(harness: ExecHarness, tmp_path: Path) -> None:
    thread = _new_thread(harness, "here")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    harness.server.push(_answer("fresh"))
    run = harness.run(
        "--json", "--skip-git-repo-check", "resume", "--last", "new one", cwd=elsewhere
    )
    assert run.events()[0]["thread_id"] != thread  # nothing in this directory: a new thread
    harness.server.push(_answer("found"))
    run = harness.run(
        "--json", "--skip-git-repo-check", "resume", "--last", "--all", "x", cwd=elsewhere
    )
    assert run.returncode == 0, run.stderr


def test_resume_falls_back_to_rollouts_without_the_database(harness: ExecHarness) -> None:
    thread = _new_thread(harness, "kept in files")
    for name in os.listdir(harness.home):
        if name.startswith("state_5.sqlite"):
            (harness.home / name).unlink()
    harness.server.push(_answer("again"))
    run = harness.run("--json", "resume", thread, "still there")
    assert run.returncode == 0, run.stderr
    assert _last_user_texts(harness) == ["kept in files", "still there"]
    harness.server.push(_answer("again"))
    assert (
        harness.run("--json", "resume", "--last", "and by last").events()[0]["thread_id"] == thread
    )


def test_unknown_ids_fail_with_codex_messages(harness: ExecHarness) -> None:
    missing = "01a250df-0000-7000-8000-000000000000"
    run = harness.run("--json", "resume", missing, "x")
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.strip() == (
        f"Error: thread/resume: thread/resume failed: no rollout found for thread id {missing} (code -32600)"
    )
    run = harness.run("--json", "fork", missing)
    assert "thread/fork failed: no rollout found" in run.stderr and run.returncode == 1


def test_fork_starts_a_new_thread_from_the_parent(harness: ExecHarness) -> None:
    parent = _new_thread(harness, "first task", tokens=100)
    harness.server.push(_answer("forked", 150))
    run = harness.run("--json", "fork", parent, "forked task")
    assert run.returncode == 0, run.stderr
    child = run.events()[0]["thread_id"]
    assert child != parent
    assert _last_user_texts(harness) == ["first task", "forked task"]
    assert run.events()[-1]["usage"]["input_tokens"] == 250  # type: ignore[index]
    meta = json.loads(harness.server.model_requests()[-1].header("x-codex-turn-metadata") or "{}")
    assert meta["history_initialization"] == "cold_fork"
    assert meta["forked_from_thread_id"] == parent
    child_rollout = next(p for p in harness.rollouts() if str(child) in p.name)
    first_line = json.loads(child_rollout.read_text().splitlines()[0])
    assert first_line["payload"]["forked_from_id"] == parent
    assert first_line["ordinal"] == first_line["payload"]["forked_from_ordinal_exclusive"] > 0
    # the parent is untouched and the child resumes with the inherited history
    assert "forked task" not in next(p for p in harness.rollouts() if parent in p.name).read_text()
    harness.server.push(_answer("ok"))
    harness.run("--json", "resume", str(child), "third")
    assert _last_user_texts(harness) == ["first task", "forked task", "third"]
    with sqlite3.connect(harness.home / "state_5.sqlite") as conn:
        rows = conn.execute("SELECT title, preview FROM threads WHERE id = ?", (child,)).fetchall()
    assert rows == [("forked task", "first task")]


def test_archive_unarchive_delete(harness: ExecHarness) -> None:
    thread = _new_thread(harness, "to archive")
    run = _pycodex(harness, "archive", thread)
    assert (run.returncode, run.stdout) == (0, f"Archived session {thread}.\n")
    assert list((harness.home / "archived_sessions").glob(f"*{thread}.jsonl"))
    assert not harness.rollouts()
    again = _pycodex(harness, "archive", thread)
    assert (again.returncode, again.stderr) == (1, "Error: failed to archive session\n")
    resumed = harness.run("--json", "resume", thread, "x")
    assert resumed.returncode == 1 and f"`pycodex unarchive {thread}`" in resumed.stderr
    run = _pycodex(harness, "unarchive", thread)
    assert (run.returncode, run.stdout) == (0, f"Unarchived session {thread}.\n")
    assert harness.rollouts() and load_thread(harness.rollouts()[0]).thread_id == thread
    refused = _pycodex(harness, "delete", thread)
    assert refused.returncode == 1 and "without an interactive terminal" in refused.stderr
    not_uuid = _pycodex(harness, "delete", "--force", "a-name")
    assert not_uuid.stderr == (
        "Error: --force requires a session UUID; names must be confirmed interactively\n"
    )
    run = _pycodex(harness, "delete", "--force", thread)
    assert (run.returncode, run.stdout) == (0, f"Deleted session {thread}.\n")
    assert not harness.rollouts()
    with sqlite3.connect(harness.home / "state_5.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM threads").fetchone() == (0,)
    gone = _pycodex(harness, "delete", "--force", thread)
    assert (gone.returncode, gone.stderr) == (1, "Error: failed to delete session\n")
    by_name = _pycodex(harness, "archive", "nope")
    assert by_name.stderr == "Error: No active session found matching 'nope'.\n"


def test_interactive_resume_and_fork_need_a_terminal(harness: ExecHarness) -> None:
    for command in ("resume", "fork"):
        run = _pycodex(harness, command, "--last")
        assert (run.returncode, run.stderr) == (1, "Error: stdin is not a terminal\n")


def test_codex_rollout_with_compaction_and_internal_metadata_loads(tmp_path: Path) -> None:
    """A rollout as codex writes it: base instructions in session_meta, items with OpenAI
    passthrough metadata (dropped), a compacted record replacing what came before."""
    lines = [
        {
            "ordinal": 0,
            "type": "session_meta",
            "payload": {
                "id": "t",
                "base_instructions": {"text": "BASE"},
                "cwd": "/w",
                "context_window": {"window_id": "w0"},
            },
        },
        {
            "ordinal": 1,
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "old"}],
                "internal_chat_message_metadata_passthrough": {"turn_id": "x"},
            },
        },
        {
            "ordinal": 2,
            "type": "event_msg",
            "payload": {
                "type": "token_count",
                "info": {
                    "total_token_usage": {"total_tokens": 500, "input_tokens": 500},
                    "last_token_usage": {"total_tokens": 200},
                },
            },
        },
        {
            "ordinal": 3,
            "type": "compacted",
            "payload": {
                "message": "S",
                "replacement_history": [
                    {
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": "kept"}],
                        "internal_chat_message_metadata_passthrough": {},
                    }
                ],
                "window_number": 2,
                "window_id": "w2",
            },
        },
        {
            "ordinal": 4,
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "after"}],
            },
        },
    ]
    path = tmp_path / "rollout-2026-01-01T00-00-00-t.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n{torn")
    thread = load_thread(path)
    assert thread.base_instructions == "BASE"
    assert [i["content"][0]["text"] for i in thread.history] == ["kept", "after"]
    assert all("internal_chat_message_metadata_passthrough" not in i for i in thread.history)
    assert (thread.window_number, thread.context_window_id, thread.next_ordinal) == (2, "w2", 5)
    assert thread.total_usage.total_tokens == 500 and thread.last_usage is not None
