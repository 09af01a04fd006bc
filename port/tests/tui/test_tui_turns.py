"""A turn in the UI: streamed Markdown, status line, the shared rollout and state store."""

from __future__ import annotations

import json
import sqlite3

from pycodex.tui.cells import AgentCell
from pycodex.tui.text import PROMPT
from tui_harness import TuiHarness, run, screen_text, text_response, wait_for


def test_turn_streams_markdown_and_records_an_interactive_thread(tui: TuiHarness) -> None:
    answer = "Here is **bold** and `code`.\n\n```python\ndef f(x):\n    return x + 1\n```"
    tui.server.push(text_response("r1", answer, tokens=1234))
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"hello there")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.turn is None and app.query(AgentCell), "the answer")
            text = app.transcript_text()
            assert f"{PROMPT} hello there" in text
            assert "• Here is **bold**" in text
            status = str(app.query_one("#status-line").render())
            assert "1.23K tokens" in status
            assert "read-only" in status and "on-request" in status
            await pilot.pause(0.3)
            screen = screen_text(app)
            # rendered as Markdown: the fence became a code block, the stars are gone
            assert "Here is bold and code." in screen, screen
            assert "def f(x):" in screen and "```" not in screen

    run(scenario)
    request = tui.server.model_requests()[0]
    metadata = json.loads(request.json()["client_metadata"]["x-codex-turn-metadata"])
    assert (metadata["thread_source"], metadata["turn_trigger"]) == ("user", "user")
    [rollout] = tui.rollouts()
    meta = tui.rollout_lines(rollout)[0]["payload"]
    assert (meta["originator"], meta["source"]) == ("codex-tui", "cli")
    with sqlite3.connect(tui.home / "state_5.sqlite") as conn:
        row = conn.execute("SELECT source, originator, first_user_message FROM threads").fetchone()
    assert row == ("cli", "codex-tui", "hello there")
    history = [json.loads(line) for line in (tui.home / "history.jsonl").read_text().splitlines()]
    assert [h["text"] for h in history] == ["hello there"]


def test_history_persistence_none_keeps_prompts_out_of_history_jsonl(tui: TuiHarness) -> None:
    tui.write_config('[history]\npersistence = "none"')
    tui.server.push(text_response("r1", "ok"))
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"secret prompt", "enter")
            await wait_for(pilot, lambda: app.turn is None and tui.server.model_requests(), "turn")

    run(scenario)
    assert not (tui.home / "history.jsonl").exists()


def test_a_bad_history_setting_ends_the_ui_with_the_error(tui: TuiHarness) -> None:
    tui.write_config('[history]\npersistence = "sometimes"')
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: not app.is_running, "the app to stop")

    run(scenario)
    assert app.return_code == 1
    assert app.exit_info.error == (
        'config key `history.persistence`: expected "save-all" or "none", got \'sometimes\''
    )
