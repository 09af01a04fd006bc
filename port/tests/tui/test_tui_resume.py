"""The TUI and exec share rollouts and the state database: each resumes the other's threads."""

from __future__ import annotations

import subprocess
import sys

from pycodex.tui.backend import ThreadChoice
from pycodex.tui.screens import ResumePicker
from tui_harness import TuiHarness, run, text_response, wait_for


def _exec(tui: TuiHarness, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from pycodex._entry import main; main()", "exec", *args],
        cwd=tui.workspace,
        input="",
        capture_output=True,
        text=True,
        timeout=300,
    )


def _one_turn(tui: TuiHarness, prompt: str, **app_args: object) -> str:
    """Run the UI for one prompt, quit with Ctrl-C; the thread id."""
    app = tui.app(**app_args)  # type: ignore[arg-type]

    async def scenario() -> None:
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            count = len(tui.server.model_requests())
            await pilot.press(*prompt, "enter")
            await wait_for(
                pilot,
                lambda: app.turn is None and len(tui.server.model_requests()) > count,
                "the turn",
            )
            await pilot.press("ctrl+c")
            await wait_for(pilot, lambda: not app.is_running, "the app to quit")

    run(scenario)
    assert app.exit_info.thread_id is not None
    return app.exit_info.thread_id


def test_a_tui_thread_continues_in_exec_and_back(tui: TuiHarness) -> None:
    tui.server.push(
        text_response("r1", "noted"),
        text_response("r2", "it was 42"),
        text_response("r3", "yes, 42 twice"),
    )
    thread = _one_turn(tui, "remember 42")
    done = _exec(tui, "resume", thread, "what was the number?")
    assert done.returncode == 0, done.stderr
    assert "it was 42" in done.stdout
    exec_request = tui.server.model_requests()[1]
    assert "remember 42" in exec_request.message_input_texts("user")

    app = tui.app(choice=ThreadChoice(ref=thread))

    async def scenario() -> None:
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the resumed session")
            assert app.status.thread_id == thread
            shown = app.transcript_text()
            # both earlier turns are replayed: the UI's and exec's
            assert "remember 42" in shown and "what was the number?" in shown
            assert "it was 42" in shown
            await pilot.press(*"again?", "enter")
            await wait_for(pilot, lambda: len(tui.server.model_requests()) == 3, "the request")
            await wait_for(pilot, lambda: app.turn is None, "the turn")

    run(scenario)
    users = tui.server.model_requests()[2].message_input_texts("user")
    assert users[-3:] == ["remember 42", "what was the number?", "again?"]
    assert len(tui.rollouts()) == 1  # one thread, one rollout, appended by both front ends


def test_an_exec_thread_resumes_in_the_picker_with_non_interactive_sessions(
    tui: TuiHarness,
) -> None:
    tui.server.push(text_response("r1", "from exec"), text_response("r2", "continued"))
    done = _exec(tui, "started in exec")
    assert done.returncode == 0, done.stderr
    # codex's picker hides exec sessions unless asked for non-interactive ones
    app = tui.app(picker="resume", include_non_interactive=True)

    async def scenario() -> None:
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ResumePicker), "the picker")
            picker = app.screen
            assert isinstance(picker, ResumePicker)
            assert "started in exec" in picker.plain()
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.status.ready, "the resumed session")
            assert "from exec" in app.transcript_text()
            await pilot.press(*"and now?", "enter")
            await wait_for(pilot, lambda: len(tui.server.model_requests()) == 2, "the request")
            await wait_for(pilot, lambda: app.turn is None, "the turn")

    run(scenario)
    users = tui.server.model_requests()[1].message_input_texts("user")
    assert users[-2:] == ["started in exec", "and now?"]


def test_the_picker_lists_interactive_threads_and_esc_starts_fresh(tui: TuiHarness) -> None:
    tui.server.push(text_response("r1", "hi"), text_response("r2", "exec answer"))
    _one_turn(tui, "an interactive chat")
    assert _exec(tui, "an exec run").returncode == 0
    app = tui.app(picker="resume")

    async def scenario() -> None:
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ResumePicker), "the picker")
            shown = app.screen.plain()  # type: ignore[attr-defined]
            assert "an interactive chat" in shown and "an exec run" not in shown
            await pilot.press(*"nothing matches")
            assert app.screen.plain() == ""  # type: ignore[attr-defined]
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.status.ready, "a new session")
            assert "an interactive chat" not in app.transcript_text()

    run(scenario)
