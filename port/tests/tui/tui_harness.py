"""Drive the Textual UI with Pilot against the scripted model server."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycodex.testing import MockResponsesServer, ScriptedResponse
from pycodex.testing.mock_responses import (
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_output_text_delta,
    ev_response_created,
)
from pycodex.tui.app import CodexApp, TuiOptions
from pycodex.tui.backend import ThreadChoice

#: an upper bound for a UI state to appear (the machine may be loaded); never a speed target.
WAIT_S = 90.0


@dataclass
class TuiHarness:
    home: Path
    workspace: Path
    server: MockResponsesServer

    def write_config(self, extra: str = "") -> None:
        (self.home / "config.toml").write_text(
            'model = "gpt-5.5"\n'
            'model_provider = "mock"\n'
            f"{extra}\n"
            "[model_providers.mock]\n"
            'name = "mock"\n'
            f'base_url = "{self.server.base_url}"\n'
            'wire_api = "responses"\n'
            'env_key = "MOCK_API_KEY"\n'
            "request_max_retries = 1\n"
            "stream_max_retries = 1\n"
        )

    def app(
        self,
        *,
        prompt: str | None = None,
        choice: ThreadChoice | None = None,
        picker: str | None = None,
        sandbox: str | None = "read-only",
        approval: str | None = None,
        images: Sequence[Path] = (),
        include_non_interactive: bool = False,
    ) -> CodexApp:
        params = {"sandbox_mode": sandbox, "approval_policy": approval, "cwd": str(self.workspace)}
        return CodexApp(
            TuiOptions(
                params=params,
                cwd=self.workspace,
                prompt=prompt,
                images=tuple(images),
                choice=choice,
                picker=picker,
                include_non_interactive=include_non_interactive,
            )
        )

    def rollouts(self) -> list[Path]:
        return sorted((self.home / "sessions").glob("*/*/*/rollout-*.jsonl"))

    def rollout_lines(self, path: Path) -> list[dict[str, Any]]:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def text_response(response_id: str, text: str, tokens: int = 1000) -> ScriptedResponse:
    """A streamed answer: a few text deltas, the final message, token usage."""
    words = text.split(" ")
    deltas = [
        ev_output_text_delta(w + (" " if i < len(words) - 1 else "")) for i, w in enumerate(words)
    ]
    return ScriptedResponse.sse(
        [
            ev_response_created(response_id),
            *deltas,
            ev_assistant_message("m" + response_id, text),
            ev_completed_with_tokens(response_id, tokens),
        ]
    )


def command_response(response_id: str, call_id: str, args: dict[str, Any]) -> ScriptedResponse:
    return ScriptedResponse.sse(
        [
            ev_response_created(response_id),
            ev_function_call(call_id, "exec_command", json.dumps(args)),
            ev_completed_with_tokens(response_id, 2000),
        ]
    )


async def wait_for(pilot: Any, predicate: Callable[[], object], what: str) -> None:
    """Let the app run until ``predicate()`` holds (fails naming ``what`` after WAIT_S)."""
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            app = pilot.app
            raise AssertionError(
                f"timed out waiting for {what}; transcript:\n{app.transcript_text()}"
            )
        await pilot.pause(0.05)


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def screen_text(app: Any) -> str:
    """The screen as the terminal would show it, one line per row (trailing blanks trimmed)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)
