"""The Textual application: transcript above, composer and status line below.

The session runs on :class:`~pycodex.tui.backend.SessionBackend`'s worker thread; its
events arrive here as :class:`BackendEvent` messages and become history cells.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static, TextArea

from pycodex import UPSTREAM_VERSION, __version__
from pycodex.tui import cells, slash
from pycodex.tui import events as ev
from pycodex.tui.backend import SessionBackend, ThreadChoice
from pycodex.tui.bottom import Choice, Composer, Popup, SelectionView
from pycodex.tui.history import ComposerHistory
from pycodex.tui.status import StatusSnapshot, agents_md_files, status_card, status_line
from pycodex.tui.text import PROMPT, exec_snippet

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pycodex.tui.sessions import SavedThread

INTERRUPTED = "Conversation interrupted - tell the model what to do differently."
SHORTCUTS = (
    ("/", "commands"),
    ("@", "mention files"),
    ("enter", "send message"),
    ("ctrl + j", "new line"),
    ("↑ / ↓", "earlier prompts"),
    ("esc", "interrupt a running turn"),
    ("ctrl + c", "interrupt / clear / quit"),
    ("ctrl + d", "quit (empty prompt)"),
)
#: the models the ``/model`` picker offers (codex 0.169.0's catalog, newest first).
MODEL_CHOICES = (
    ("gpt-6.1-sol", "GPT-6.1 Sol"),
    ("gpt-6-astra", "Frontier intelligence for the most demanding work."),
    ("gpt-6-sol", "Previous generation workhorse model."),
    ("gpt-6-luna", "Fast and affordable model for easier tasks."),
    ("gpt-5.6-sol", "Older generation workhorse model."),
    ("gpt-6.1-terra", "GPT-6.1 Terra Codex model."),
    ("gpt-5.6-terra", "Older balanced model for straightforward work."),
    ("gpt-5.6-luna", "Older fast and efficient model."),
    ("gpt-5.5", "Legacy coding model."),
)
EFFORTS = ("low", "medium", "high", "xhigh")
#: /permissions presets: (label, sandbox, approval, description), codex 0.169.0's wording.
PERMISSION_PRESETS = (
    (
        "Read Only",
        "read-only",
        "on-request",
        "Read workspace files, with approval required for edits or internet access",
    ),
    (
        "Ask for approval",
        "workspace-write",
        "on-request",
        "Read and edit workspace files and run commands, with approval required for "
        "internet access or edits outside the workspace",
    ),
    (
        "Full Access",
        "danger-full-access",
        "never",
        "Use with caution: Codex can edit files outside this workspace and access the "
        "internet without approval",
    ),
)


# ferry: codex_tui::cli::Cli @ 1d092cb66 -- what the command line hands the UI
@dataclass(frozen=True)
class TuiOptions:
    #: the command line's flags (config overrides), resolved on the worker
    params: Mapping[str, Any]
    cwd: Path
    prompt: str | None = None
    images: tuple[Path, ...] = ()
    choice: ThreadChoice | None = None
    #: open the resume (or fork) picker before the session starts
    picker: str | None = None
    picker_all: bool = False
    include_non_interactive: bool = False


# ferry: codex_tui::app::AppExitInfo @ 1d092cb66
@dataclass
class ExitInfo:
    thread_id: str | None = None
    total_tokens: int = 0
    usage: Any = None
    error: str | None = None


# ferry: codex_tui::chatwidget::ChatWidget::handle_codex_event @ 1d092cb66
class BackendEvent(Message):
    """A session event crossing from the worker thread."""

    def __init__(self, event: ev.UiEvent) -> None:
        super().__init__()
        self.event = event


@dataclass
class _Status:
    model: str = ""
    effort: str | None = None
    sandbox: str = ""
    approval: str = ""
    thread_id: str | None = None
    rollout: Path | None = None
    context_window: int = 0
    tokens_in_window: int = 0
    total_tokens: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    ready: bool = False


@dataclass
class _Approval:
    request: ev.CommandApprovalRequest | ev.PatchApprovalRequest
    view: SelectionView | None = None


@dataclass
class _Turn:
    started: float
    agent: cells.AgentCell | None = None
    commands: dict[str, cells.ExecCell] = field(default_factory=dict)
    interrupted: bool = False


# ferry: codex_tui::app::App @ 1d092cb66
class CodexApp(App[None]):
    """pycodex's interactive UI."""

    ENABLE_COMMAND_PALETTE = False
    TITLE = "pycodex"
    CSS = """
    Screen { layout: vertical; }
    Screen:inline { border: none; }
    #transcript { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    #transcript > .user { background: $boost; padding: 0 1; margin: 1 0 0 0; }
    #working { height: auto; padding: 0 1; display: none; }
    #working.-busy { display: block; }
    #bottom { height: auto; padding: 0 1; }
    #input-row { height: auto; layout: horizontal; margin: 1 0 0 0; }
    #prompt-mark { width: 2; text-style: bold; }
    #shortcuts { height: auto; display: none; padding: 0 2; }
    #shortcuts.-open { display: block; }
    #status-line {
        height: 1; padding: 0 0 0 2; color: $text-muted; margin: 1 0 0 0;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    #hint { height: 1; padding: 0 0 0 2; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "ctrl_c", show=False, priority=True),
        Binding("ctrl+d", "ctrl_d", show=False, priority=True),
        Binding("escape", "interrupt", show=False),
    ]

    def __init__(self, options: TuiOptions) -> None:
        super().__init__()
        self.options = options
        self.status = _Status()
        self.exit_info = ExitInfo()
        self.backend: SessionBackend | None = None
        self.history = ComposerHistory()
        self.popup = Popup()
        self.composer = Composer(self.popup, self.history, options.cwd)
        self.turn: _Turn | None = None
        self.approvals: list[_Approval] = []
        self.selection: SelectionView | None = None
        self.queued: list[tuple[str, list[Path]]] = []
        self._pending_prompt: tuple[str, list[Path]] | None = (
            (options.prompt, list(options.images)) if options.prompt else None
        )
        self._flush_scheduled = False
        self._quit_hint_until = 0.0
        self.pending_model: str | None = None

    # ------------------------------------------------------------------ layout

    # ferry: port-only -- Textual glue: the layout (transcript, working line, bottom pane)
    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="transcript")
        yield Static("", id="working")
        with Vertical(id="bottom"):
            yield self.popup
            yield Static(self._shortcuts_text(), id="shortcuts")
            with Horizontal(id="input-row"):
                yield Static(PROMPT, id="prompt-mark")
                yield self.composer
            yield Static("starting…", id="status-line")
            yield Static("? for shortcuts", id="hint")

    # ferry: codex_tui::app::App::run @ 1d092cb66
    def on_mount(self) -> None:
        self.transcript.mount(
            cells.header_cell(__version__, UPSTREAM_VERSION, str(self.options.cwd))
        )
        self.composer.focus()
        self.set_interval(1.0, self._tick)
        self.call_after_refresh(self._begin)

    def _begin(self) -> None:
        """After the first frame: load prompt history, then pick or start the session."""
        self._load_history()
        if self.options.picker is not None:
            self._open_picker(startup=True)
        else:
            self._start_backend(self.options.choice)

    @work(thread=True, exclusive=True, group="history")
    def _load_history(self) -> None:
        from pycodex.config.loader import codex_home
        from pycodex.tui.history import load_entries

        entries = [e.text for e in load_entries(codex_home())]
        self.call_from_thread(self._set_history, entries)

    def _set_history(self, entries: list[str]) -> None:
        self.history.persistent = entries

    def _start_backend(self, choice: ThreadChoice | None) -> None:
        self.backend = SessionBackend(self.options.params, self._post_backend)
        self.backend.start(choice)

    def _post_backend(self, event: ev.UiEvent) -> None:
        self.post_message(BackendEvent(event))

    # ferry: port-only -- Textual glue: the scrolling transcript container
    @property
    def transcript(self) -> VerticalScroll:
        return self.query_one("#transcript", VerticalScroll)

    # ferry: codex_tui::chatwidget::ChatWidget::add_to_history @ 1d092cb66
    def add_cell(self, cell: Widget) -> None:
        self.transcript.mount(cell)
        self.transcript.scroll_end(animate=False)

    # ferry: port-only -- test support: the transcript as plain text, one cell per block
    def transcript_text(self) -> str:
        blocks = []
        for child in self.transcript.children:
            plain = getattr(child, "plain", None)
            if callable(plain):
                blocks.append(str(plain()))
        return "\n\n".join(blocks)

    # ------------------------------------------------------------------ status

    def _snapshot(self) -> StatusSnapshot:
        config = self.backend.config if self.backend is not None else None
        return StatusSnapshot(
            model=self.status.model,
            reasoning_effort=self.status.effort,
            # codex's card shows the configured summary mode, `auto` when unset
            reasoning_summary=(config.model_reasoning_summary or "auto")
            if config is not None
            else None,
            provider=config.model_provider.id if config is not None else "",
            cwd=config.cwd if config is not None else self.options.cwd,
            sandbox=self.status.sandbox,
            approval=self.status.approval,
            thread_id=self.status.thread_id,
            total_tokens=self.status.total_tokens,
            input_tokens=self.status.input_tokens,
            output_tokens=self.status.output_tokens,
            cached_input_tokens=self.status.cached_input_tokens,
            tokens_in_window=self.status.tokens_in_window,
            context_window=self.status.context_window,
            agents_md=agents_md_files(
                config.cwd, config.user_instructions_files, config.project_root_markers
            )
            if config is not None
            else (),
        )

    def _refresh_status(self) -> None:
        if self.status.ready:
            line = status_line(replace(self._snapshot(), agents_md=()))
            shown = Text(line, no_wrap=True, overflow="ellipsis")
            self.query_one("#status-line", Static).update(shown)

    def _tick(self) -> None:
        try:
            working = self.query_one("#working", Static)
        except NoMatches:  # the app is shutting down
            return
        if self.turn is not None and not self.turn.interrupted and not self.approvals:
            elapsed = int(time.monotonic() - self.turn.started)
            working.update(
                Text.assemble(
                    ("◦ ", "bold"), ("Working", "bold"), f" ({elapsed}s • esc to interrupt)"
                )
            )
            working.add_class("-busy")
        else:
            working.remove_class("-busy")
        if self._quit_hint_until and time.monotonic() > self._quit_hint_until:
            self._quit_hint_until = 0.0
            self.query_one("#hint", Static).update("? for shortcuts")

    def _shortcuts_text(self) -> Text:
        text = Text()
        for key, what in SHORTCUTS:
            text.append(f"{key:<12}", style="bold")
            text.append(what + "\n", style="dim")
        text.rstrip()
        return text

    # ------------------------------------------------------------------ backend events

    # ferry: codex_tui::chatwidget::ChatWidget::handle_codex_event @ 1d092cb66
    def on_backend_event(self, message: BackendEvent) -> None:
        event = message.event
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is None:
            return
        try:
            handler(event)
        except NoMatches:  # a late event while the app shuts down: nothing left to draw on
            if self.is_running and not self._exit_requested():
                raise

    def _exit_requested(self) -> bool:
        return self.return_code is not None

    def _on_SessionReady(self, event: ev.SessionReady) -> None:
        self.status = _Status(
            model=event.model,
            effort=event.reasoning_effort,
            sandbox=event.sandbox,
            approval=event.approval,
            thread_id=event.thread_id,
            rollout=event.rollout_path,
            context_window=event.context_window,
            tokens_in_window=event.tokens_in_window,
            total_tokens=event.total_tokens,
            ready=True,
        )
        self.exit_info.thread_id = event.thread_id
        for role, text in event.transcript:
            if role == "user":
                self.add_cell(cells.user_cell(text))
            else:
                cell = cells.AgentCell(text)
                self.add_cell(cell)
        self._refresh_status()
        if self._pending_prompt is not None:
            prompt, images = self._pending_prompt
            self._pending_prompt = None
            self._send(prompt, images)
        elif self.queued:
            self._send(*self.queued.pop(0))

    def _on_SessionFailed(self, event: ev.SessionFailed) -> None:
        if event.fatal:  # e.g. a bad config.toml: the UI ends with the error, exit code 1
            self.exit_info.error = event.message
            self.exit(return_code=1)
            return
        self.status.ready = False
        self.add_cell(cells.error_cell(event.message))
        self.query_one("#status-line", Static).update("no session: " + event.message)

    def _on_TurnStarted(self, event: ev.TurnStarted) -> None:
        self.turn = _Turn(started=time.monotonic())
        self._tick()

    def _live(self) -> _Turn | None:
        """The running turn, unless the user interrupted it (its late events are dropped)."""
        turn = self.turn
        return turn if turn is not None and not turn.interrupted else None

    def _on_AgentDelta(self, event: ev.AgentDelta) -> None:
        turn = self._live()
        if turn is None:
            return
        if turn.agent is None:
            turn.agent = cells.AgentCell()
            self.add_cell(turn.agent)
        turn.agent.append(event.delta)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.set_timer(0.05, self._flush_agent)

    def _flush_agent(self) -> None:
        self._flush_scheduled = False
        turn = self.turn
        if turn is not None and turn.agent is not None:
            turn.agent.flush()
            self.transcript.scroll_end(animate=False)

    def _on_AgentMessage(self, event: ev.AgentMessage) -> None:
        turn = self._live()
        if turn is None:
            return
        if turn.agent is None:
            self.add_cell(cells.AgentCell(event.text))
        else:
            turn.agent.finish(event.text)
            turn.agent = None
        self.transcript.scroll_end(animate=False)

    def _on_Reasoning(self, event: ev.Reasoning) -> None:
        if self._live() is not None:
            text = Text()
            text.append("• ", style="dim")
            text.append(event.text, style="dim italic")
            self.add_cell(cells.HistoryCell(text, classes="reasoning"))

    def _on_CommandStarted(self, event: ev.CommandStarted) -> None:
        turn = self._live()
        if turn is None:
            return
        self._close_agent(turn)
        cell = cells.ExecCell(event.command)
        turn.commands[event.item_id] = cell
        self.add_cell(cell)

    def _on_CommandFinished(self, event: ev.CommandFinished) -> None:
        turn = self._live()
        if turn is None:
            return
        cell = turn.commands.pop(event.item_id, None)
        if cell is None:
            cell = cells.ExecCell(event.command)
            self.add_cell(cell)
        cell.finish(event.output, event.exit_code)
        self.transcript.scroll_end(animate=False)

    def _on_PatchApplied(self, event: ev.PatchApplied) -> None:
        turn = self._live()
        if turn is None:
            return
        self._close_agent(turn)
        self.add_cell(cells.patch_cell(event.files, event.status))

    def _close_agent(self, turn: _Turn) -> None:
        if turn.agent is not None:
            turn.agent.flush()
            turn.agent = None

    def _on_TokensUpdated(self, event: ev.TokensUpdated) -> None:
        self.status.total_tokens = event.total_tokens
        self.status.input_tokens = event.input_tokens
        self.status.output_tokens = event.output_tokens
        self.status.cached_input_tokens = event.cached_input_tokens
        self.status.tokens_in_window = event.tokens_in_window
        self._refresh_status()

    def _on_ErrorMessage(self, event: ev.ErrorMessage) -> None:
        if self.turn is None or not self.turn.interrupted:
            self.add_cell(cells.error_cell(event.message))

    def _on_InfoMessage(self, event: ev.InfoMessage) -> None:
        self.add_cell(cells.info_cell(event.message))

    def _on_ContextCompacted(self, event: ev.ContextCompacted) -> None:
        self.add_cell(cells.info_cell("Context compacted"))

    def _on_TurnFinished(self, event: ev.TurnFinished) -> None:
        turn, self.turn = self.turn, None
        if turn is not None and turn.agent is not None and not turn.interrupted:
            turn.agent.flush()
        if event.interrupted and (turn is None or not turn.interrupted):
            self.add_cell(cells.error_cell(INTERRUPTED))
        self._tick()
        if self.backend is not None and self.backend.session is not None:
            session = self.backend.session
            self.exit_info.usage = session.total_usage
        if self.queued:
            self._send(*self.queued.pop(0))

    def _on_CommandApprovalRequest(self, event: ev.CommandApprovalRequest) -> None:
        self._queue_approval(_Approval(event))

    def _on_PatchApprovalRequest(self, event: ev.PatchApprovalRequest) -> None:
        self._queue_approval(_Approval(event))

    # ------------------------------------------------------------------ approvals

    def _queue_approval(self, approval: _Approval) -> None:
        self.approvals.append(approval)
        if self.selection is None:
            self._show_next_approval()
        self._tick()

    # ferry: codex_tui::bottom_pane::approval_overlay::ApprovalOverlay::new @ 1d092cb66
    def _show_next_approval(self) -> None:
        while self.approvals and self.approvals[0].request.answer.done():
            self.approvals.pop(0)  # cancelled by an interrupt before it was shown
        if not self.approvals:
            return
        approval = self.approvals[0]
        request = approval.request
        title = Text()
        if isinstance(request, ev.CommandApprovalRequest):
            title.append("Would you like to run the following command?", style="bold")
            if request.reason:
                title.append(f"\n\nReason: {request.reason}")
            title.append("\n\n$ ", style="dim")
            title.append(request.command)
            choices = [Choice("Yes, proceed", "accept", shortcut="y")]
            if request.amendment and "\n" not in " ".join(request.amendment):
                prefix = " ".join(request.amendment)
                choices.append(
                    Choice(
                        f"Yes, and don't ask again for commands that start with `{prefix}`",
                        "acceptWithExecpolicyAmendment",
                        shortcut="p",
                    )
                )
            choices.append(
                Choice("No, and tell Codex what to do differently", "cancel", shortcut="esc")
            )
            purpose = "approval-command"
        else:
            title.append("Would you like to make the following edits?", style="bold")
            if request.reason:
                title.append(f"\n\nReason: {request.reason}")
            title.append("\n\n")
            title.append_text(cells.diff_summary(request.files))
            choices = [
                Choice("Yes, proceed", "accept", shortcut="y"),
                Choice(
                    "Yes, and don't ask again for these files", "acceptForSession", shortcut="a"
                ),
                Choice("No, and tell Codex what to do differently", "cancel", shortcut="esc"),
            ]
            purpose = "approval-patch"
        view = SelectionView(title, choices, purpose=purpose, cancel_value="cancel")
        approval.view = view
        self._open_selection(view)

    def _open_selection(self, view: SelectionView) -> None:
        self.selection = view
        self.popup.close()
        self.query_one("#input-row").display = False
        self.query_one("#bottom").mount(view, before=0)
        view.focus()

    def _close_selection(self) -> None:
        view, self.selection = self.selection, None
        if view is not None:
            view.remove()
        self.query_one("#input-row").display = True
        self.composer.focus()

    # ferry: codex_tui::bottom_pane::approval_overlay::ApprovalOverlay::apply_selection @ 1d092cb66
    def on_selection_view_picked(self, message: SelectionView.Picked) -> None:
        view = message.view
        value = message.value
        self._close_selection()
        if view.purpose.startswith("approval"):
            approval = self.approvals.pop(0) if self.approvals else None
            if approval is not None and approval.view is view:
                self._answer(approval, value or "cancel")
            self._show_next_approval()
            return
        if value is None:
            return
        if view.purpose == "model":
            self.pending_model = value
            self._open_effort_picker(value)
        elif view.purpose == "effort":
            self._apply_model(self.pending_model or self.status.model, value)
        elif view.purpose == "permissions":
            self._apply_permissions(value)
        elif view.purpose == "full-access" and value != "cancel":
            self._apply_permissions(value, confirmed=True)

    # ferry: codex_tui::bottom_pane::approval_overlay::ApprovalOverlay::apply_selection @ 1d092cb66
    def _answer(self, approval: _Approval, decision: str) -> None:
        request = approval.request
        future: Future[str] = request.answer
        if isinstance(request, ev.CommandApprovalRequest):
            self.add_cell(cells.decision_cell(decision, request.command, request.amendment))
        if decision == "cancel" and self.turn is not None:
            self.turn.interrupted = True
            self.add_cell(cells.error_cell(INTERRUPTED))
        if not future.done():
            future.set_result(decision)

    # ------------------------------------------------------------------ composer

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::sync_popups @ 1d092cb66
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is self.composer:
            self.composer.sync_popup()
            self.query_one("#shortcuts").remove_class("-open")

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::sync_file_search_popup @ 1d092cb66
    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        if event.text_area is self.composer and self.popup.kind == "file":
            self.composer.sync_popup()

    # ferry: codex_tui::bottom_pane::footer::FooterMode::ShortcutOverlay @ 1d092cb66
    def on_composer_shortcuts_toggled(self, message: Composer.ShortcutsToggled) -> None:
        self.query_one("#shortcuts").toggle_class("-open")

    # ferry: codex_tui::chatwidget::ChatWidget::submit_user_message @ 1d092cb66
    def on_composer_submitted(self, message: Composer.Submitted) -> None:
        self._send(message.text, message.images)

    # ferry: codex_tui::chatwidget::ChatWidget::submit_user_message @ 1d092cb66
    def _send(self, text: str, images: Sequence[Path]) -> None:
        backend = self.backend
        if backend is None or not self.status.ready or self.turn is not None or backend.busy:
            self.queued.append((text, list(images)))
            self.add_cell(cells.info_cell(f"Queued: {exec_snippet(text)}"))
            return
        self.add_cell(cells.user_cell(text, [str(p) for p in images]))
        self.turn = _Turn(started=time.monotonic())
        backend.submit(text, images)
        self._tick()

    # ------------------------------------------------------------------ keys

    # ferry: codex_tui::chatwidget::ChatWidget::on_ctrl_c @ 1d092cb66 -- 0.169.0: idle and empty quits at once
    def action_ctrl_c(self) -> None:
        from pycodex.tui.screens import DiffPager, ResumePicker

        if isinstance(self.screen, ResumePicker):
            self.screen.action_leave()
            return
        if isinstance(self.screen, DiffPager):
            self.screen.action_close()
            return
        if self.selection is not None:
            self.selection.pick(self.selection.cancel_value)
            return
        if self.turn is not None and not self.turn.interrupted and not self.approvals:
            self.action_interrupt()
            return
        if self.composer.text:
            self.composer.load_text("")
            self.composer.attachments = []
            self.popup.close()
            return
        self.exit(return_code=0)

    # ferry: codex_tui::chatwidget::ChatWidget::on_ctrl_d @ 1d092cb66
    def action_ctrl_d(self) -> None:
        """Quit on an empty composer; otherwise delete forward, as in the composer."""
        if self.selection is not None:
            return
        if not self.composer.text and self.screen is self.screen_stack[0]:
            self.exit(return_code=0)
        elif self.composer.has_focus:
            self.composer.action_delete_right()

    # ferry: codex_tui::chatwidget::ChatWidget::on_interrupted_turn @ 1d092cb66
    def action_interrupt(self) -> None:
        if self.popup.is_open:
            self.popup.close()
            return
        turn = self.turn
        if turn is None or turn.interrupted:
            return
        turn.interrupted = True
        if turn.agent is not None:
            turn.agent.flush()
        if self.backend is not None:
            self.backend.interrupt()
        self.add_cell(cells.error_cell(INTERRUPTED))
        self._tick()

    # ------------------------------------------------------------------ slash commands

    # ferry: codex_tui::chatwidget::slash_dispatch::ChatWidget::dispatch_command @ 1d092cb66
    def on_composer_command(self, message: Composer.Command) -> None:
        name, args = message.name, message.args
        command = slash.lookup(name)
        if command is None:
            self.add_cell(cells.error_cell(slash.unknown_command_message(name)))
            return
        busy = self.turn is not None and not self.turn.interrupted
        if busy and not command.available_during_task:
            self.add_cell(cells.error_cell(slash.busy_message(name)))
            return
        handler = getattr(self, f"_slash_{name}", None)
        if handler is not None:
            handler(args)

    def _slash_quit(self, args: str) -> None:
        self.exit(return_code=0)

    _slash_exit = _slash_quit

    def _slash_new(self, args: str) -> None:
        if self.backend is None:
            return
        self._clear_transcript()
        self.status.ready = False
        self.backend.new_session()

    _slash_clear = _slash_new

    def _clear_transcript(self) -> None:
        self.transcript.remove_children()
        self.transcript.mount(
            cells.header_cell(__version__, UPSTREAM_VERSION, str(self.options.cwd))
        )

    def _slash_resume(self, args: str) -> None:
        if args and self.backend is not None:
            self._clear_transcript()
            self.status.ready = False
            self.backend.resume(ThreadChoice(ref=args))
            return
        self._open_picker(startup=False)

    def _slash_fork(self, args: str) -> None:
        if self.backend is None or self.status.thread_id is None:
            return
        parent = self.status.thread_id
        self.status.ready = False
        self.backend.fork_current()
        self.add_cell(cells.info_cell(f"Forked from session {parent}"))

    def _slash_init(self, args: str) -> None:
        cwd = self.backend.config.cwd if self.backend and self.backend.config else self.options.cwd
        if (cwd / "AGENTS.md").exists():
            self.add_cell(
                cells.info_cell(
                    "AGENTS.md already exists here. Skipping /init to avoid overwriting it."
                )
            )
            return
        from importlib import resources

        prompt = resources.files("pycodex.prompt").joinpath("init_command.md")
        self._send(prompt.read_text(encoding="utf-8"), [])

    def _slash_compact(self, args: str) -> None:
        if self.backend is None or not self.status.ready:
            return
        self.turn = _Turn(started=time.monotonic())
        self.backend.compact()
        self._tick()

    def _slash_diff(self, args: str) -> None:
        self.add_cell(cells.info_cell("Computing diff…"))
        self._compute_diff()

    @work(thread=True, exclusive=True, group="diff")
    def _compute_diff(self) -> None:
        from pycodex.tui.git_diff import NO_CHANGES, NOT_A_REPO, git_diff

        cwd = self.backend.config.cwd if self.backend and self.backend.config else self.options.cwd
        result = git_diff(cwd)
        if result.error is not None:
            message = f"Failed to compute diff: {result.error}"
        elif not result.inside_repo:
            message = NOT_A_REPO
        elif not result.text.strip():
            message = NO_CHANGES
        else:
            self.call_from_thread(self._show_diff, result.text)
            return
        self.call_from_thread(self.add_cell, cells.info_cell(message))

    def _show_diff(self, text: str) -> None:
        from pycodex.tui.screens import DiffPager

        self.push_screen(DiffPager(text))

    def _slash_mention(self, args: str) -> None:
        self.composer.start_mention()

    def _slash_status(self, args: str) -> None:
        header = f">_ pycodex (v{__version__}, codex-cli {UPSTREAM_VERSION})"
        self.add_cell(
            cells.HistoryCell(Text(status_card(self._snapshot(), header)), classes="status")
        )

    def _slash_rollout(self, args: str) -> None:
        path = self.status.rollout
        self.add_cell(
            cells.info_cell(
                f"Current rollout path: {path}" if path else "No rollout (ephemeral session)"
            )
        )

    # ferry: codex_tui::chatwidget::ChatWidget::open_model_popup @ 1d092cb66
    def _slash_model(self, args: str) -> None:
        if args:
            model, _, effort = args.partition(" ")
            self._apply_model(model, effort.strip() or self.status.effort)
            return
        current = self.status.model
        choices = [
            Choice(slug, slug, description, marker="(current)" if slug == current else "")
            for slug, description in MODEL_CHOICES
        ]
        if current and current not in {slug for slug, _ in MODEL_CHOICES}:
            choices.append(Choice(current, current, "configured model", marker="(current)"))
        selected = next((i for i, c in enumerate(choices) if c.value == current), 0)
        title = Text("Select Model and Effort", style="bold")
        self._open_selection(
            SelectionView(
                title, choices, purpose="model", footer="enter select · esc back", selected=selected
            )
        )

    def _open_effort_picker(self, model: str) -> None:
        current = self.status.effort
        choices = [
            Choice(effort, effort, marker="(current)" if effort == current else "")
            for effort in EFFORTS
        ]
        selected = next((i for i, c in enumerate(choices) if c.value == current), 1)
        title = Text(f"Select Reasoning Level for {model}", style="bold")
        self._open_selection(
            SelectionView(
                title,
                choices,
                purpose="effort",
                footer="enter select · esc back",
                selected=selected,
            )
        )

    def _apply_model(self, model: str, effort: str | None) -> None:
        if self.backend is None:
            return
        self.backend.update_settings(model=model, reasoning_effort=effort)
        self.status.model = model
        self.status.effort = effort
        self._refresh_status()
        label = model + (f" {effort}" if effort else "")
        self.add_cell(cells.info_cell(f"Model changed to {label}"))

    # ferry: codex_tui::chatwidget::ChatWidget::open_permissions_popup @ 1d092cb66
    def _slash_permissions(self, args: str) -> None:
        current = (self.status.sandbox, self.status.approval)
        choices = [
            Choice(
                label,
                f"{sandbox}|{approval}",
                description,
                marker="(current)" if (sandbox, approval) == current else "",
            )
            for label, sandbox, approval, description in PERMISSION_PRESETS
        ]
        selected = next((i for i, c in enumerate(choices) if c.marker), 0)
        title = Text("Update Model Permissions", style="bold")
        self._open_selection(
            SelectionView(
                title,
                choices,
                purpose="permissions",
                footer="enter select · esc back",
                selected=selected,
            )
        )

    _slash_approvals = _slash_permissions

    def _apply_permissions(self, value: str, *, confirmed: bool = False) -> None:
        sandbox, _, approval = value.partition("|")
        if sandbox == "danger-full-access" and not confirmed:
            title = Text.assemble(
                ("Enable full access?", "bold"),
                "\n\nWhen Codex runs with full access, it can edit any file on your computer and "
                "run commands with network, without your approval.",
            )
            choices = [Choice("Yes, continue anyway", value), Choice("Cancel", "cancel")]
            self._open_selection(
                SelectionView(
                    title,
                    choices,
                    purpose="full-access",
                    cancel_value="cancel",
                    footer="enter select · esc back",
                )
            )
            return
        if self.backend is None:
            return
        self.backend.update_settings(sandbox_mode=sandbox, approval_policy=approval)
        self.status.sandbox = sandbox
        self.status.approval = approval
        self._refresh_status()
        label = next(
            (p[0] for p in PERMISSION_PRESETS if p[1] == sandbox and p[2] == approval), value
        )
        self.add_cell(cells.info_cell(f"Permissions updated to {label}"))

    # ------------------------------------------------------------------ resume picker

    def _open_picker(self, *, startup: bool) -> None:
        self._load_picker(startup)

    @work(thread=True, exclusive=True, group="picker")
    def _load_picker(self, startup: bool) -> None:
        from pycodex.errors import PycodexError
        from pycodex.tui.sessions import saved_threads
        from pycodex.tui.settings import load_settings

        try:
            settings = load_settings(self.options.params)
        except PycodexError as exc:
            self.call_from_thread(self._on_SessionFailed, ev.SessionFailed(str(exc), fatal=True))
            return
        all_dirs = self.options.picker_all
        threads = saved_threads(
            settings.config.codex_home,
            settings.sqlite_home,
            cwd=None if all_dirs else settings.config.cwd,
            include_non_interactive=self.options.include_non_interactive,
        )
        self.call_from_thread(self._show_picker, threads, startup)

    def _show_picker(self, threads: list[SavedThread], startup: bool) -> None:
        from pycodex.tui.screens import ResumePicker

        fork = startup and self.options.picker == "fork"
        picker = ResumePicker(
            threads, show_cwd=self.options.picker_all, verb="Fork" if fork else "Resume"
        )

        def chosen(result: SavedThread | str | None) -> None:
            if result is None:
                if startup:
                    self.exit(return_code=0)
                return
            if isinstance(result, str):  # "fresh": start a new session
                if startup:
                    self._start_backend(None)
                return
            choice = ThreadChoice(path=result.path, fork=fork)
            if startup or self.backend is None:
                self._start_backend(choice)
            else:
                self._clear_transcript()
                self.status.ready = False
                self.backend.resume(choice)

        self.push_screen(picker, chosen)

    # ------------------------------------------------------------------ shutdown

    # ferry: codex_tui::app::thread_routing::App::shutdown_current_thread @ 1d092cb66
    def on_unmount(self) -> None:
        backend = self.backend
        if backend is not None:
            for approval in self.approvals:
                if not approval.request.answer.done():
                    approval.request.answer.set_result("cancel")
            if backend.session is not None:
                self.exit_info.usage = backend.session.total_usage
                self.exit_info.thread_id = backend.session.thread_id
            backend.close(timeout=3.0)
