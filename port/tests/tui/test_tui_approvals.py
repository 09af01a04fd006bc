"""Approvals under ``on-request``: nothing runs before the user says so."""

from __future__ import annotations

from pycodex.testing import ScriptedResponse
from pycodex.testing.mock_responses import (
    ev_apply_patch_custom_tool_call,
    ev_completed_with_tokens,
    ev_response_created,
)
from pycodex.tui.bottom import SelectionView
from tui_harness import TuiHarness, command_response, run, text_response, wait_for


def _touch(tui: TuiHarness, name: str, call_id: str = "c1") -> dict[str, object]:
    return {
        "cmd": f"touch {tui.workspace / name}",
        "sandbox_permissions": "require_escalated",
        "justification": "Create the marker file?",
    }


def test_command_runs_only_after_approval(tui: TuiHarness) -> None:
    marker = tui.workspace / "approved.txt"
    tui.server.push(
        command_response("r1", "c1", _touch(tui, "approved.txt")),
        text_response("r2", "done"),
    )
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"make the marker", "enter")
            await wait_for(pilot, lambda: app.query(SelectionView), "the approval prompt")
            view = app.query_one(SelectionView)
            shown = view.plain()
            assert "Would you like to run the following command?" in shown
            assert "Reason: Create the marker file?" in shown
            assert "1. Yes, proceed (y)" in shown
            assert "No, and tell Codex what to do differently (esc)" in shown
            # the command waits for the answer: not run, no second request
            await pilot.pause(0.5)
            assert not marker.exists()
            assert len(tui.server.model_requests()) == 1
            await pilot.press("y")
            await wait_for(
                pilot,
                lambda: app.turn is None and len(tui.server.model_requests()) == 2,
                "the turn",
            )
            assert marker.exists()
            text = app.transcript_text()
            decision = next(line for line in text.splitlines() if line.startswith("✔"))
            assert decision.startswith("✔ You approved codex to run touch /") and decision.endswith(
                " this time"
            )
            assert f"• Ran touch {marker}" in text

    run(scenario)
    output = tui.server.model_requests()[1].function_call_output_text("c1")
    assert output is not None and "Process exited with code 0" in output


def test_cancel_declines_and_interrupts_the_turn(tui: TuiHarness) -> None:
    marker = tui.workspace / "never.txt"
    tui.server.push(
        command_response("r1", "c1", _touch(tui, "never.txt")),
        text_response("r2", "understood"),
    )
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"make the marker", "enter")
            await wait_for(pilot, lambda: app.query(SelectionView), "the approval prompt")
            await pilot.press("escape")
            await wait_for(
                pilot, lambda: app.turn is None and not app.backend.busy, "the aborted turn"
            )
            text = app.transcript_text()
            assert "✗ You canceled the request to run touch /" in text
            assert "Conversation interrupted" in text
            assert len(tui.server.model_requests()) == 1  # the turn stopped: no follow-up request
            await pilot.press(*"do it differently", "enter")
            await wait_for(
                pilot,
                lambda: app.turn is None and len(tui.server.model_requests()) == 2,
                "the next turn",
            )

    run(scenario)
    assert not marker.exists()
    follow_up = tui.server.model_requests()[1]
    declined = follow_up.function_call_output_text("c1")
    assert declined is not None and declined.endswith("aborted by user")
    assert any("<turn_aborted>" in t for t in follow_up.message_input_texts("user"))


def test_amendment_is_saved_and_the_next_match_runs_without_asking(tui: TuiHarness) -> None:
    tui.server.push(
        command_response("r1", "c1", {**_touch(tui, "a.txt"), "prefix_rule": ["touch"]}),
        command_response("r2", "c2", {**_touch(tui, "b.txt"), "prefix_rule": ["touch"]}),
        text_response("r3", "both made"),
    )
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"make two files", "enter")
            await wait_for(pilot, lambda: app.query(SelectionView), "the approval prompt")
            assert (
                "don't ask again for commands that start with `touch`"
                in app.query_one(SelectionView).plain()
            )
            await pilot.press("p")
            await wait_for(
                pilot,
                lambda: app.turn is None and len(tui.server.model_requests()) == 3,
                "the turn",
            )
            text = app.transcript_text()
            assert "✔ You approved codex to always run commands that start with touch" in text
            assert text.count("You approved") == 1  # the second command was not asked about

    run(scenario)
    assert (tui.workspace / "a.txt").exists() and (tui.workspace / "b.txt").exists()
    rules = (tui.home / "rules" / "default.rules").read_text()
    assert 'prefix_rule(pattern=["touch"], decision="allow")' in rules


def _patch_response(response_id: str, call_id: str, patch: str) -> ScriptedResponse:
    return ScriptedResponse.sse(
        [
            ev_response_created(response_id),
            ev_apply_patch_custom_tool_call(call_id, patch),
            ev_completed_with_tokens(response_id, 3000),
        ]
    )


PATCH = (
    "*** Begin Patch\n"
    "*** Add File: hello.py\n"
    "+def hello():\n"
    "+    return 'hi'\n"
    "*** Update File: README.md\n"
    "@@\n"
    "-old line\n"
    "+new line\n"
    "*** End Patch"
)


def test_patch_approval_shows_the_diff_and_session_approval_skips_the_next(tui: TuiHarness) -> None:
    (tui.workspace / "README.md").write_text("old line\n")
    again = "*** Begin Patch\n*** Update File: hello.py\n@@\n-    return 'hi'\n+    return 'hello'\n*** End Patch"
    tui.server.push(
        _patch_response("r1", "p1", PATCH),
        _patch_response(
            "r2",
            "p2",
            again.replace("hello.py", "README.md")
            .replace("    return 'hi'", "new line")
            .replace("    return 'hello'", "newer line"),
        ),
        text_response("r3", "patched"),
    )
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 50)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"edit files", "enter")
            await wait_for(pilot, lambda: app.query(SelectionView), "the patch approval")
            shown = app.query_one(SelectionView).plain()
            assert "Would you like to make the following edits?" in shown
            assert "• Edited 2 files (+3 -1)" in shown
            assert "1 +def hello():" in shown and "1 -old line" in shown and "1 +new line" in shown
            assert "2. Yes, and don't ask again for these files (a)" in shown
            assert not (tui.workspace / "hello.py").exists()
            await pilot.press("a")
            await wait_for(
                pilot,
                lambda: app.turn is None and len(tui.server.model_requests()) == 3,
                "the turn",
            )
            text = app.transcript_text()
            # the second patch touches only an approved file: applied without asking
            assert text.count("Would you like") == 0 and len(app.query(SelectionView)) == 0
            assert "• Edited 2 files (+3 -1)" in text
            assert "• Edited README.md (+1 -1)" in text

    run(scenario)
    assert (tui.workspace / "hello.py").read_text() == "def hello():\n    return 'hi'\n"
    assert (tui.workspace / "README.md").read_text() == "newer line\n"
