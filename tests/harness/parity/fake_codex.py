"""A tiny stand-in for ``codex exec --json`` used to test the oracle without the Rust binary.

It reads ``$CODEX_HOME/config.toml``, posts the prompt to the mock provider, runs the
first ``exec_command`` call it is given, posts the output back and prints codex-like
JSONL events with fresh uuids, absolute paths and wall times, i.e. exactly the volatile
values the normaliser must erase. ``FAKE_CODEX_VARIANT=shout`` upper-cases the final
message so a test can provoke a real divergence.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
import urllib.request
import uuid
from pathlib import Path
from typing import Any


def _post(url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer " + os.environ["MOCK_API_KEY"],
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def _variants() -> set[str]:
    return set(os.environ.get("FAKE_CODEX_VARIANT", "").split(","))


def main() -> int:
    args = sys.argv[1:]
    variants = _variants()
    if "report" in variants:
        # what the oracle must capture: argv as received and whether stdin is a terminal
        print(json.dumps({"type": "report", "argv": args, "tty": sys.stdin.isatty()}))
    if "leave_process" in variants:
        # a detached child that outlives this process: the reaper must report and kill it
        subprocess.Popen(["sleep", "300"], start_new_session=True)
    if "report" in variants and sys.stdin.isatty():
        return 0
    prompt = args[-1] if args and not args[-1].startswith("-") else sys.stdin.read()
    config = tomllib.loads((Path(os.environ["CODEX_HOME"]) / "config.toml").read_text())
    base_url = config["model_providers"]["mock"]["base_url"]
    thread = str(uuid.uuid4())
    print(json.dumps({"type": "thread.started", "thread_id": thread}), flush=True)
    history: list[dict[str, Any]] = [
        {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": f"<cwd>{os.getcwd()}</cwd>"}],
        },
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": prompt}]},
    ]
    for _ in range(5):
        events = _post(
            f"{base_url}/responses",
            {"model": config["model"], "prompt_cache_key": thread, "input": history},
        )
        calls = [
            e["item"]
            for e in events
            if e.get("type") == "response.output_item.done" and e["item"]["type"] == "function_call"
        ]
        messages = [
            e["item"]
            for e in events
            if e.get("type") == "response.output_item.done" and e["item"]["type"] == "message"
        ]
        for item in messages:
            text = item["content"][0]["text"]
            if "shout" in _variants():
                text = text.upper()
            print(
                json.dumps(
                    {
                        "type": "item.completed",
                        "item": {"id": "item_0", "type": "agent_message", "text": text},
                    }
                ),
                flush=True,
            )
        if not calls:
            return 0
        for call in calls:
            started = time.monotonic()
            cmd = json.loads(call["arguments"])["cmd"]
            proc = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True, text=True)
            wall = time.monotonic() - started
            output = f"Chunk ID: {uuid.uuid4().hex[:6]}\nWall time: {wall:.4f} seconds\nProcess exited with code {proc.returncode}\nOutput:\n{proc.stdout}"
            history.append(call)
            history.append(
                {"type": "function_call_output", "call_id": call["call_id"], "output": output}
            )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
