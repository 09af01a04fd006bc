"""The request handlers: initialize, threads, turns, config and models.

Each handler takes the parsed params (a generated pydantic model) and returns the result
as wire JSON, which the server validates against the method's generated response type
before sending. Errors are :class:`~pycodex.app_server.wire.RpcError` with codex's texts.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pycodex.app_server import identity
from pycodex.app_server.config_api import read_config, write_values
from pycodex.app_server.processor import (
    DEPRECATED_INCLUDE_TURNS,
    DEPRECATED_RESUME_TURNS,
    TurnForwarder,
    check_thread_id,
)
from pycodex.app_server.threads import LoadedThread, TurnRecord, stored_threads
from pycodex.app_server.turns import TurnRunner, turn_error
from pycodex.app_server.wire import invalid_request
from pycodex.client import TokenUsage
from pycodex.core.rollout import ResumedThread
from pycodex.errors import PycodexError

if TYPE_CHECKING:
    from pycodex.app_server.processor import AppServer
    from pycodex.config.model import Config

JsonObject = dict[str, Any]


# ferry: port-only -- the method name -> handler table of one server
def table(server: AppServer) -> dict[str, Callable[[Any], Any]]:
    h = Handlers(server)
    return {
        "initialize": h.initialize,
        "thread/start": h.thread_start,
        "thread/resume": h.thread_resume,
        "thread/fork": h.thread_fork,
        "thread/list": h.thread_list,
        "thread/read": h.thread_read,
        "thread/unsubscribe": h.thread_unsubscribe,
        "turn/start": h.turn_start,
        "turn/interrupt": h.turn_interrupt,
        "config/read": h.config_read,
        "config/value/write": h.config_value_write,
        "config/batchWrite": h.config_batch_write,
        "model/list": h.model_list,
    }


def _sandbox_wire(config: Config) -> JsonObject:
    sandbox = config.sandbox
    if sandbox.mode == "danger-full-access":
        return {"type": "dangerFullAccess"}
    if sandbox.mode == "workspace-write":
        return {
            "type": "workspaceWrite",
            "writableRoots": [str(r) for r in sandbox.writable_roots],
            "networkAccess": sandbox.network_access,
            "excludeTmpdirEnvVar": sandbox.exclude_tmpdir_env_var,
            "excludeSlashTmp": sandbox.exclude_slash_tmp,
        }
    return {"type": "readOnly", "networkAccess": False}


def _approval_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return "on-request"


def _read_state(thread_turns: list[str]) -> JsonObject | None:
    if not thread_turns:
        return None
    return {
        "firstUnread": {"type": "turn", "turnId": thread_turns[0]},
        "revision": str(uuid.uuid4()),
    }


# ferry: codex_app_server::codex_message_processor::CodexMessageProcessor @ 1d092cb66
class Handlers:
    """The methods of one :class:`~pycodex.app_server.processor.AppServer`."""

    def __init__(self, server: AppServer) -> None:
        self.server = server

    # ------------------------------------------------------------------ initialize
    # ferry: codex_app_server::message_processor::ConnectionSessionState::initialize @ 1d092cb66
    def initialize(self, params: Any) -> JsonObject:
        server = self.server
        if server.initialized:
            raise invalid_request("Already initialized")
        info = params.client_info
        server.client_name = info.name
        server.client_version = info.version
        server.initialized = True
        from pycodex.core.session import installation_id

        home = server.codex_home
        agent = identity.user_agent(info.name, f"{info.name}; {info.version}")
        server.user_agent = agent
        install = installation_id(home)
        server.after_response(
            lambda: server.notify(
                "remoteControl/status/changed",
                {
                    "status": "disabled",
                    "serverName": identity.server_name(),
                    "installationId": install,
                    "environmentId": None,
                },
            )
        )
        return {
            "userAgent": agent,
            "codexHome": str(home),
            "platformFamily": "unix",
            "platformOs": "linux",
        }

    # ------------------------------------------------------------------ threads
    def _config(self, params: Any, *, cwd: str | None = None) -> tuple[Config, dict[str, Any]]:
        from pycodex.config import ConfigOverrides, load_config
        from pycodex.config.loader import load_layers

        server = self.server
        overrides = list(server.cli_overrides)
        extra = getattr(params, "config", None) or {}
        for key, value in extra.items():
            overrides.append(f"{key}={json.dumps(value)}")
        sandbox = getattr(params, "sandbox", None)
        approval = _approval_of(getattr(params, "approval_policy", None))
        where = Path(cwd) if cwd else Path.cwd()
        try:
            config = load_config(
                ConfigOverrides(
                    model=getattr(params, "model", None),
                    sandbox_mode=sandbox.value if sandbox is not None else None,
                    approval_policy=approval,  # type: ignore[arg-type]
                    cwd=where,
                    cli_overrides=tuple(overrides),
                    enable=server.enable,
                    disable=server.disable,
                    ephemeral=bool(getattr(params, "ephemeral", False)),
                    default_approval_policy="on-request",
                ),
                home=server.codex_home,
            )
            table = load_layers(home=server.codex_home, cwd=config.cwd, overrides=overrides).table
        except PycodexError as exc:
            raise invalid_request(str(exc)) from exc
        base = getattr(params, "base_instructions", None)
        developer = getattr(params, "developer_instructions", None)
        if base is not None or developer is not None:
            config = replace(
                config,
                base_instructions=base if base is not None else config.base_instructions,
                developer_instructions=developer
                if developer is not None
                else config.developer_instructions,
            )
        return config, table

    def _start_session(
        self, config: Config, *, resumed: Any = None, fork: bool = False, warm: bool = False
    ) -> tuple[Any, Any]:
        """A session for a new thread, a resumed one (``resumed``) or a fork of it (``fork``;
        ``warm`` when the parent is held in memory rather than read back from disk)."""
        from pycodex.client import ModelClient, resolve_api_key
        from pycodex.core.session import Session, SessionSurface

        server = self.server
        try:
            api_key = resolve_api_key(config.model_provider, config.codex_home)
        except PycodexError as exc:
            raise invalid_request(str(exc)) from exc
        key = (repr(config.model_provider), api_key)
        client = server.clients.get(key)
        if client is None:  # one HTTP client per provider, shared by the threads using it
            client = ModelClient(
                config.model_provider,
                api_key,
                originator=server.client_name,
                agent=server.user_agent,
            )
            server.clients[key] = client
        forwarder = TurnForwarder()
        session = Session(
            config,
            client,
            _NullSink(),
            resumed=resumed,
            fork=fork,
            observer=forwarder,
            approvals=forwarder,
            surface=SessionSurface(
                thread_source=None,
                turn_trigger=None,
                originator=server.client_name,
                source="vscode",
                warm_fork=warm,
                usage_after_tool_calls=True,
            ),
        )
        session.start()
        return session, forwarder

    def _register(
        self,
        config: Config,
        table: dict[str, Any],
        session: Any,
        forwarder: Any,
        *,
        forked_from: str | None = None,
    ) -> LoadedThread:
        now = int(time.time())
        thread = LoadedThread(
            id=session.thread_id,
            session=session,
            config=config,
            originator=self.server.client_name,
            created_at=now,
            path=session.recorder.path,
            ephemeral=config.ephemeral,
            forked_from=forked_from,
            reasoning_effort=table.get("model_reasoning_effort"),
            updated_at=now,
            forwarder=forwarder,
        )
        self.server.threads[thread.id] = thread
        return thread

    def _thread_response(
        self,
        thread: LoadedThread,
        table: dict[str, Any],
        *,
        explicit_sandbox: bool,
        turns: list[JsonObject] | None = None,
    ) -> JsonObject:
        config = thread.config
        cwd = str(config.cwd)
        profile = None
        if not explicit_sandbox and "sandbox_mode" not in table:
            profile = {"id": ":read-only", "extends": None}
        return {
            "thread": thread.to_wire(turns=turns),
            "model": config.model,
            "modelProvider": config.model_provider.id,
            "serviceTier": None,
            "disabledPluginIds": [],
            "cwd": cwd,
            "runtimeWorkspaceRoots": [cwd],
            "instructionSources": _instruction_sources(config),
            "approvalPolicy": config.approval_policy,
            "approvalsReviewer": "user",
            "sandbox": _sandbox_wire(config),
            "activePermissionProfile": profile,
            "reasoningEffort": table.get("model_reasoning_effort"),
            "multiAgentMode": "explicitRequestOnly",
        }

    def _announce(self, thread: LoadedThread) -> None:
        server = self.server
        server.after_response(lambda: server.notify("thread/started", {"thread": thread.to_wire()}))
        for warning in thread.config.warnings:
            server.after_response(_warn(server, thread.id, warning))

    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::thread_start @ 1d092cb66 -- 0.169.0 response fields
    def thread_start(self, params: Any) -> JsonObject:
        config, table = self._config(params, cwd=params.cwd)
        session, forwarder = self._start_session(config)
        thread = self._register(config, table, session, forwarder)
        self._announce(thread)
        return self._thread_response(thread, table, explicit_sandbox=params.sandbox is not None)

    def _loaded(self, thread_id: str, *, missing: str = "thread not loaded") -> LoadedThread:
        check_thread_id(thread_id)
        thread = self.server.threads.get(thread_id)
        if thread is None:
            raise invalid_request(f"{missing}: {thread_id}")
        return thread

    def _turns_full(self, thread: LoadedThread) -> list[JsonObject]:
        return [t.to_wire("full") for t in thread.turns if t.status != "inProgress"]

    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::thread_resume @ 1d092cb66 -- 0.169.0: loaded threads
    def thread_resume(self, params: Any) -> JsonObject:
        server = self.server
        check_thread_id(params.thread_id)
        thread = server.threads.get(params.thread_id)
        if thread is None or thread.path is None or not thread.turns:
            if thread is None:
                thread = self._resume_stored(params.thread_id)
            else:
                raise invalid_request(f"no rollout found for thread id {params.thread_id}")
        thread.subscribed = True
        server.notify("deprecationNotice", {"summary": DEPRECATED_RESUME_TURNS, "details": None})
        _, table = self._config(params, cwd=str(thread.config.cwd))
        result = self._thread_response(
            thread, table, explicit_sandbox=False, turns=self._turns_full(thread)
        )
        result["collaborationMode"] = {
            "mode": "default",
            "settings": {
                "model": thread.config.model,
                "reasoning_effort": None,
                "developer_instructions": None,
            },
        }
        result["initialTurnsPage"] = None
        result["turnsBackwardsCursor"] = _cursor(
            thread.id, _event_ordinal(thread.path, "task_started", first=True), "turns"
        )
        result["itemsBackwardsCursor"] = _cursor(
            thread.id,
            _event_ordinal(thread.path, "item_completed", first=False),
            "itemsByCreatedAtOrdinal",
        )
        server.after_response(lambda: self._restored_usage(thread))
        server.after_response(lambda: server.notify("thread/goal/cleared", {"threadId": thread.id}))
        return result

    def _restored_usage(self, thread: LoadedThread, last_turn: str | None = None) -> None:
        """A resumed or forked thread starts by reporting the usage it has so far."""
        from pycodex.app_server.turns import _usage, model_context_window

        turn_id = last_turn or (thread.turns[-1].id if thread.turns else None)
        if turn_id is None:
            return
        session = thread.session
        self.server.notify(
            "thread/tokenUsage/updated",
            {
                "threadId": thread.id,
                "turnId": turn_id,
                "tokenUsage": {
                    "total": _usage(session.total_usage),
                    "last": _usage(session.last_usage or TokenUsage()),
                    "modelContextWindow": model_context_window(thread.config.model),
                },
            },
        )

    def _resume_stored(self, thread_id: str) -> LoadedThread:
        from pycodex.core.threads import ThreadStore

        store = ThreadStore(self.server.codex_home)
        path = store.rollout_for(thread_id)
        if path is None:
            raise invalid_request(f"no rollout found for thread id {thread_id}")
        try:
            resumed = store.load(path)
        except PycodexError as exc:
            raise invalid_request(str(exc)) from exc
        config, table = self._config(None, cwd=resumed.cwd)
        session, forwarder = self._start_session(config, resumed=resumed)
        thread = self._register(config, table, session, forwarder)
        thread.preview = resumed.first_user_message or ""
        return thread

    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::thread_fork @ 1d092cb66 -- 0.169.0 response fields
    def thread_fork(self, params: Any) -> JsonObject:
        server = self.server
        source = self._loaded(params.thread_id, missing="thread not found")
        config, table = self._config(params, cwd=str(source.config.cwd))
        parent = source.session
        inherited = ResumedThread(
            thread_id=source.id,
            path=source.path or Path(),
            history=[dict(item) for item in parent.history],
            base_instructions=parent.base_instructions,
            cwd=str(source.config.cwd),
            model_provider=source.config.model_provider.id,
            total_usage=parent.total_usage,
            last_usage=parent.last_usage,
            next_ordinal=parent.recorder.next_ordinal,
            first_user_message=source.preview or None,
        )
        session, forwarder = self._start_session(config, resumed=inherited, fork=True, warm=True)
        thread = self._register(config, table, session, forwarder, forked_from=source.id)
        thread.preview = source.preview
        thread.turns = [
            TurnRecord(
                id=t.id,
                status=t.status,
                items=list(t.items),
                error=t.error,
                started_at=t.started_at,
                completed_at=t.completed_at,
                duration_ms=t.duration_ms,
            )
            for t in source.turns
            if t.status != "inProgress"
        ]
        server.notify("deprecationNotice", {"summary": DEPRECATED_RESUME_TURNS, "details": None})
        server.after_response(lambda: self._restored_usage(thread))
        self._announce(thread)
        return self._thread_response(
            thread, table, explicit_sandbox=False, turns=self._turns_full(thread)
        )

    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::thread_list @ 1d092cb66 -- 0.169.0: read states and cursors
    def thread_list(self, params: Any) -> JsonObject:
        server = self.server
        entries: list[tuple[int, str, JsonObject, list[str]]] = []
        seen: set[str] = set()
        for thread in server.threads.values():
            if not thread.has_user_message() or thread.ephemeral:
                continue
            seen.add(thread.id)
            wire = thread.to_wire(can_accept_input=None)
            wire["forkedFromId"] = None
            entries.append((thread.created_at, thread.id, wire, [t.id for t in thread.turns]))
        for stored in stored_threads(server.codex_home):
            if stored.id in seen:
                continue
            entries.append(
                (
                    stored.created_at,
                    stored.id,
                    stored.to_wire(),
                    [stored.first_turn_id] if stored.first_turn_id else [],
                )
            )
        entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
        limit = getattr(params, "limit", None)
        if isinstance(limit, int) and limit > 0:
            entries = entries[:limit]
        read_states: JsonObject = {}
        for _, thread_id, _, turn_ids in entries:
            state = _read_state(turn_ids)
            if state is not None:
                read_states[thread_id] = state
        return {
            "data": [wire for _, _, wire, _ in entries],
            "readStates": read_states,
            "nextCursor": None,
            "backwardsCursor": _iso(max((e[0] for e in entries), default=0)) if entries else None,
        }

    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::thread_read @ 1d092cb66 -- 0.169.0: read state
    def thread_read(self, params: Any) -> JsonObject:
        thread = self._loaded(params.thread_id)
        include = bool(getattr(params, "include_turns", False))
        if include:
            self.server.notify(
                "deprecationNotice", {"summary": DEPRECATED_INCLUDE_TURNS, "details": None}
            )
        result: JsonObject = {
            "thread": thread.to_wire(turns=self._turns_full(thread) if include else []),
        }
        state = _read_state([t.id for t in thread.turns])
        if state is not None:
            result["readState"] = state
        return result

    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::thread_unsubscribe @ 1d092cb66
    def thread_unsubscribe(self, params: Any) -> JsonObject:
        check_thread_id(params.thread_id)
        thread = self.server.threads.get(params.thread_id)
        if thread is None:
            return {"status": "notLoaded"}
        thread.subscribed = False
        return {"status": "unsubscribed"}

    # ------------------------------------------------------------------ turns
    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::turn_start @ 1d092cb66 -- 0.169.0 response and notifications
    def turn_start(self, params: Any) -> JsonObject:
        from pycodex.core.rollout import uuid7

        server = self.server
        check_thread_id(params.thread_id)
        thread = server.threads.get(params.thread_id)
        if thread is None:
            raise invalid_request(f"thread not found: {params.thread_id}")
        if thread.active is not None:
            raise invalid_request("a turn is already running on this thread")
        prompt, images, content = _user_input(params.input, thread.config.cwd)
        turn = TurnRecord(id=uuid7())
        thread.turns.append(turn)
        if not thread.preview:
            thread.preview = prompt
        runner = TurnRunner(server, thread, turn)
        runner.release.set()
        thread.active = runner
        thread.forwarder.runner = runner
        user_item = {"type": "userMessage", "id": uuid7(), "clientId": None, "content": content}

        def run() -> None:
            try:
                runner.begin(user_item)
                outcome = thread.session.run_turn(prompt, images, turn_id=turn.id)
                if outcome.interrupted:
                    runner.finish("interrupted")
                elif outcome.error is not None:
                    runner.finish("failed", turn_error(outcome.exception, outcome.error))
                else:
                    runner.finish("completed")
            except Exception as exc:  # a crash must still end the turn for the client
                runner.release.set()
                runner.finish("failed", turn_error(None, str(exc)))
            finally:
                thread.active = None

        server.after_response(lambda: server.start_worker(run))
        return {"turn": turn.to_wire("notLoaded", with_times=False)}

    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::turn_interrupt @ 1d092cb66
    def turn_interrupt(self, params: Any) -> JsonObject:
        server = self.server
        check_thread_id(params.thread_id)
        thread = server.threads.get(params.thread_id)
        if thread is None:
            raise invalid_request(f"thread not found: {params.thread_id}")
        runner = thread.active
        if runner is None or runner.turn.id != params.turn_id:
            raise invalid_request("no active turn to interrupt")
        runner.release.clear()
        thread.session.interrupt()
        server.resolve_pending(thread.id)
        runner.stopped.wait(timeout=30)  # what the turn says before it ends precedes our answer
        server.after_response(runner.release.set)
        return {}

    # ------------------------------------------------------------------ config and models
    # ferry: codex_app_server::config_api::ConfigApi::read @ 1d092cb66
    def config_read(self, params: Any) -> JsonObject:
        return read_config(self.server.codex_home, bool(getattr(params, "include_layers", False)))

    # ferry: codex_app_server::config_api::ConfigApi::write_value @ 1d092cb66
    def config_value_write(self, params: Any) -> JsonObject:
        edit = {
            "keyPath": params.key_path,
            "value": params.value,
            "mergeStrategy": _strategy(params.merge_strategy),
        }
        return write_values(self.server.codex_home, [edit], getattr(params, "file_path", None))

    # ferry: codex_app_server::config_api::ConfigApi::batch_write @ 1d092cb66
    def config_batch_write(self, params: Any) -> JsonObject:
        edits = [
            {"keyPath": e.key_path, "value": e.value, "mergeStrategy": _strategy(e.merge_strategy)}
            for e in params.edits
        ]
        return write_values(self.server.codex_home, edits, getattr(params, "file_path", None))

    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::list_models @ 1d092cb66
    def model_list(self, params: Any) -> JsonObject:
        from pycodex.app_server.models import list_models

        return list_models(params)


def _warn(server: AppServer, thread_id: str, text: str) -> Callable[[], None]:
    return lambda: server.notify("warning", {"threadId": thread_id, "message": text})


class _NullSink:
    """exec's event stream: the app server reports through its observer instead."""

    def emit(self, event: JsonObject) -> None:
        return None


def _strategy(value: Any) -> str:
    return str(getattr(value, "value", value) or "replace")


def _cursor(thread_id: str, ordinal: int, scope: str) -> str:
    return json.dumps(
        {
            "requestedThreadId": thread_id,
            "rolloutOrdinal": ordinal,
            "includeAnchor": True,
            "scope": {"kind": scope},
        },
        separators=(",", ":"),
    )


def _event_ordinal(path: Path | None, kind: str, *, first: bool) -> int:
    """The ordinal of the first (or last) ``event_msg`` of ``kind`` in a rollout (0 if none)."""
    from pycodex.core.rollout import iter_rollout

    found: int | None = None
    if path is None or not path.exists():
        return 0
    for number, line in enumerate(iter_rollout(path)):
        payload = line.get("payload")
        if (
            line.get("type") == "event_msg"
            and isinstance(payload, dict)
            and payload.get("type") == kind
        ):
            ordinal = line.get("ordinal")
            found = ordinal if isinstance(ordinal, int) else number
            if first:
                break
    return found or 0


def _iso(epoch: int) -> str:
    import datetime as dt

    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _instruction_sources(config: Config) -> list[str]:
    from pycodex.prompt.agents_md import user_instructions

    found = user_instructions(
        config.codex_home,
        config.cwd,
        config.user_instructions_files,
        config.project_root_markers,
        config.project_doc_max_bytes,
    )
    paths = getattr(found, "paths", None)
    return [str(p) for p in paths] if paths else []


def _user_input(items: list[Any], cwd: Path) -> tuple[str, list[tuple[str, str]], list[JsonObject]]:
    """The prompt text, images (path, data URL) and the userMessage content of turn input."""
    from pycodex.images import image_data_url

    texts: list[str] = []
    images: list[tuple[str, str]] = []
    content: list[JsonObject] = []
    for item in items:
        kind = getattr(item, "type", None)
        if kind == "text":
            texts.append(item.text)
            content.append({"type": "text", "text": item.text, "text_elements": []})
        elif kind == "localImage":
            path = Path(item.path)
            try:
                images.append(
                    (item.path, image_data_url(path if path.is_absolute() else cwd / path))
                )
            except (OSError, ValueError) as exc:
                raise invalid_request(f"failed to read image {item.path}: {exc}") from exc
            content.append({"type": "localImage", "path": item.path, "detail": None})
        elif kind == "image" and getattr(item, "url", None):
            images.append((item.url, item.url))
            content.append({"type": "image", "url": item.url, "detail": None})
        else:
            content.append(item.model_dump(mode="json", by_alias=True))
    return "\n".join(texts), images, content
