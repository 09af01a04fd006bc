"""The session worker: one thread owns the :class:`~pycodex.core.session.Session` and runs
the UI's requests (turns, compaction, new/resume/fork) one after another.

Everything the session reports reaches the UI as :mod:`pycodex.tui.events` values through
``post`` (the app's thread-safe ``post_message``). Approvals block the worker on a
``Future`` the UI resolves; an interrupt resolves pending approvals with ``cancel`` and
stops the turn through :meth:`Session.interrupt`. Nothing here imports Textual.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pycodex.tui import events as ev
from pycodex.tui.text import strip_bash_lc

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pycodex.client import TokenUsage
    from pycodex.config import Config
    from pycodex.core.observer import PatchChange
    from pycodex.core.rollout import ResumedThread
    from pycodex.core.session import Session
    from pycodex.core.state.store import StateStore
    from pycodex.core.threads import ThreadStore

Post = Callable[[ev.UiEvent], None]

#: the decisions that let a command or patch go ahead.
ACCEPTED = ("accept", "acceptForSession", "acceptWithExecpolicyAmendment")


# ferry: codex_tui::resume_picker::SessionTarget @ 1d092cb66
@dataclass(frozen=True)
class ThreadChoice:
    """Which saved thread to open: by id or name, by rollout path (the picker), or the latest."""

    ref: str | None = None
    path: Path | None = None
    last: bool = False
    all_dirs: bool = False
    fork: bool = False
    #: ``--last`` considers exec sessions too (codex's ``--include-non-interactive``)
    include_non_interactive: bool = False


# ferry: codex_tui::app_server_session::AppServerSession @ 1d092cb66 -- in-process: the session runs on a worker thread
class SessionBackend:
    """The UI's handle on the session core."""

    def __init__(self, params: Mapping[str, Any], post: Post) -> None:
        #: the command line's flags (see :func:`pycodex.tui.settings.config_overrides`)
        self.params = params
        self._post = post
        self.history_persistence = True
        #: no session has started yet: a configuration error ends the UI
        self.first_start = True
        self.session: Session | None = None
        self.config: Config | None = None
        self.store: StateStore | None = None
        self.threads: ThreadStore | None = None
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="pycodex-session", daemon=True)
        self._pending: list[Future[str]] = []
        self._lock = threading.Lock()
        self._busy = threading.Event()
        #: commands (argv) and files approved "for this session"
        self.session_commands: set[tuple[str, ...]] = set()
        self.session_files: set[str] = set()
        #: usage of every session this UI ran, for the exit summary
        self.closed_usage: list[TokenUsage] = []

    # ------------------------------------------------------------------ lifecycle

    # ferry: codex_tui::app::App::run @ 1d092cb66
    def start(self, choice: ThreadChoice | None = None) -> None:
        self._thread.start()
        self._jobs.put(lambda: self._open(choice))

    # ferry: codex_tui::app::thread_routing::App::shutdown_current_thread @ 1d092cb66
    def close(self, timeout: float = 5.0) -> None:
        """Stop the running turn, close the session and end the worker."""
        self.interrupt()
        self._jobs.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)
        session = self.session
        if session is not None and not self._thread.is_alive():
            self._close_session()
        if self.store is not None and not self._thread.is_alive():
            self.store.close()
            self.store = None

    # ferry: codex_tui::bottom_pane::BottomPane::is_task_running @ 1d092cb66
    @property
    def busy(self) -> bool:
        """A turn (or compaction, or session switch) is running."""
        return self._busy.is_set()

    # ferry: port-only -- accessor: the running session's thread id
    @property
    def thread_id(self) -> str | None:
        return self.session.thread_id if self.session is not None else None

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            self._busy.set()
            try:
                job()
            except Exception as exc:  # the UI must survive a failing job: say what happened
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                self._post(ev.ErrorMessage(detail))
            finally:
                if self._jobs.empty():
                    self._busy.clear()
        self._close_session()
        if self.store is not None:
            self.store.close()
            self.store = None

    # ------------------------------------------------------------------ requests (UI thread)

    # ferry: codex_tui::chatwidget::ChatWidget::submit_user_message @ 1d092cb66
    def submit(self, prompt: str, images: Sequence[Path] = ()) -> None:
        self._busy.set()
        self._jobs.put(lambda: self._turn(prompt, list(images)))

    # ferry: codex_core::session::handlers::interrupt @ 1d092cb66
    def interrupt(self) -> None:
        """Stop the turn: pending approvals are cancelled, the session stops at its next step."""
        with self._lock:
            pending, self._pending = self._pending, []
        for future in pending:
            if not future.done():
                future.set_result("cancel")
        session = self.session
        if session is not None and self.busy:
            session.interrupt()

    # ferry: codex_tui::app::event_dispatch::App::handle_event @ 1d092cb66 -- AppEvent::NewSession
    def new_session(self) -> None:
        self._busy.set()
        self._jobs.put(lambda: self._switch(None))

    # ferry: codex_tui::app::event_dispatch::App::handle_event @ 1d092cb66 -- AppEvent::ResumeSession
    def resume(self, choice: ThreadChoice) -> None:
        self._busy.set()
        self._jobs.put(lambda: self._switch(choice))

    # ferry: codex_tui::app::event_dispatch::App::handle_event @ 1d092cb66 -- AppEvent::ForkCurrentSession
    def fork_current(self) -> None:
        session = self.session
        path = session.recorder.path if session is not None else None
        if path is None:
            self._post(ev.ErrorMessage("This session has no rollout to fork (--ephemeral)."))
            return
        self._busy.set()
        self._jobs.put(lambda: self._switch(ThreadChoice(path=path, fork=True)))

    # ferry: codex_tui::chatwidget::slash_dispatch::ChatWidget::dispatch_command @ 1d092cb66 -- SlashCommand::Compact
    def compact(self) -> None:
        self._busy.set()
        self._jobs.put(self._compact)

    # ferry: codex_tui::app::event_dispatch::App::handle_event @ 1d092cb66 -- AppEvent::UpdateModel / UpdatePermissions
    def update_settings(self, **changes: str | None) -> None:
        """Apply a model or permissions change before the next turn."""
        self._jobs.put(lambda: self._update(changes))

    # ------------------------------------------------------------------ approvals (worker thread)

    def _ask(self, request: Callable[[Future[str]], ev.UiEvent]) -> str:
        from concurrent.futures import Future

        future: Future[str] = Future()
        with self._lock:
            self._pending.append(future)
        self._post(request(future))
        try:
            return future.result()
        finally:
            with self._lock:
                if future in self._pending:
                    self._pending.remove(future)

    # ferry: codex_core::session::Session::request_command_approval @ 1d092cb66
    def approve_command(
        self,
        call_id: str,
        argv: Sequence[str],
        command: str,
        cwd: Path,
        reason: str | None,
        amendment: Sequence[str] | None,
    ) -> str:
        key = tuple(argv)
        if key in self.session_commands:
            return "accept"
        decision = self._ask(
            lambda answer: ev.CommandApprovalRequest(
                strip_bash_lc(argv),
                cwd,
                reason,
                tuple(amendment) if amendment else None,
                answer,
            )
        )
        if decision == "acceptForSession":
            self.session_commands.add(key)
        if decision == "cancel" and self.session is not None:
            self.session.interrupt()  # codex: Abort interrupts the turn
        return decision

    # ferry: codex_core::session::Session::request_patch_approval @ 1d092cb66
    def approve_patch(
        self, call_id: str, changes: Sequence[PatchChange], reason: str | None
    ) -> str:
        from pycodex.tui.bridge import file_diff

        cwd = self.config.cwd if self.config is not None else None
        files = tuple(file_diff(c, cwd) for c in changes)
        paths = {f.path for f in files}
        if paths and paths <= self.session_files:
            return "accept"
        where = cwd if cwd is not None else Path.cwd()
        decision = self._ask(lambda answer: ev.PatchApprovalRequest(files, where, reason, answer))
        if decision == "acceptForSession":
            self.session_files |= paths
        if decision == "cancel" and self.session is not None:
            self.session.interrupt()
        return decision

    # ------------------------------------------------------------------ jobs (worker thread)

    def _open(self, choice: ThreadChoice | None) -> None:
        from pycodex.core.session import Session, SessionSurface
        from pycodex.core.threads import StateHooks
        from pycodex.errors import PycodexError
        from pycodex.tui.settings import load_settings

        try:
            settings = load_settings(self.params)
            config = settings.config
            self.history_persistence = settings.save_history
            self._ensure_store(config)
            assert self.threads is not None
            resumed = self._resolve(choice, config) if choice is not None else None
            client = _model_client(config)
        except PycodexError as exc:
            self._post(ev.SessionFailed(str(exc), fatal=self.first_start))
            return
        self.first_start = False
        hooks = None
        if self.store is not None:
            preview = resumed.first_user_message if _choice_is_fork(choice) and resumed else None
            hooks = StateHooks(self.store, preview=preview, source="cli", originator="codex-tui")
        from pycodex.tui.bridge import UiObserver, UiSink

        sink = UiSink(self._post)
        session = Session(
            config,
            client,
            sink,
            resumed=resumed,
            fork=_choice_is_fork(choice),
            hooks=hooks,
            observer=UiObserver(self._post, config.cwd),
            approvals=self,
            surface=SessionSurface(
                thread_source="user", turn_trigger="user", originator="codex-tui", source="cli"
            ),
        )
        self.config = config
        self.session = session
        self.session_commands.clear()
        self.session_files.clear()
        session.start()
        last = session.last_usage
        self._post(
            ev.SessionReady(
                thread_id=session.thread_id,
                model=config.model,
                reasoning_effort=config.effective_reasoning_effort,
                cwd=config.cwd,
                sandbox=config.sandbox.mode,
                approval=config.approval_policy,
                rollout_path=session.recorder.path,
                transcript=transcript(resumed.history) if resumed is not None else (),
                context_window=session.model.model_context_window,
                tokens_in_window=last.total_tokens if last is not None else 0,
                total_tokens=session.total_usage.total_tokens,
            )
        )

    def _ensure_store(self, config: Config) -> None:
        from pycodex.core.state.store import open_store, sqlite_home
        from pycodex.core.threads import ThreadStore

        if self.threads is not None:
            return
        if not config.ephemeral:
            self.store, problem = open_store(sqlite_home(config.codex_home, config.sqlite_home))
            if problem is not None:
                self._post(
                    ev.InfoMessage(f"state database unavailable, using rollouts only: {problem}")
                )
        self.threads = ThreadStore(config.codex_home, self.store)

    def _resolve(self, choice: ThreadChoice, config: Config) -> ResumedThread | None:
        assert self.threads is not None
        if choice.path is not None:
            return self.threads.load(choice.path)
        if choice.last and not choice.include_non_interactive and self.store is not None:
            from pycodex.tui.sessions import INTERACTIVE_SOURCES

            cwd = None if choice.all_dirs else str(config.cwd)
            row = self.store.latest_thread(cwd=cwd, sources=INTERACTIVE_SOURCES)
            if row is None or not Path(row.rollout_path).is_file():
                return None  # nothing to continue: a new session starts, as codex does
            return self.threads.load(Path(row.rollout_path))
        return self.threads.resolve(
            choice.ref,
            last=choice.last,
            cwd=None if choice.all_dirs else config.cwd,
            verb="fork" if choice.fork else "resume",
        )

    def _close_session(self) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        self.closed_usage.append(session.total_usage)
        session.close()

    def _switch(self, choice: ThreadChoice | None) -> None:
        self._close_session()
        self._open(choice)

    def _turn(self, prompt: str, images: list[Path]) -> None:
        session = self.session
        if session is None:
            self._post(ev.ErrorMessage("The session is not running; start one with /new."))
            return
        from pycodex.images import ImageError, load_image

        # checked here so the UI can say so before the turn; the session reads them again
        loaded: list[tuple[str, Path]] = []
        for path in images:
            try:
                load_image(path)
                loaded.append((str(path), path))
            except ImageError as exc:
                self._post(ev.ErrorMessage(f"failed to read image {path}: {exc}"))
                return
        if self.history_persistence and self.config is not None and not self.config.ephemeral:
            from pycodex.tui.history import append_entry

            try:
                append_entry(self.config.codex_home, session.thread_id, prompt)
            except OSError as exc:
                self._post(ev.InfoMessage(f"could not save prompt history: {exc.strerror}"))
        self._post(ev.TurnStarted(prompt))
        started = time.monotonic()
        outcome = session.run_turn(prompt, loaded)
        self._post(
            ev.TurnFinished(
                outcome.last_message,
                outcome.error,
                outcome.interrupted,
                time.monotonic() - started,
            )
        )

    def _compact(self) -> None:
        session = self.session
        if session is None:
            return
        self._post(ev.TurnStarted(""))
        started = time.monotonic()
        outcome = session.compact()
        self._post(ev.TurnFinished(None, outcome.error, False, time.monotonic() - started))

    def _update(self, changes: dict[str, str | None]) -> None:
        session = self.session
        if session is None:
            return
        session.update_settings(
            model=changes.get("model"),
            reasoning_effort=changes.get("reasoning_effort"),
            sandbox_mode=changes.get("sandbox_mode"),
            approval_policy=changes.get("approval_policy"),
        )
        self.config = session.config


def _choice_is_fork(choice: ThreadChoice | None) -> bool:
    return choice is not None and choice.fork


def _model_client(config: Config) -> Any:
    """The model client for ``config`` (ChatGPT sign-in switches OpenAI to its Codex endpoint)."""
    from pycodex.client import ModelClient, resolve_credentials

    credentials = resolve_credentials(config.model_provider, config.codex_home)
    provider = config.model_provider
    if credentials is not None and credentials.mode == "chatgpt" and provider.id == "openai":
        from pycodex.auth.credentials import CHATGPT_CODEX_BASE_URL

        if provider.base_url == "https://api.openai.com/v1":
            provider = replace(provider, base_url=CHATGPT_CODEX_BASE_URL)
    return ModelClient(
        provider,
        credentials.bearer if credentials is not None else None,
        auth_headers=dict(credentials.headers) if credentials is not None else None,
    )


# ferry: codex_tui::chatwidget::ChatWidget::replay_initial_messages @ 1d092cb66
def transcript(history: Sequence[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    """The user and assistant messages of a saved thread (context fragments left out)."""
    from pycodex.core.compaction import user_message_text

    out: list[tuple[str, str]] = []
    for item in history:
        if item.get("type") != "message":
            continue
        role = item.get("role")
        if role == "user":
            text = user_message_text(item)
            if text is not None:
                out.append(("user", text))
        elif role == "assistant":
            text = "".join(
                str(part.get("text", ""))
                for part in item.get("content") or []
                if isinstance(part, dict) and part.get("type") == "output_text"
            )
            if text:
                out.append(("assistant", text))
    return tuple(out)
