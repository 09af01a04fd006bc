"""The ``appserver`` scenario kind: one JSON-RPC client script against ``<binary> app-server``.

A scenario's ``client`` is a list of steps run in order over the server's stdio (one JSON
object per line): ``send`` a message, ``raw`` a line as is, ``wait`` for a response or a
notification, ``respond`` to the next server request of a method. Values a script cannot
know in advance (a thread id) are captured with ``save: {name: /json/pointer}`` on a
``wait``/``respond`` and used as ``${name}`` in later messages. Every line the server
writes is recorded and compared like ``exec``'s ``--json`` events, after normalisation.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.parity.errors import ParityError

#: object keys whose values change from run to run in app-server messages (times, pids,
#: cursors derived from times, read-state revisions); compared lowercased.
VOLATILE_KEYS = frozenset(
    {
        "emittedatms",
        "startedatms",
        "completedatms",
        "createdat",
        "updatedat",
        "recencyat",
        "startedat",
        "completedat",
        "durationms",
        "processid",
        "revision",
        "backwardscursor",
        "nextcursor",
        "sectionenteredat",
    }
)

#: how long the server may take to exit after its stdin closes.
EXIT_GRACE_S = 10.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WaitFor(_Strict):
    """A response (``id``) or a server message with ``method`` (notification or request)."""

    id: int | str | None = None
    method: str | None = None

    @model_validator(mode="after")
    def _one(self) -> WaitFor:
        if (self.id is None) == (self.method is None):
            raise ValueError("wait for exactly one of: id (a response), method (a notification)")
        return self


class Respond(_Strict):
    """Answer the next server request of ``method`` with ``result`` (or ``error``)."""

    method: str
    result: Any = None
    error: dict[str, Any] | None = None


class ClientStep(_Strict):
    """One step of the client script; exactly one of send, raw, wait, respond is set."""

    send: dict[str, Any] | None = None
    raw: str | None = None
    wait: WaitFor | None = None
    respond: Respond | None = None
    #: ``{name: "/json/pointer"}``: remember parts of the awaited message as ``${name}``.
    save: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> ClientStep:
        present = [k for k in ("send", "raw", "wait", "respond") if getattr(self, k) is not None]
        if len(present) != 1:
            raise ValueError(
                f"a step needs exactly one of send, raw, wait, respond (got {present})"
            )
        if self.save and self.wait is None and self.respond is None:
            raise ValueError("save needs a wait or respond step (it reads the awaited message)")
        for name, pointer in self.save.items():
            if not pointer.startswith("/"):
                raise ValueError(f"save.{name}: {pointer!r} is not a JSON pointer (/a/b/0)")
        return self


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901 lookup; raises ParityError naming the pointer when it does not resolve."""
    current = document
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            raise ParityError(f"save: {pointer} does not resolve in {json.dumps(document)[:300]}")
    return current


@dataclass
class Transcript:
    """What one app-server run said and heard."""

    lines: list[str] = field(default_factory=list)  # every stdout line, as written
    client: list[str] = field(default_factory=list)  # every line the client sent
    error: str | None = None  # why the script stopped early, if it did


class _Reader:
    """Collects the server's stdout lines on a thread; waits match unconsumed messages."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self.messages: list[tuple[int, dict[str, Any]]] = []
        self._consumed: set[int] = set()
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream: Any) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self.lines.append(line)
                try:
                    value = json.loads(line)
                except json.JSONDecodeError:
                    value = None
                if isinstance(value, dict):
                    self.messages.append((len(self.lines) - 1, value))
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def take(self, predicate: Any, timeout_s: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for index, message in self.messages:
                    if index not in self._consumed and predicate(message):
                        self._consumed.add(index)
                        return message
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def join(self, timeout_s: float) -> None:
        self._thread.join(timeout_s)


def _substitute(value: Any, values: Mapping[str, str]) -> Any:
    from harness.parity.workspace import expand

    return expand(value, values, "client")


def _matches_wait(wait: WaitFor) -> Any:
    if wait.id is not None:
        target = wait.id
        return lambda m: m.get("id") == target and "method" not in m
    return lambda m: m.get("method") == wait.method


def _matches_request(method: str) -> Any:
    return lambda m: m.get("method") == method and "id" in m


def drive(
    proc: subprocess.Popen[bytes],
    steps: list[ClientStep],
    values: dict[str, str],
    timeout_s: float = 60.0,
) -> Transcript:
    """Run the client script against a started server; returns what was said both ways.

    ``timeout_s`` bounds the whole script (the scenario's ``timeout_s``); each step's own
    ``timeout_s`` bounds its wait.
    """
    deadline = time.monotonic() + timeout_s
    assert proc.stdin is not None and proc.stdout is not None
    reader = _Reader(proc.stdout)
    transcript = Transcript()
    saved: dict[str, str] = {}
    outbox: queue.Queue[str] = queue.Queue()

    def write(line: str) -> None:
        transcript.client.append(line)
        outbox.put(line)
        assert proc.stdin is not None
        proc.stdin.write(line.encode("utf-8") + b"\n")
        proc.stdin.flush()

    try:
        for number, step in enumerate(steps, start=1):
            scope = {**values, **saved}
            if step.send is not None:
                write(json.dumps(_substitute(step.send, scope), separators=(",", ":")))
            elif step.raw is not None:
                write(_substitute(step.raw, scope))
            elif step.wait is not None:
                limit = min(step.timeout_s, max(0.0, deadline - time.monotonic()))
                found = reader.take(_matches_wait(step.wait), limit)
                if found is None:
                    transcript.error = f"step {number}: no {step.wait.model_dump(exclude_none=True)} within {limit:.1f} s"
                    break
                saved.update(_save(step, found))
            elif step.respond is not None:
                respond = step.respond
                limit = min(step.timeout_s, max(0.0, deadline - time.monotonic()))
                found = reader.take(_matches_request(respond.method), limit)
                if found is None:
                    transcript.error = (
                        f"step {number}: no server request {respond.method} within {limit:.1f} s"
                    )
                    break
                saved.update(_save(step, found))
                reply: dict[str, Any] = {"id": found["id"]}
                if respond.error is not None:
                    reply["error"] = _substitute(respond.error, {**values, **saved})
                else:
                    reply["result"] = _substitute(respond.result, {**values, **saved})
                write(json.dumps(reply, separators=(",", ":")))
    except (BrokenPipeError, OSError) as exc:
        transcript.error = f"the server closed its stdin: {exc}"
    except ParityError as exc:
        transcript.error = str(exc)
    finally:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    try:
        proc.wait(EXIT_GRACE_S)
    except subprocess.TimeoutExpired:
        transcript.error = (
            transcript.error or f"the server did not exit within {EXIT_GRACE_S} s of stdin closing"
        )
        _kill_group(proc)
        proc.wait()
    reader.join(5)
    transcript.lines = list(reader.lines)
    return transcript


def _save(step: ClientStep, message: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, pointer in step.save.items():
        value = resolve_pointer(message, pointer)
        out[name] = value if isinstance(value, str) else json.dumps(value)
    return out


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return


def run_appserver_side(binary: Any, scenario: Any, root: Path) -> Any:
    """Prepare ``root`` like an exec run, then drive ``<binary> app-server`` with the script."""
    from harness.parity.runner import (
        RecordedCall,
        RunRecord,
        SideResult,
        _decode_body,
        _free_port,
        _today,
        background_servers,
        build_env,
    )
    from harness.parity.script import render_script
    from harness.parity.server import ParityServer
    from harness.parity.workspace import (
        SideLayout,
        expand,
        placeholder_values,
        prepare_side,
        snapshot_tree,
    )

    layout = SideLayout(root)
    dates = _today()
    ports = {name: _free_port() for name in scenario.servers}
    with ExitStack() as stack:
        server = stack.enter_context(ParityServer(render_script(scenario)))
        values = placeholder_values(layout, ports, server.base_url)
        prepare_side(layout, scenario, server.base_url, values)
        env = build_env(layout, scenario, None, values)
        argv = [*binary.argv, "app-server", *expand(scenario.args, values, "args")]
        stack.enter_context(background_servers(scenario, layout, ports, values, env))
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=layout.workspace,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        stderr_chunks: list[bytes] = []
        assert proc.stderr is not None
        err_thread = threading.Thread(
            target=lambda: stderr_chunks.append(proc.stderr.read() if proc.stderr else b""),
            daemon=True,
        )
        err_thread.start()
        transcript = drive(proc, list(scenario.client), dict(values), scenario.timeout_s)
        err_thread.join(5)
        duration = time.monotonic() - started
        _kill_group(proc)
        requests = tuple(
            RecordedCall(r.method, r.path, dict(r.headers), _decode_body(r.body))
            for r in server.requests
        )
    stderr = b"".join(stderr_chunks).decode("utf-8", "replace")
    if transcript.error:
        stderr += f"\n[parity client] {transcript.error}\n"
    run = RunRecord(
        argv=tuple(argv),
        exit_code=proc.returncode,
        timed_out=transcript.error is not None and "did not exit" in transcript.error,
        stdout="\n".join(transcript.lines) + ("\n" if transcript.lines else ""),
        stderr=stderr,
        duration_s=duration,
    )
    return SideResult(
        binary=binary,
        root=root,
        runs=(run,),
        requests=requests,
        workspace=snapshot_tree(layout.workspace),
        outside=snapshot_tree(layout.outside),
        dates=tuple(sorted(dates | _today())),
    )
