"""Slash commands: codex 0.169.0's names, texts and effects."""

from __future__ import annotations

import json

from pycodex.tui.bottom import SelectionView
from pycodex.tui.screens import DiffPager
from tui_harness import TuiHarness, run, text_response, wait_for


async def _command(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.composer.load_text(text)
    await pilot.press("enter")
    await pilot.pause(0.1)


def test_status_popup_unknown_and_mention(tui: TuiHarness) -> None:
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"/st")
            assert app.popup.is_open
            assert app.popup.plain().splitlines()[0].startswith("/status")
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: "Token usage:" in app.transcript_text(), "the status card"
            )
            card = app.transcript_text()
            assert "Model:" in card and "gpt-5.5 (reasoning medium, summaries auto)" in card
            assert "Permissions:" in card and "Read Only (Ask for approval)" in card
            assert f"Session:             {app.status.thread_id}" in card
            assert "Token usage:         0 total  (0 input + 0 output)" in card
            assert "Context window:" in card
            await _command(pilot, "/frobnicate")
            assert (
                "Unrecognized command '/frobnicate'. Type \"/\" for a list of supported commands."
                in app.transcript_text()
            )
            app.composer.load_text("")
            await _command(pilot, "/mention")
            assert app.composer.text == "@"

    run(scenario)


def test_model_and_permissions_change_the_next_request(tui: TuiHarness) -> None:
    tui.server.push(text_response("r1", "ok"))
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await _command(pilot, "/model")
            view = app.query_one(SelectionView)
            assert "gpt-5.5 (current)" in view.plain()
            await pilot.press("5")  # gpt-5.6-sol
            await wait_for(
                pilot, lambda: app.selection and app.selection.purpose == "effort", "efforts"
            )
            await pilot.press("3")  # high
            await _command(pilot, "/permissions")
            assert "Read Only (current)" in app.query_one(SelectionView).plain()
            await pilot.press("2")  # Ask for approval: workspace-write, on-request
            text = app.transcript_text()
            assert "Model changed to gpt-5.6-sol high" in text
            assert "Permissions updated to Ask for approval" in text
            assert "gpt-5.6-sol high" in str(app.query_one("#status-line").render())
            await pilot.press(*"go", "enter")
            await wait_for(
                pilot, lambda: app.turn is None and tui.server.model_requests(), "the turn"
            )

    run(scenario)
    body = tui.server.model_requests()[0].json()
    assert body["model"] == "gpt-5.6-sol" and body["reasoning"]["effort"] == "high"
    developer = tui.server.model_requests()[0].message_input_texts("developer")
    assert "`sandbox_mode` is `workspace-write`" in developer[-1]


def test_busy_commands_are_refused_during_a_turn(tui: TuiHarness) -> None:
    from test_tui_keys import _stalled

    tui.server.push(_stalled("r1"))
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await pilot.press(*"work", "enter")
            await wait_for(pilot, lambda: app.turn is not None, "the turn")
            await _command(pilot, "/model")
            assert "'/model' is disabled while a task is in progress." in app.transcript_text()
            assert not app.query(SelectionView)
            await pilot.press("escape")
            await wait_for(pilot, lambda: not app.backend.busy, "the interrupted turn to end")

    run(scenario)


def test_new_compact_and_init(tui: TuiHarness) -> None:
    tui.server.push(
        text_response("r1", "first answer"),
        text_response("r2", "summary of the work"),
        text_response("r3", "AGENTS.md written"),
    )
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            first_thread = app.status.thread_id
            await pilot.press(*"hello", "enter")
            await wait_for(pilot, lambda: app.turn is None and tui.server.model_requests(), "turn")
            await _command(pilot, "/compact")
            await wait_for(
                pilot, lambda: "Context compacted" in app.transcript_text(), "compaction"
            )
            await wait_for(pilot, lambda: app.turn is None, "the compaction turn")
            await _command(pilot, "/new")
            await wait_for(
                pilot, lambda: app.status.ready and app.status.thread_id != first_thread, "new"
            )
            assert "hello" not in app.transcript_text()
            await _command(pilot, "/init")
            await wait_for(pilot, lambda: len(tui.server.model_requests()) == 3, "init turn")
            await wait_for(pilot, lambda: app.turn is None, "the init turn to end")
            (tui.workspace / "AGENTS.md").write_text("# rules\n")
            await _command(pilot, "/init")
            assert "AGENTS.md already exists here. Skipping /init" in app.transcript_text()

    run(scenario)
    compaction = tui.server.model_requests()[1]
    assert compaction.json()["tools"] == []
    metadata = json.loads(compaction.header("x-codex-turn-metadata") or "{}")
    assert metadata["request_kind"] == "compaction"
    assert metadata["compaction"]["trigger"] == "manual"
    assert metadata["compaction"]["phase"] == "standalone_turn"
    init = tui.server.model_requests()[2].message_input_texts("user")[-1]
    assert init.startswith("Generate a file named AGENTS.md")
    assert len(tui.rollouts()) == 2


def test_diff_shows_tracked_and_untracked_changes(tui: TuiHarness) -> None:
    import subprocess

    (tui.workspace / "tracked.txt").write_text("one\n")
    subprocess.run(["git", "add", "."], cwd=tui.workspace, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"],
        cwd=tui.workspace,
        check=True,
    )
    (tui.workspace / "tracked.txt").write_text("two\n")
    (tui.workspace / "new.txt").write_text("fresh\n")
    app = tui.app()

    async def scenario() -> None:
        async with app.run_test(size=(110, 40)) as pilot:
            await wait_for(pilot, lambda: app.status.ready, "the session")
            await _command(pilot, "/diff")
            await wait_for(pilot, lambda: isinstance(app.screen, DiffPager), "the diff pager")
            diff = app.screen.diff  # type: ignore[attr-defined]
            assert "-one\n+two" in diff
            assert "+++ b/new.txt" in diff and "+fresh" in diff
            await pilot.press("q")
            await wait_for(
                pilot, lambda: not isinstance(app.screen, DiffPager), "the pager to close"
            )

    run(scenario)
