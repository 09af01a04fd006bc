"""The bottom pane: the composer, its popups (slash commands, ``@`` files) and list selections
(approvals, ``/model``, ``/permissions``) that take the composer's place while open."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static, TextArea

from pycodex.tui import mentions, slash
from pycodex.tui.history import ComposerHistory
from pycodex.tui.text import PROMPT

#: pastes longer than this become a placeholder in the composer (expanded on submit).
LARGE_PASTE_CHARS = 1000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_IMAGE_TOKEN = re.compile(r"\[Image #(\d+)\]")


# ferry: codex_tui::bottom_pane::selection_popup_common::GenericDisplayRow @ 1d092cb66
@dataclass(frozen=True)
class PopupItem:
    label: str
    description: str
    value: str


# ferry: codex_tui::bottom_pane::command_popup::CommandPopup @ 1d092cb66 -- also the file search popup
class Popup(Static):
    """Suggestions above the composer: slash commands or files, one of them selected."""

    DEFAULT_CSS = """
    Popup { height: auto; max-height: 9; display: none; padding: 0 0 0 2; }
    Popup.-open { display: block; }
    """

    def __init__(self) -> None:
        super().__init__("")
        self.items: list[PopupItem] = []
        self.selected = 0
        self.kind = ""

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::popup_active @ 1d092cb66
    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    # ferry: codex_tui::bottom_pane::command_popup::CommandPopup::on_composer_text_change @ 1d092cb66
    def show_items(self, kind: str, items: list[PopupItem]) -> None:
        self.kind = kind
        self.items = items
        self.selected = min(self.selected, max(len(items) - 1, 0))
        self.set_class(bool(items), "-open")
        self._refresh()

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::sync_command_popup @ 1d092cb66
    def close(self) -> None:
        self.items = []
        self.selected = 0
        self.kind = ""
        self.remove_class("-open")

    # ferry: codex_tui::bottom_pane::scroll_state::ScrollState::move_up_wrap @ 1d092cb66
    def move(self, step: int) -> None:
        if self.items:
            self.selected = (self.selected + step) % len(self.items)
            self._refresh()

    # ferry: codex_tui::bottom_pane::command_popup::CommandPopup::selected_item @ 1d092cb66
    def current(self) -> PopupItem | None:
        return self.items[self.selected] if self.items else None

    def _refresh(self) -> None:
        width = max((len(i.label) for i in self.items), default=0) + 2
        text = Text()
        for index, item in enumerate(self.items):
            if index:
                text.append("\n")
            style = "bold cyan" if index == self.selected else ""
            text.append(f"{item.label:<{width}}", style=style)
            text.append(item.description, style="dim" if index != self.selected else "cyan")
        self.update(text)

    # ferry: port-only -- test support: what the popup shows
    def plain(self) -> str:
        return "\n".join(f"{i.label}  {i.description}" for i in self.items)


# ferry: codex_tui::bottom_pane::chat_composer::ChatComposer @ 1d092cb66
class Composer(TextArea):
    """Multi-line input: Enter sends, Ctrl+J (or Shift+Enter) adds a line, Up/Down recall
    earlier prompts, ``/`` opens the command popup and ``@`` the file popup."""

    DEFAULT_CSS = """
    Composer { height: auto; max-height: 12; min-height: 1; border: none; padding: 0; }
    Composer:focus { border: none; }
    """

    # ferry: codex_tui::bottom_pane::chat_composer::InputResult::Submitted @ 1d092cb66
    class Submitted(Message):
        """The user sent ``text`` (placeholders expanded) with ``images`` attached."""

        def __init__(self, text: str, images: list[Path]) -> None:
            super().__init__()
            self.text = text
            self.images = images

    # ferry: codex_tui::bottom_pane::chat_composer::InputResult::Command @ 1d092cb66
    class Command(Message):
        def __init__(self, name: str, args: str) -> None:
            super().__init__()
            self.name = name
            self.args = args

    # ferry: codex_tui::bottom_pane::footer::FooterMode::ShortcutOverlay @ 1d092cb66
    class ShortcutsToggled(Message):
        """``?`` on an empty composer: show or hide the key bindings."""

    def __init__(self, popup: Popup, history: ComposerHistory, cwd: Path) -> None:
        super().__init__(
            "",
            soft_wrap=True,
            show_line_numbers=False,
            compact=True,
            highlight_cursor_line=False,
            placeholder="Ask Codex to do anything",
            id="composer",
        )
        self.popup = popup
        self.prompts = history
        self.cwd = cwd
        self.attachments: list[Path] = []
        self.pastes: dict[str, str] = {}
        self._files: list[str] | None = None
        self.files_loader: Callable[[], list[str]] = lambda: mentions.list_files(self.cwd)

    # ------------------------------------------------------------------ keys

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        popup = self.popup
        if popup.is_open:
            if key in ("up", "ctrl+p"):
                popup.move(-1)
                return self._consume(event)
            if key in ("down", "ctrl+n"):
                popup.move(1)
                return self._consume(event)
            if key == "escape":
                popup.close()
                return self._consume(event)
            if key in ("tab", "enter"):
                self._consume(event)
                self._accept_popup(run=key == "enter")
                return None
        if event.character == "?" and not self.text:
            self._consume(event)
            self.post_message(self.ShortcutsToggled())
            return None
        if key == "enter":
            self._consume(event)
            self.submit()
            return None
        if key in ("ctrl+j", "shift+enter"):
            self._consume(event)
            self.insert("\n")
            return None
        # anything else: TextArea's own handler runs next (Textual walks the MRO)
        return None

    @staticmethod
    def _consume(event: events.Key) -> None:
        event.stop()
        event.prevent_default()

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::handle_key_event_without_popup @ 1d092cb66 -- Up recalls history
    def action_cursor_up(self, select: bool = False) -> None:
        if not select and self.cursor_location[0] == 0 and (not self.text or self.prompts.browsing):
            entry = self.prompts.older()
            if entry is not None:
                self._load(entry)
                return
        super().action_cursor_up(select)

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::handle_key_event_without_popup @ 1d092cb66 -- Down walks back
    def action_cursor_down(self, select: bool = False) -> None:
        last_row = self.document.line_count - 1
        if not select and self.prompts.browsing and self.cursor_location[0] == last_row:
            entry = self.prompts.newer()
            if entry is not None:
                self._load(entry)
                return
        super().action_cursor_down(select)

    def _load(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    # ------------------------------------------------------------------ paste

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::handle_paste @ 1d092cb66
    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        self.handle_paste(event.text)

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::handle_paste @ 1d092cb66
    def handle_paste(self, pasted: str) -> None:
        """An image path attaches the image; a long paste becomes a placeholder."""
        pasted = pasted.replace("\r\n", "\n").replace("\r", "\n")
        candidate = pasted.strip().strip("'\"")
        if "\n" not in candidate and candidate.lower().endswith(IMAGE_SUFFIXES):
            path = (self.cwd / Path(candidate).expanduser()).resolve()
            if path.is_file():
                self.attach_image(path)
                return
        if len(pasted) > LARGE_PASTE_CHARS:
            placeholder = f"[Pasted Content {len(pasted)} chars]"
            suffix = 2
            while placeholder in self.pastes:
                placeholder = f"[Pasted Content {len(pasted)} chars #{suffix}]"
                suffix += 1
            self.pastes[placeholder] = pasted
            self.insert(placeholder)
            return
        self.insert(pasted)

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::attach_image @ 1d092cb66
    def attach_image(self, path: Path) -> None:
        self.attachments.append(path)
        self.insert(f"[Image #{len(self.attachments)}] ")

    # ------------------------------------------------------------------ submit

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::handle_submission @ 1d092cb66
    def submit(self) -> None:
        raw = self.text
        text = raw.strip()
        parsed = slash.parse(text) if not self.attachments else None
        if parsed is not None and slash.lookup(parsed[0]) is not None:
            self.prompts.record(text)
            self._clear()
            self.post_message(self.Command(*parsed))
            return
        if parsed is not None:
            self.post_message(self.Command(*parsed))  # unknown: the app says so, text stays
            return
        for placeholder, content in self.pastes.items():
            text = text.replace(placeholder, content)
        images = [
            self.attachments[int(n) - 1]
            for n in _IMAGE_TOKEN.findall(raw)
            if 0 < int(n) <= len(self.attachments)
        ]
        text = _IMAGE_TOKEN.sub("", text).strip()
        if not text and not images:
            return
        self.prompts.record(raw.strip())
        self._clear()
        self.post_message(self.Submitted(text, images))

    def _clear(self) -> None:
        self.load_text("")
        self.attachments = []
        self.pastes = {}
        self.prompts.reset()
        self.popup.close()

    # ------------------------------------------------------------------ popups

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::sync_popups @ 1d092cb66
    def sync_popup(self) -> None:
        """Open, filter or close the popup for what is being typed."""
        text = self.text
        row, column = self.cursor_location
        if row == 0 and text.startswith("/") and " " not in text.split("\n", 1)[0]:
            prefix = text[1:].split("\n", 1)[0]
            items = [PopupItem("/" + c.name, c.description, c.name) for c in slash.matching(prefix)]
            self.popup.show_items("slash", items)
            return
        line = self.document.get_line(row)
        token = mentions.token_at(line, column)
        if token is not None:
            if self._files is None:
                self._files = self.files_loader()
            found = mentions.search(self._files, token.query)
            self.popup.show_items("file", [PopupItem(f, "", f) for f in found])
            return
        self.popup.close()

    def _accept_popup(self, *, run: bool) -> None:
        item = self.popup.current()
        kind = self.popup.kind
        self.popup.close()
        if item is None:
            return
        if kind == "slash":
            command = slash.lookup(item.value)
            if run and command is not None and not command.takes_args:
                self.load_text("/" + item.value)
                self.submit()
            else:
                self._load("/" + item.value + " ")
            return
        row, column = self.cursor_location
        line = self.document.get_line(row)
        token = mentions.token_at(line, column)
        if token is None:
            return
        path = item.value if " " not in item.value else f'"{item.value}"'
        self.replace(path + " ", (row, token.start), (row, token.end))

    # ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::insert_str @ 1d092cb66 -- /mention starts an @ token
    def start_mention(self) -> None:
        before = self.text
        self.insert("@" if not before or before.endswith((" ", "\n")) else " @")
        self.focus()


# ferry: codex_tui::bottom_pane::list_selection_view::SelectionItem @ 1d092cb66
@dataclass(frozen=True)
class Choice:
    label: str
    value: str
    description: str = ""
    shortcut: str | None = None
    #: shown after the label, e.g. ``(current)``
    marker: str = ""


# ferry: codex_tui::bottom_pane::list_selection_view::ListSelectionView @ 1d092cb66
class SelectionView(Static, can_focus=True):
    """A titled, numbered list shown in place of the composer (approvals, pickers).

    Up/Down or a number moves, Enter picks, a choice's shortcut picks it directly, Esc
    picks the ``cancel_value`` (if any) or just closes.
    """

    DEFAULT_CSS = """
    SelectionView { height: auto; padding: 1 1 0 1; }
    SelectionView:focus { border: none; }
    """

    # ferry: codex_tui::bottom_pane::list_selection_view::SelectionAction @ 1d092cb66
    class Picked(Message):
        def __init__(self, view: SelectionView, value: str | None) -> None:
            super().__init__()
            self.view = view
            self.value = value

    def __init__(
        self,
        title: Text,
        choices: Sequence[Choice],
        *,
        purpose: str,
        cancel_value: str | None = None,
        footer: str = "Press enter to confirm or esc to cancel",
        selected: int = 0,
    ) -> None:
        super().__init__("")
        self.title = title
        self.choices = list(choices)
        self.purpose = purpose
        self.cancel_value = cancel_value
        self.footer = footer
        self.selected = selected
        self._done = False
        self._redraw()

    # ferry: port-only -- test support: what the view shows
    def plain(self) -> str:
        return self._text().plain

    def _text(self) -> Text:
        text = Text()
        text.append_text(self.title)
        text.append("\n\n")
        for index, choice in enumerate(self.choices):
            chosen = index == self.selected
            style = "bold cyan" if chosen else ""
            text.append(PROMPT + " " if chosen else "  ", style=style)
            label = f"{index + 1}. {choice.label}"
            if choice.marker:
                label += f" {choice.marker}"
            if choice.shortcut:
                label += f" ({choice.shortcut})"
            text.append(label, style=style)
            if choice.description:
                text.append(f"  {choice.description}", style="dim" if not chosen else "cyan")
            text.append("\n")
        text.append("\n")
        text.append(self.footer, style="dim")
        return text

    def _redraw(self) -> None:
        self.update(self._text())

    # ferry: codex_tui::bottom_pane::list_selection_view::ListSelectionView::handle_key_event @ 1d092cb66
    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        handled = True
        if key in ("up", "k", "ctrl+p"):
            self.selected = (self.selected - 1) % len(self.choices)
        elif key in ("down", "j", "ctrl+n"):
            self.selected = (self.selected + 1) % len(self.choices)
        elif key == "enter":
            self.pick(self.choices[self.selected].value)
        elif key == "escape":
            self.pick(self.cancel_value)
        elif key.isdigit() and 0 < int(key) <= len(self.choices):
            self.selected = int(key) - 1
            self.pick(self.choices[self.selected].value)
        else:
            match = next((c for c in self.choices if c.shortcut == event.character), None)
            if match is not None:
                self.pick(match.value)
            else:
                handled = False
        if handled:
            event.stop()
            event.prevent_default()
            self._redraw()

    # ferry: codex_tui::bottom_pane::list_selection_view::ListSelectionView::accept @ 1d092cb66
    def pick(self, value: str | None) -> None:
        if self._done:
            return
        self._done = True
        self.post_message(self.Picked(self, value))
