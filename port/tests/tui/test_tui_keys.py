"""Ctrl-C, Esc and the composer's keys."""

from __future__ import annotations

import base64

from pycodex.testing import ScriptedResponse
from pycodex.testing.mock_responses import ev_output_text_delta, ev_response_created, sse
from pycodex.tui.text import PROMPT
from tui_harness import TuiHarness, run, text_response, wait_for

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _stalled(response_id: str) -> ScriptedResponse:
    """A response that streams one delta and then hangs for a while."""
    head = sse([ev_response_created(response_id), ev_output_text_delta("thinking about it")])
    tail = sse([{"type": "response.completed", "response": {"id": response_id}}])
    return ScriptedResponse(body=head + tail, stall_after=len(head.encode()), stall_s=3.0)


def test_ctrl_c_interrupts_the_turn_and_a_second_one_quits(tui: TuiHarness) -> None:
    tui.server.push(_stalled("r1"))
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"long task", "enter")
            await wait_for(pilot, lambda: "thinking" in app.transcript_text(), "the first delta")
            await pilot.press("ctrl+c")
            await wait_for(
                pilot, lambda: "Conversation interrupted" in app.transcript_text(), "the interrupt"
            )
            assert app.is_running
            await pilot.press("ctrl+c")
            await wait_for(pilot, lambda: not app.is_running, "the app to quit")

    run(scenario)
    assert app.return_code == 0
    assert app.exit_info.thread_id is not None


def test_ctrl_c_clears_the_composer_then_quits_when_idle_and_empty(tui: TuiHarness) -> None:
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"draft")
            assert app.composer.text == "draft"
            await pilot.press("ctrl+c")
            assert app.composer.text == "" and app.is_running
            await pilot.press("ctrl+c")
            await wait_for(pilot, lambda: not app.is_running, "the app to quit")

    run(scenario)
    assert app.return_code == 0
    assert tui.server.model_requests() == []


def test_composer_newline_history_paste_and_image(tui: TuiHarness) -> None:
    (tui.workspace / "shot.png").write_bytes(PNG)
    big = "x" * 1500
    tui.server.push(text_response("r1", "one"), text_response("r2", "two"))
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"first", "ctrl+j", *"line")
            assert app.composer.text == "first\nline"
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: app.turn is None and tui.server.model_requests(), "turn 1"
            )
            # Up recalls the last prompt, Down returns to an empty composer
            await pilot.press("up")
            assert app.composer.text == "first\nline"
            await pilot.press("down")
            assert app.composer.text == ""
            app.composer.handle_paste(str(tui.workspace / "shot.png"))
            app.composer.handle_paste(big)
            assert app.composer.text == "[Image #1] [Pasted Content 1500 chars]"
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: len(tui.server.model_requests()) == 2 and app.turn is None, "turn 2"
            )
            assert f"{PROMPT} [Image #1] {tui.workspace / 'shot.png'}" in app.transcript_text()

    run(scenario)
    first, second = tui.server.model_requests()
    assert first.message_input_texts("user")[-1] == "first\nline"
    last = second.input()[-1]
    kinds = [part["type"] for part in last["content"]]
    assert kinds == ["input_text", "input_image", "input_text", "input_text"]
    assert last["content"][-1]["text"] == big


def test_at_mention_completes_a_file_path(tui: TuiHarness) -> None:
    (tui.workspace / "src").mkdir()
    (tui.workspace / "src" / "parser.py").write_text("")
    (tui.workspace / "README.md").write_text("")
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"look at @pars")
            await wait_for(pilot, lambda: app.popup.is_open, "the file popup")
            assert app.popup.plain().splitlines()[0].startswith("src/parser.py")
            await pilot.press("tab")
            assert app.composer.text == "look at src/parser.py "
            assert not app.popup.is_open

    run(scenario)


def test_question_mark_shows_the_shortcuts_and_ctrl_d_quits(tui: TuiHarness) -> None:
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press("question_mark")
            shortcuts = app.query_one("#shortcuts")
            assert shortcuts.has_class("-open") and app.composer.text == ""
            assert "mention files" in str(shortcuts.render())
            await pilot.press("x")
            assert not shortcuts.has_class("-open") and app.composer.text == "x"
            await pilot.press("ctrl+d")
            assert app.is_running  # not on a non-empty composer
            await pilot.press("backspace", "ctrl+d")
            await wait_for(pilot, lambda: not app.is_running, "the app to quit")

    run(scenario)
    assert app.return_code == 0
