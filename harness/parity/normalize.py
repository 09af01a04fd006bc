"""Make two runs comparable by rewriting what legitimately differs between runs.

Only volatile values are touched: random and time-based ids, timestamps, wall times,
chunk ids, the mock server's port and the absolute directory a side ran in. Everything
else is compared byte for byte, so a normalisation rule is a claim that a field carries
no behaviour; the Rust-vs-Rust end-to-end test checks those claims.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.parity.runner import RunRecord, SideResult

ROOT_PLACEHOLDER = "<ROOT>"
DATE_PLACEHOLDER = "<DATE>"

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
    # config file versions (``sha256:`` of a config.toml that holds the mock server's port)
    (re.compile(r"sha256:[0-9a-f]{64}"), "sha256:<HASH>"),
    # rollout file names: rollout-2026-12-07T14-16-07-<uuid>.jsonl
    (re.compile(r"rollout-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-"), "rollout-<TIMESTAMP>-"),
    # the Rust binary's per-process helper directory (mkdtemp-style suffix)
    (re.compile(r"codex-arg0[A-Za-z0-9]{6}"), "codex-arg0<RANDOM>"),
)

#: object keys whose values are volatile whatever they look like.
VOLATILE_KEYS = frozenset(
    {
        "turn_started_at_unix_ms",
        "created_at",
        # unix seconds (a float) in codex's OpenAI-internal item metadata
        "create_time",
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
    """Rewrites strings of one side: its root directory first, then the generic rules.

    ``dates`` are the calendar dates (local and UTC) the run spanned: "today" shows up in
    the environment context and in rollout paths, and becomes ``<DATE>``. Other dates (a
    fixture's, a commit's) are behaviour and stay.
    """

    roots: tuple[str, ...]
    dates: tuple[str, ...] = ()
    #: further volatile keys (lowercased) of this kind of run (app-server timestamps ...)
    volatile: frozenset[str] = frozenset()

    def text(self, value: str) -> str:
        if value.startswith(_PNG_URL_PREFIX):
            return png_pixels(value)
        for root in self.roots:
            value = value.replace(root, ROOT_PLACEHOLDER)
        for pattern, replacement in _TEXT_RULES:
            value = pattern.sub(replacement, value)
        for date in self.dates:
            value = value.replace(date, DATE_PLACEHOLDER)
            value = value.replace(date.replace("-", "/"), DATE_PLACEHOLDER)
        return value

    def value(self, value: Any, key: str | None = None) -> Any:
        if (
            key is not None
            and (key.lower() in VOLATILE_KEYS or key.lower() in self.volatile)
            and value is not None
        ):
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


_PNG_URL_PREFIX = "data:image/png;base64,"


def png_pixels(url: str) -> str:
    """A PNG data URL as its size and decoded pixels (hashed).

    A PNG's compressed stream depends on the encoder (filters, deflate settings), and codex
    re-encodes some images with its own; what the model receives is the picture. An image
    that does not decode is kept as it is.
    """
    try:
        from PIL import Image

        data = base64.b64decode(url[len(_PNG_URL_PREFIX) :], validate=True)
        with Image.open(io.BytesIO(data)) as image:
            rgba = image.convert("RGBA")
            digest = hashlib.sha256(rgba.tobytes()).hexdigest()[:16]
            return f"data:image/png;pixels={rgba.width}x{rgba.height}:{digest}"
    except Exception:  # not a decodable PNG: compare the text as it is
        return url


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


def normalizer_for(result: SideResult, volatile: frozenset[str] = frozenset()) -> Normalizer:
    root = str(result.root)
    real = str(result.root.resolve())
    roots = tuple(dict.fromkeys(r for r in (real, root) if r))
    return Normalizer(roots, dates=result.dates, volatile=volatile)


_ITEM_ID_RE = re.compile(r"^item_\d+$")


def unordered(events: list[Any]) -> dict[str, Any]:
    """Events of concurrent work: items in a canonical order, each item's own events in theirs.

    Used only by scenarios that declare ``unordered_events`` (parallel tool calls, whose
    start and finish order is a race in both implementations). Events without an item
    (``turn.started``, ``turn.completed``, ``error``) keep their order; events of one item
    (``item.started`` before ``item.completed``) keep theirs; only the interleaving of
    different items and their sequence-based ids are forgotten.
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

    sequence: list[Any] = []
    groups: dict[str, list[Any]] = {}
    for event in events:
        item = event.get("item") if isinstance(event, dict) else None
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str):
            groups.setdefault(item_id, []).append(erase(event))
        else:
            sequence.append(event)
    items = sorted(groups.values(), key=lambda g: json.dumps(g, sort_keys=True))
    return {"sequence": sequence, "items": items}


def _is_method(message: Any, method: str) -> bool:
    return isinstance(message, dict) and message.get("method") == method


def status_changes_last(messages: list[Any]) -> list[Any]:
    """App-server messages with the ``thread/status/changed`` notifications moved to the end."""
    status = "thread/status/changed"
    return [m for m in messages if not _is_method(m, status)] + [
        m for m in messages if _is_method(m, status)
    ]


#: a tracing log line (``<timestamp> ERROR codex_core::...``): diagnostics, not CLI output.
_LOG_LINE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.]+Z\s+(TRACE|DEBUG|INFO|WARN|ERROR)\s")


#: a frame of the backtrace anyhow appends to a Rust error (``   3: <unknown>``, ``at src/x.rs``).
_BACKTRACE_FRAME_RE = re.compile(r"^\s*(\d+: |at )")

#: the banner of human output names the program and its version (the port names itself).
_BANNER_RE = re.compile(r"^(OpenAI Codex v\S+|pycodex v\S+ \(port of Codex CLI \S+\))$")
BANNER_PLACEHOLDER = "<BANNER: program name and version>"


#: pycodex's own notes about what it does not implement ("warning: config key `plugins` is
#: not supported by pycodex yet ..."): the port's declared difference, tested in port/tests.
PORT_NOTE_RE = re.compile(r"^warning: .*\bpycodex\b")


def stderr_lines(stderr: str) -> list[str]:
    """The user-facing lines of stderr: everything but tracing log records, backtraces and
    pycodex's notes about features it lacks (which codex, having them, never prints).

    A Rust error may end with ``Stack backtrace:`` and numbered frames: diagnostics of the
    binary's build, not part of the message.
    """
    lines: list[str] = []
    in_backtrace = False
    for line in stderr.splitlines():
        if not line.strip() or _LOG_LINE_RE.match(line) or PORT_NOTE_RE.match(line):
            continue
        if line.strip() == "Stack backtrace:":
            in_backtrace = True
            continue
        if in_backtrace and _BACKTRACE_FRAME_RE.match(line):
            continue
        in_backtrace = False
        lines.append(BANNER_PLACEHOLDER if _BANNER_RE.match(line) else line)
    return lines


#: Context fragments codex puts into developer/user messages, recognised by their opening.
_FRAGMENT_MARKERS = (
    ("<permissions instructions>", "permissions_instructions"),
    ("<skills_instructions>", "skills_instructions"),
    ("<tools>", "tools"),
    ("<environment_context>", "environment_context"),
    ("# AGENTS.md instructions for ", "agents_md"),
    ("<collaboration_mode>", "collaboration_mode"),
    ("<model_switch>", "model_switch"),
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
        keyed["input"] = [keyed_item(item) for item in items]
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


def keyed_item(item: Any) -> Any:
    """A message with its content parts keyed by fragment (see :func:`keyed_body`)."""
    if (
        isinstance(item, dict)
        and item.get("type") == "message"
        and isinstance(item.get("content"), list)
    ):
        return {**item, "content": {_fragment_key(p, i): p for i, p in enumerate(item["content"])}}
    return item


def _run_view(
    norm: Normalizer, run: RunRecord, unordered_events: bool, kind: str = "exec"
) -> dict[str, Any]:
    events: Any = norm.value(run.events())
    if kind == "appserver":
        events = status_changes_last(
            [e for e in events if not _is_method(e, "item/commandExecution/outputDelta")]
        )
    else:
        events = spawn_status_settled(events)
    if unordered_events:
        events = unordered(events)
    return {
        "events": events,
        "exit": {"code": run.exit_code, "timed_out": run.timed_out},
        "stderr": [norm.text(line) for line in stderr_lines(run.stderr)],
        "processes": sorted(" ".join(norm.text(a) for a in cmd) for cmd in run.leftovers),
    }


#: rollout record fields that are the Rust binary's bookkeeping, not conversation content.
_HISTORY_FIELDS = (
    "type",
    "role",
    "content",
    "name",
    "namespace",
    "arguments",
    "input",
    "call_id",
    "output",
    "status",
    "summary",
    "encrypted_content",
    "action",
    "queries",
    "tools",
)


def rollout_view(norm: Normalizer, records: list[Any], mode: str) -> list[Any]:
    """The compared part of one rollout: ``history`` = the conversation items in their wire
    shape (what ``exec resume`` replays), in order; ``full`` = every record."""
    if mode == "full":
        return [norm.value(r) for r in records]
    history: list[Any] = []
    for record in records:
        if not isinstance(record, dict) or record.get("type") != "response_item":
            continue
        payload = record.get("payload")
        if not isinstance(payload, dict):
            history.append(norm.value(payload))
            continue
        projected = {k: payload[k] for k in _HISTORY_FIELDS if k in payload}
        history.append(keyed_item(norm.value(projected)))
    return history


def home_view(norm: Normalizer, home: Mapping[str, Any], mode: str) -> dict[str, Any]:
    files = home.get("files", {})
    view: dict[str, Any] = {
        "files": {norm.text(k): norm.text(v) for k, v in sorted(files.items())},
    }
    if mode != "none":
        view["rollouts"] = [rollout_view(norm, r, mode) for r in home.get("rollouts", [])]
    return view


def normalized_view(
    result: SideResult,
    *,
    unordered_events: bool = False,
    compare_rollout: str = "history",
    kind: str = "exec",
) -> dict[str, Any]:
    """The comparable shape of one side: requests, events, exit status, stderr and files.

    The first ``exec`` run's events, exit status and stderr are at the top level; further
    runs (``then``) follow under ``then`` in order.

    For ``appserver`` runs the events are the server's JSON-RPC messages and their
    timestamps, durations and process ids are volatile too. Their ``thread/status/changed``
    notifications are moved, in their own order, behind the other messages: codex sends them
    from a thread-watch task of their own, so where they fall among the item notifications is a
    race (a declined command's ``item/completed`` comes before or after the status change that
    ends the approval wait, varying between runs of the Rust binary). Their
    ``item/commandExecution/outputDelta`` notifications are left out: codex streams a command's
    output from a reader that subscribes after the process starts, so output a fast command
    writes first is never streamed (repeated runs of ``appserver_turn_read_command`` stream
    ``cat``'s output in some runs and not in others). The output is still compared in the
    completed item's ``aggregatedOutput`` and in the tool output sent to the model;
    ``port/tests/app_server/test_command_output.py`` checks the port's deltas.
    """
    if kind == "appserver":
        from harness.parity.appserver import VOLATILE_KEYS as APPSERVER_VOLATILE

        norm = normalizer_for(result, APPSERVER_VOLATILE)
    else:
        norm = normalizer_for(result)
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
        for call, request_view in zip(result.requests, requests, strict=True):
            grouped.setdefault(call.conversation or "-", []).append(request_view)
        compared = dict(sorted(grouped.items()))
    first, *rest = [_run_view(norm, run, unordered_events, kind) for run in result.runs]
    view: dict[str, Any] = {"requests": compared, **first}
    if rest:
        view["then"] = rest
    view.update(
        {
            "workspace": {norm.text(k): norm.text(v) for k, v in result.workspace.items()},
            "outside": {norm.text(k): norm.text(v) for k, v in result.outside.items()},
            "modes": {norm.text(k): v for k, v in result.modes.items()},
            "git": norm.value(result.git),
            "home": home_view(norm, result.home, compare_rollout),
            "home_snapshot": {norm.text(k): norm.value(v) for k, v in result.home_snapshot.items()},
            "tmp": {norm.text(k): norm.text(v) for k, v in result.tmp.items()},
        }
    )
    return view
