"""Event printers for ``pycodex exec``: JSONL (``--json``) and human-readable.

Both receive the same thread events from the session. The JSONL printer
writes one compact JSON object per line to stdout; the human printer writes
progress to stderr and leaves stdout for the final message only, so
``pycodex exec "…" > answer.txt`` captures just the answer.
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

JsonObject = dict[str, Any]


class JsonlPrinter:
    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout

    def emit(self, event: JsonObject) -> None:
        self.out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.out.flush()

    def final_message(self, text: str | None) -> None:
        """In JSON mode the final message is already an ``agent_message`` event."""


class HumanPrinter:
    def __init__(self, err: IO[str] | None = None, out: IO[str] | None = None) -> None:
        self.err = err or sys.stderr
        self.out = out or sys.stdout

    def header(self, lines: list[tuple[str, str]]) -> None:
        self.err.write("--------\n")
        for key, value in lines:
            self.err.write(f"{key}: {value}\n")
        self.err.write("--------\n")
        self.err.flush()

    def emit(self, event: JsonObject) -> None:
        kind = event.get("type")
        item = event.get("item") or {}
        item_type = item.get("type")
        if kind == "item.started" and item_type == "command_execution":
            self.err.write(f"exec\n{item['command']} in progress\n")
        elif kind == "item.completed":
            if item_type == "command_execution":
                status = (
                    "succeeded" if item.get("exit_code") == 0 else f"exited {item.get('exit_code')}"
                )
                self.err.write(
                    f"exec\n{item['command']} {status}:\n{item.get('aggregated_output', '')}\n"
                )
            elif item_type == "file_change":
                self.err.write("apply_patch\n")
                for change in item.get("changes", []):
                    self.err.write(f"  {change['kind'][0].upper()} {change['path']}\n")
            elif item_type == "reasoning":
                self.err.write(f"thinking\n{item.get('text', '')}\n")
            elif item_type == "agent_message":
                self.err.write(f"codex\n{item.get('text', '')}\n")
            elif item_type == "error":
                self.err.write(f"warning: {item.get('message', '')}\n")
        elif kind in ("item.started", "item.updated") and item_type == "todo_list":
            self.err.write("plan\n")
            for todo in item.get("items", []):
                mark = "x" if todo.get("completed") else " "
                self.err.write(f"  [{mark}] {todo.get('text', '')}\n")
        elif kind == "error":
            self.err.write(f"ERROR: {event.get('message', '')}\n")
        elif kind == "turn.failed":
            self.err.write(f"ERROR: {event.get('error', {}).get('message', '')}\n")
        elif kind == "turn.completed":
            usage = event.get("usage", {})
            total = int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0))
            self.err.write(f"tokens used\n{total}\n")
        self.err.flush()

    def final_message(self, text: str | None) -> None:
        if text:
            self.out.write(text if text.endswith("\n") else text + "\n")
            self.out.flush()
