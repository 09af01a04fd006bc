"""Make two runs comparable by rewriting what legitimately differs between runs.

Only volatile values are touched: random and time-based ids, timestamps, wall times,
chunk ids, the mock server's port and the absolute directory a side ran in. Everything
else is compared byte for byte, so a normalisation rule is a claim that a field carries
no behaviour; the Rust-vs-Rust end-to-end test checks those claims.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.parity.runner import SideResult

ROOT_PLACEHOLDER = "<ROOT>"

#: (pattern, replacement) applied to every string, in order.
_TEXT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
        "<UUID>",
    ),
    (re.compile(r"Chunk ID: [0-9A-Za-z]+"), "Chunk ID: <CHUNK>"),
    (re.compile(r"Wall time: [0-9.]+ seconds"), "Wall time: <WALL> seconds"),
    (re.compile(r"session ID \d+"), "session ID <SESSION>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<PORT>"),
    # an MCP start-up deadline as measured (codex prints e.g. "after 999.99979ms")
    (
        re.compile(r"timed out handshaking with MCP server after [0-9.]+m?s"),
        "timed out handshaking with MCP server after <DURATION>",
    ),
    (
        re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"),
        "<TIMESTAMP>",
    ),
)

#: object keys whose values are volatile whatever they look like.
VOLATILE_KEYS = frozenset(
    {
        "turn_started_at_unix_ms",
        "created_at",
        # goal tool results (unix seconds and elapsed time; keys compared lowercased)
        "createdat",
        "updatedat",
        "timeusedseconds",
        "timestamp",
        "installation_id",
        "x-codex-installation-id",
        "prompt_cache_key",
        "session_id",
        "session-id",
        "thread_id",
        "thread-id",
        "x-client-request-id",
        "x-codex-window-id",
        "window_id",
        "context_window_id",
        "turn_id",
        "root_turn_id",
    }
)

#: request headers that depend on the HTTP stack rather than on behaviour.
IGNORED_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding"})


@dataclass(frozen=True)
class Normalizer:
    """Rewrites strings of one side: its root directory first, then the generic rules."""

    roots: tuple[str, ...]

    def text(self, value: str) -> str:
        for root in self.roots:
            value = value.replace(root, ROOT_PLACEHOLDER)
        for pattern, replacement in _TEXT_RULES:
            value = pattern.sub(replacement, value)
        return value

    def value(self, value: Any, key: str | None = None) -> Any:
        if key is not None and key.lower() in VOLATILE_KEYS and value is not None:
            return "<VOLATILE>"
        if isinstance(value, str):
            embedded = _embedded_json(value)
            if embedded is not None:
                return json.dumps(self.value(embedded), sort_keys=True)
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v, str(k)) for k, v in value.items()}
        if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
            return [self.value(v) for v in value]
        return value


def _embedded_json(value: str) -> dict[str, Any] | None:
    """A string holding a JSON object (turn metadata headers) is compared structurally."""
    stripped = value.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        parsed = json.loads(stripped)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def normalizer_for(result: SideResult) -> Normalizer:
    root = str(result.root)
    real = str(result.root.resolve())
    roots = tuple(dict.fromkeys(r for r in (real, root) if r))
    return Normalizer(roots)


_ITEM_ID_RE = re.compile(r"^item_\d+$")


def unordered(events: list[Any]) -> list[Any]:
    """Events of concurrent work in a canonical order, with their sequence-based item ids erased.

    Used only by scenarios that declare ``unordered_events`` (parallel tool calls, whose
    start and finish order is a race in both implementations).
    """

    def erase(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: "item_<N>"
                if k == "id" and isinstance(v, str) and _ITEM_ID_RE.match(v)
                else erase(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [erase(v) for v in value]
        return value

    return sorted((erase(e) for e in events), key=lambda e: json.dumps(e, sort_keys=True))


#: a tracing log line (``<timestamp> ERROR codex_core::...``): diagnostics, not CLI output.
_LOG_LINE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.]+Z\s+(TRACE|DEBUG|INFO|WARN|ERROR)\s")


#: the Rust binary's error backtrace (``Stack backtrace:`` then ``  N: <unknown>`` frames).
_BACKTRACE_RE = re.compile(r"^(Stack backtrace:|\s+\d+: .*)$")


def stderr_lines(stderr: str) -> list[str]:
    """The user-facing lines of stderr: everything but tracing log records and backtraces."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not _LOG_LINE_RE.match(line) and not _BACKTRACE_RE.match(line)
    ]


#: Context fragments codex puts into developer/user messages, recognised by their opening.
_FRAGMENT_MARKERS = (
    ("<permissions instructions>", "permissions_instructions"),
    ("<skills_instructions>", "skills_instructions"),
    ("<tools>", "tools"),
    ("<environment_context>", "environment_context"),
    ("# AGENTS.md instructions for ", "agents_md"),
    ("<collaboration_mode>", "collaboration_mode"),
)


def _fragment_key(part: Any, index: int) -> str:
    text = part.get("text") if isinstance(part, dict) else None
    if isinstance(text, str):
        for opening, key in _FRAGMENT_MARKERS:
            if text.startswith(opening):
                return key
    return f"#{index}"


def keyed_body(body: Any) -> Any:
    """A request body with tools keyed by name and message parts keyed by fragment.

    Positions say little here: one missing fragment (say ``<skills_instructions>``)
    would shift every later part and show as a change of all of them. Keyed, a
    difference names exactly the fragment or tool that differs, and the allow-list can
    declare one without hiding the others.
    """
    if not isinstance(body, dict):
        return body
    keyed = dict(body)
    tools = body.get("tools")
    if isinstance(tools, list):
        keyed["tools"] = {
            str(t.get("name") or t.get("type")) if isinstance(t, dict) else f"#{i}": t
            for i, t in enumerate(tools)
        }
    items = body.get("input")
    if isinstance(items, list):
        keyed["input"] = [
            {**item, "content": {_fragment_key(p, i): p for i, p in enumerate(item["content"])}}
            if isinstance(item, dict)
            and item.get("type") == "message"
            and isinstance(item.get("content"), list)
            else item
            for item in items
        ]
    return keyed


def spawn_status_settled(events: list[Any]) -> list[Any]:
    """``spawn_agent`` items with a ``running`` child folded into ``pending_init``.

    codex reads the new agent's status right after starting it; on a loaded machine its
    worker has sometimes already begun the first turn (codex run against itself differs
    there about one run in ten), so the two values say the same thing: the agent started.
    """
    settled = []
    for event in events:
        item = event.get("item") if isinstance(event, dict) else None
        if isinstance(item, dict) and item.get("tool") == "spawn_agent":
            states = item.get("agents_states")
            if isinstance(states, dict):
                states = {thread: _started(state) for thread, state in states.items()}
                event = {**event, "item": {**item, "agents_states": states}}
        settled.append(event)
    return settled


def _started(state: Any) -> Any:
    if isinstance(state, dict) and state.get("status") == "running":
        return {**state, "status": "pending_init"}
    return state


def normalized_view(result: SideResult, *, unordered_events: bool = False) -> dict[str, Any]:
    """The comparable shape of one side: requests, events, exit status, stderr and files."""
    norm = normalizer_for(result)
    events = spawn_status_settled(norm.value(result.events()))
    if unordered_events:
        events = unordered(events)
    requests = [
        {
            "method": call.method,
            "path": call.path,
            "headers": {
                k.lower(): norm.value(v, k)
                for k, v in sorted(call.headers.items(), key=lambda kv: kv[0].lower())
                if k.lower() not in IGNORED_HEADERS
            },
            "body": keyed_body(norm.value(call.body)),
        }
        for call in result.requests
    ]
    compared: list[Any] | dict[str, list[Any]] = requests
    if any(call.conversation is not None for call in result.requests):
        # concurrent threads interleave freely: compare each conversation in its own order
        grouped: dict[str, list[Any]] = {}
        for call, view in zip(result.requests, requests, strict=True):
            grouped.setdefault(call.conversation or "-", []).append(view)
        compared = dict(sorted(grouped.items()))
    return {
        "requests": compared,
        "events": events,
        "exit": {"code": result.exit_code, "timed_out": result.timed_out},
        "stderr": [norm.text(line) for line in stderr_lines(result.stderr)],
        "workspace": {norm.text(k): norm.text(v) for k, v in result.workspace.items()},
        "outside": {norm.text(k): norm.text(v) for k, v in result.outside.items()},
        "home": {norm.text(k): norm.value(v) for k, v in result.home.items()},
    }
