"""Event printers for ``pycodex exec``: JSONL (``--json``) and human-readable.

Both receive the same thread events from the session. The JSONL printer
writes one compact JSON object per line to stdout; the human printer writes
progress to stderr and leaves stdout for the final message only, so
``pycodex exec "…" > answer.txt`` captures just the answer.
"""

from __future__ import annotations

import json
import sys
import time
from typing import IO, Any

JsonObject = dict[str, Any]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ferry: codex_exec::event_processor_with_jsonl_output::EventProcessorWithJsonOutput::emit @ 1d092cb66 -- serde_json's rendering, duplicate web_search id included
def encode_event(event: JsonObject) -> str:
    """One JSONL line. A web_search item carries upstream's two ``id`` keys (the exec
    item id, then the provider's search id, from a flattened struct), reproduced as is."""
    item = event.get("item")
    if not isinstance(item, dict) or "web_search_id" not in item:
        return _compact(event)
    fields = [("id" if key == "web_search_id" else key, value) for key, value in item.items()]
    rendered_item = "{" + ",".join(f"{_compact(k)}:{_compact(v)}" for k, v in fields) + "}"
    rest = ",".join(f"{_compact(k)}:{_compact(v)}" for k, v in event.items() if k != "item")
    return "{" + rest + ',"item":' + rendered_item + "}"


#: how codex's human output names the collab tools (Rust ``Debug`` of ``CollabAgentTool``).
_COLLAB_TOOLS = {
    "spawn_agent": "SpawnAgent",
    "send_input": "SendInput",
    "wait": "Wait",
    "close_agent": "CloseAgent",
}

#: session notifications that are not ``codex exec --json`` events (shown in human mode only).
HUMAN_ONLY_EVENTS = frozenset({"context_compacted"})


# ferry: codex_exec::event_processor_with_jsonl_output::EventProcessorWithJsonOutput @ 1d092cb66
class JsonlPrinter:
    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout

    # ferry: codex_exec::event_processor_with_jsonl_output::EventProcessorWithJsonOutput::emit @ 1d092cb66
    def emit(self, event: JsonObject) -> None:
        if event.get("type") in HUMAN_ONLY_EVENTS:
            return
        self.out.write(encode_event(event) + "\n")
        self.out.flush()

    # ferry: codex_exec::event_processor_with_jsonl_output::EventProcessorWithJsonOutput::print_final_output @ 1d092cb66
    def final_message(self, text: str | None) -> None:
        """In JSON mode the final message is already an ``agent_message`` event."""


# ferry: codex_exec::event_processor_with_human_output::EventProcessorWithHumanOutput @ 1d092cb66
class HumanPrinter:
    """Upstream's human layout: a config summary, then one titled block per item, on stderr."""

    def __init__(
        self,
        cwd: str = ".",
        err: IO[str] | None = None,
        out: IO[str] | None = None,
        *,
        show_reasoning: bool = True,
    ) -> None:
        #: ``hide_agent_reasoning`` hides reasoning here; ``--json`` always carries it.
        self.show_reasoning = show_reasoning
        self.err = err or sys.stderr
        self.out = out or sys.stdout
        self._cwd = cwd  # commands are shown as "<command> in <cwd>"
        self._started: dict[str, float] = {}

    # ferry: codex_exec::event_processor_with_human_output::EventProcessorWithHumanOutput::print_config_summary @ 1d092cb66
    def header(self, title: str, lines: list[tuple[str, str]], prompt: str) -> None:
        self.err.write(f"{title}\n--------\n")
        for key, value in lines:
            self.err.write(f"{key}: {value}\n")
        self.err.write(f"--------\nuser\n{prompt}\n")
        self.err.flush()

    # ferry: codex_exec::event_processor_with_human_output::EventProcessorWithHumanOutput::render_item_started @ 1d092cb66
    # ferry: codex_exec::event_processor_with_human_output::EventProcessorWithHumanOutput::render_item_completed @ 1d092cb66
    def emit(self, event: JsonObject) -> None:
        kind = event.get("type")
        item = event.get("item") or {}
        item_type = item.get("type")
        if kind == "item.started" and item_type == "command_execution":
            self._started[str(item.get("id"))] = time.monotonic()
            self.err.write(f"exec\n{item['command']} in {self._cwd}\n")
        elif kind == "item.completed":
            self._completed(item)
        elif kind == "item.started" and item_type == "collab_tool_call":
            self.err.write(
                f"collab: {_COLLAB_TOOLS.get(str(item.get('tool')), item.get('tool'))}\n"
            )
        elif kind in ("item.started", "item.updated") and item_type == "todo_list":
            self.err.write("Plan update\n")
            for todo in item.get("items", []):
                mark = "\u2714" if todo.get("completed") else "\u25a1"
                self.err.write(f"  {mark} {todo.get('text', '')}\n")
        elif kind == "context_compacted":
            self.err.write("context compacted\n")
        elif kind == "error":
            self.err.write(f"ERROR: {event.get('message', '')}\n")
        elif kind == "turn.failed":
            self.err.write(f"ERROR: {event.get('error', {}).get('message', '')}\n")
        elif kind == "turn.completed":
            usage = event.get("usage", {})
            blended = (
                int(usage.get("input_tokens", 0))
                - int(usage.get("cached_input_tokens", 0))
                + int(usage.get("output_tokens", 0))
            )
            self.err.write(f"tokens used\n{blended}\n")
        self.err.flush()

    def _completed(self, item: JsonObject) -> None:
        item_type = item.get("type")
        if item_type == "command_execution":
            started = self._started.pop(str(item.get("id")), time.monotonic())
            elapsed_ms = int((time.monotonic() - started) * 1000)
            code = item.get("exit_code")
            status = "succeeded" if code == 0 else f"exited {code}"
            self.err.write(f" {status} in {elapsed_ms}ms:\n{item.get('aggregated_output', '')}\n")
        elif item_type == "file_change":
            self.err.write("file update\n")
            for change in item.get("changes", []):
                self.err.write(f"{change['kind'][0].upper()} {change['path']}\n")
        elif item_type == "reasoning":
            text = str(item.get("text", ""))
            if self.show_reasoning and text.strip():
                self.err.write(f"{text}\n")
        elif item_type == "agent_message":
            self.err.write(f"codex\n{item.get('text', '')}\n")
        elif item_type == "error":
            self.err.write(f"warning: {item.get('message', '')}\n")

    # ferry: codex_exec::event_processor_with_human_output::EventProcessorWithHumanOutput::print_final_output @ 1d092cb66
    def final_message(self, text: str | None) -> None:
        if text:
            self.out.write(text if text.endswith("\n") else text + "\n")
            self.out.flush()
