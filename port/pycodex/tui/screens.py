"""Full-screen views: the resume picker and the ``/diff`` pager."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pycodex.tui.sessions import SavedThread, time_ago
from pycodex.tui.text import PROMPT


# ferry: codex_tui::resume_picker::PickerState @ 1d092cb66
class ResumePicker(ModalScreen[SavedThread | str | None]):
    """Pick a saved thread: type to filter, Up/Down to move, Enter to resume.

    Dismisses with the thread, ``"fresh"`` for Esc (start a new session) or ``None`` for
    Ctrl+C (leave).
    """

    DEFAULT_CSS = """
    ResumePicker { align: left top; }
    ResumePicker > #picker-title { padding: 0 1; text-style: bold; }
    ResumePicker > Input { border: none; height: 1; padding: 0 1; margin: 1 0; }
    ResumePicker > #picker-rows { height: 1fr; padding: 0 1; }
    ResumePicker > #picker-help { padding: 0 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", show=False, priority=True),
        Binding("down", "move(1)", show=False, priority=True),
        Binding("enter", "choose", show=False, priority=True),
        Binding("escape", "fresh", show=False, priority=True),
        Binding("ctrl+c", "leave", show=False, priority=True),
    ]

    def __init__(self, threads: list[SavedThread], *, show_cwd: bool, verb: str = "Resume") -> None:
        super().__init__()
        self.threads = threads
        self.show_cwd = show_cwd
        self.verb = verb
        self.rows: list[SavedThread] = list(threads)
        self.selected = 0

    # ferry: codex_tui::resume_picker::draw_picker @ 1d092cb66
    def compose(self) -> ComposeResult:
        yield Static(f"{self.verb} a previous session", id="picker-title")
        yield Input(placeholder="Type to search", id="picker-search")
        yield Static("", id="picker-rows")
        yield Static(
            f"enter {self.verb.lower()}   esc start new   ^c exit   ↑/↓ browse", id="picker-help"
        )

    # ferry: codex_tui::resume_picker::PickerState::start_initial_load @ 1d092cb66
    def on_mount(self) -> None:
        self._render_rows()
        self.query_one(Input).focus()

    # ferry: codex_tui::resume_picker::PickerState::apply_filter @ 1d092cb66
    def on_input_changed(self, event: Input.Changed) -> None:
        query = event.value.lower()
        self.rows = [t for t in self.threads if query in t.preview.lower() or query in t.thread_id]
        self.selected = 0
        self._render_rows()

    def _render_rows(self) -> None:
        text = Text()
        if not self.rows:
            text.append("No sessions yet" if not self.threads else "No matching sessions", "dim")
        for index, thread in enumerate(self.rows):
            chosen = index == self.selected
            style = "bold cyan" if chosen else ""
            text.append(PROMPT + " " if chosen else "  ", style=style)
            text.append(f"{time_ago(thread.updated_ms):<12}", style="dim" if not chosen else style)
            if self.show_cwd:
                text.append(f"{thread.cwd:<30} ", style="dim")
            preview = " ".join(thread.preview.split()) or "(no message yet)"
            text.append(preview[:100], style=style)
            text.append("\n")
        self.query_one("#picker-rows", Static).update(text)

    # ferry: port-only -- test support: the rows as shown
    def plain(self) -> str:
        return "\n".join(
            f"{time_ago(t.updated_ms)} {' '.join(t.preview.split())}" for t in self.rows
        )

    # ferry: codex_tui::resume_picker::PickerState::handle_key @ 1d092cb66 -- Up/Down
    def action_move(self, step: int) -> None:
        if self.rows:
            self.selected = (self.selected + step) % len(self.rows)
            self._render_rows()

    # ferry: codex_tui::resume_picker::SessionSelection::Resume @ 1d092cb66
    def action_choose(self) -> None:
        if self.rows:
            self.dismiss(self.rows[self.selected])

    # ferry: codex_tui::resume_picker::SessionSelection::StartFresh @ 1d092cb66
    def action_fresh(self) -> None:
        self.dismiss("fresh")

    # ferry: codex_tui::resume_picker::SessionSelection::Exit @ 1d092cb66
    def action_leave(self) -> None:
        self.dismiss(None)


# ferry: codex_tui::pager_overlay::StaticOverlay @ 1d092cb66 -- the /diff view
class DiffPager(ModalScreen[None]):
    """A scrollable, coloured diff; q or Esc closes it."""

    DEFAULT_CSS = """
    DiffPager > #pager-title { padding: 0 1; text-style: bold; }
    DiffPager > VerticalScroll { height: 1fr; }
    DiffPager > #pager-help { padding: 0 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "close", show=False, priority=True),
        Binding("ctrl+c", "close", show=False, priority=True),
    ]

    def __init__(self, diff: str) -> None:
        super().__init__()
        self.diff = diff

    # ferry: codex_tui::pager_overlay::StaticOverlay @ 1d092cb66
    def compose(self) -> ComposeResult:
        yield Static("/ D I F F", id="pager-title")
        with VerticalScroll():
            yield Static(colour_diff(self.diff), id="pager-body")
        yield Static(
            "↑/↓ to scroll · pgup/pgdn to page · home/end to jump · q close", id="pager-help"
        )

    # ferry: codex_tui::pager_overlay::StaticOverlay::handle_event @ 1d092cb66
    def on_key(self, event: events.Key) -> None:
        scroll = self.query_one(VerticalScroll)
        actions = {
            "up": scroll.scroll_up,
            "down": scroll.scroll_down,
            "pageup": scroll.scroll_page_up,
            "pagedown": scroll.scroll_page_down,
            "home": scroll.scroll_home,
            "end": scroll.scroll_end,
        }
        action = actions.get(event.key)
        if action is not None:
            action()
            event.stop()

    # ferry: codex_tui::pager_overlay::StaticOverlay::handle_event @ 1d092cb66 -- q / Esc
    def action_close(self) -> None:
        self.dismiss(None)


# ferry: codex_tui::diff_render::render_change @ 1d092cb66
def colour_diff(diff: str) -> Text:
    text = Text()
    for line in diff.splitlines():
        if line.startswith(("+++", "---", "diff --git", "index ", "new file", "deleted file")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        else:
            style = ""
        text.append(line + "\n", style=style)
    return text
