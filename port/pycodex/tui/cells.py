"""History cells: one widget per entry of the transcript (prompt, answer, command, patch ...).

Each cell keeps the plain text it shows (:meth:`HistoryCell.plain`) so tests and the
transcript export read what the user sees without scraping the screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from pycodex.tui.events import FileDiff
from pycodex.tui.text import PROMPT, exec_snippet, truncate_output


# ferry: codex_tui::history_cell::HistoryCell @ 1d092cb66
class HistoryCell(Static):
    """A transcript entry rendered from Rich text."""

    DEFAULT_CSS = """
    HistoryCell { margin: 1 0 0 0; padding: 0 1 0 0; }
    """

    def __init__(self, text: Text, **kwargs: object) -> None:
        super().__init__(text, **kwargs)  # type: ignore[arg-type]
        self._plain = text.plain

    # ferry: codex_tui::history_cell::HistoryCell::transcript_lines @ 1d092cb66
    def plain(self) -> str:
        return self._plain

    # ferry: codex_tui::history_cell::HistoryCell::display_lines @ 1d092cb66
    def set_text(self, text: Text) -> None:
        self._plain = text.plain
        self.update(text)


# ferry: codex_tui::history_cell::SessionHeaderHistoryCell @ 1d092cb66 -- 0.169.0: name and directory
def header_cell(version: str, upstream: str, cwd: str) -> HistoryCell:
    text = Text()
    text.append(">_ ", style="dim")
    text.append("pycodex", style="bold")
    text.append(f" (v{version}, codex-cli {upstream})", style="dim")
    text.append(f"\n   {cwd}", style="dim")
    return HistoryCell(text, classes="header")


# ferry: codex_tui::history_cell::UserHistoryCell @ 1d092cb66
def user_cell(prompt: str, images: Sequence[str] = ()) -> HistoryCell:
    text = Text()
    for number, path in enumerate(images, start=1):
        text.append(f"{PROMPT} [Image #{number}] {path}\n", style="dim")
    for index, line in enumerate(prompt.splitlines() or [""]):
        text.append(PROMPT + " " if index == 0 else "  ", style="bold dim")
        text.append(line + "\n")
    text.rstrip()
    return HistoryCell(text, classes="user")


# ferry: codex_tui::history_cell::PlainHistoryCell @ 1d092cb66 -- info lines (`•`, dim)
def info_cell(message: str) -> HistoryCell:
    text = Text()
    text.append("• ", style="dim")
    text.append(message, style="dim")
    return HistoryCell(text, classes="info")


# ferry: codex_tui::history_cell::new_error_event @ 1d092cb66
def error_cell(message: str) -> HistoryCell:
    text = Text()
    text.append("■ ", style="red")
    text.append(message, style="red")
    return HistoryCell(text, classes="error")


# ferry: codex_tui::history_cell::new_approval_decision_cell @ 1d092cb66
def decision_cell(
    decision: str, command: str, amendment: Sequence[str] | None = None
) -> HistoryCell:
    """What the user decided about a command, in codex's words."""
    text = Text()
    if decision == "cancel":
        text.append("✗ ", style="red")
        text.append("You ")
        text.append("canceled", style="bold")
        text.append(" the request to run ")
        text.append(exec_snippet(command), style="dim")
        return HistoryCell(text, classes="decision")
    text.append("✔ ", style="green")
    text.append("You ")
    text.append("approved", style="bold")
    if decision == "acceptWithExecpolicyAmendment" and amendment:
        text.append(" codex to always run commands that start with ")
        text.append(exec_snippet(" ".join(amendment)), style="dim")
    elif decision == "acceptForSession":
        text.append(" codex to run ")
        text.append(exec_snippet(command), style="dim")
        text.append(" every time this session", style="bold")
    else:
        text.append(" codex to run ")
        text.append(exec_snippet(command), style="dim")
        text.append(" this time", style="bold")
    return HistoryCell(text, classes="decision")


# ferry: codex_tui::exec_cell::model::ExecCell @ 1d092cb66
class ExecCell(HistoryCell):
    """A command: ``• Running cmd`` while it runs, then ``• Ran cmd`` with its output."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.exit_code: int | None = None
        self.output = ""
        self.finished = False
        super().__init__(self._compose_text(), classes="exec")

    # ferry: codex_tui::exec_cell::model::ExecCell::complete_call @ 1d092cb66
    def finish(self, output: str, exit_code: int | None) -> None:
        self.output = output
        self.exit_code = exit_code
        self.finished = True
        self.set_text(self._compose_text())

    def _compose_text(self) -> Text:
        text = Text()
        if not self.finished:
            text.append("• ", style="bold")
            text.append("Running ", style="bold")
        else:
            ok = self.exit_code == 0
            text.append("• ", style="bold green" if ok else "bold red")
            text.append("Ran ", style="bold")
        lines = self.command.splitlines() or [""]
        text.append(lines[0])
        for extra in lines[1:3]:
            text.append(f"\n  │ {extra}", style="dim")
        if len(lines) > 3:
            text.append(f"\n  │ … +{len(lines) - 3} lines", style="dim")
        if self.finished:
            shown = truncate_output(self.output)
            if not shown:
                shown = ["(no output)"]
            for index, line in enumerate(shown):
                text.append("\n  └ " if index == 0 else "\n    ", style="dim")
                text.append(line, style="dim")
        return text


def _diff_counts(diff: FileDiff) -> tuple[int, int]:
    if diff.kind == "add":
        return len(diff.diff.splitlines()), 0
    if diff.kind == "delete":
        return 0, len(diff.diff.splitlines())
    added = removed = 0
    for line in diff.diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def _diff_lines(diff: FileDiff) -> list[tuple[str, str]]:
    """(text, style) rows of one file's change, numbered like codex's diff view."""
    rows: list[tuple[str, str]] = []
    if diff.kind in ("add", "delete"):
        sign, style = ("+", "green") if diff.kind == "add" else ("-", "red")
        for number, line in enumerate(diff.diff.splitlines(), start=1):
            rows.append((f"{number} {sign}{line}", style))
        return rows
    old = new = 0
    for line in diff.diff.splitlines():
        if line.startswith("@@"):
            try:
                spans = line.split("@@")[1].split()
                old = abs(int(spans[0].split(",")[0])) - 1
                new = int(spans[1].split(",")[0].lstrip("+")) - 1
            except (IndexError, ValueError):
                pass
            continue
        if line.startswith(("+++", "---")):
            continue
        if line.startswith("+"):
            new += 1
            rows.append((f"{new} {line}", "green"))
        elif line.startswith("-"):
            old += 1
            rows.append((f"{old} {line}", "red"))
        else:
            old += 1
            new += 1
            rows.append((f"{new}  {line[1:] if line.startswith(' ') else line}", "dim"))
    return rows


# ferry: codex_tui::diff_render::create_diff_summary @ 1d092cb66
def diff_summary(files: Sequence[FileDiff], *, verb: str = "Edited") -> Text:
    """``• Edited 2 files (+3 -1)`` then, per file, ``└ path (+a -r)`` and its numbered diff."""
    text = Text()
    totals = [_diff_counts(f) for f in files]
    added = sum(a for a, _ in totals)
    removed = sum(r for _, r in totals)
    text.append("• ", style="bold")
    if len(files) == 1:
        only = files[0]
        label = {"add": "Added", "delete": "Deleted"}.get(only.kind, verb)
        text.append(f"{label} ", style="bold")
        text.append(only.path)
    else:
        text.append(f"{verb} {len(files)} files", style="bold")
    text.append(" (")
    text.append(f"+{added}", style="green")
    text.append(" ")
    text.append(f"-{removed}", style="red")
    text.append(")")
    for diff, (a, r) in zip(files, totals, strict=True):
        if len(files) > 1:
            text.append("\n  └ ", style="dim")
            name = diff.path if diff.move_path is None else f"{diff.path} → {diff.move_path}"
            text.append(name)
            text.append(f" (+{a} -{r})", style="dim")
        for row, style in _diff_lines(diff):
            text.append("\n    ")
            text.append(row, style=style)
    return text


# ferry: codex_tui::history_cell::new_patch_event @ 1d092cb66
def patch_cell(files: Sequence[FileDiff], status: str) -> HistoryCell:
    text = diff_summary(files)
    if status == "failed":
        text.append("\n  └ ", style="dim")
        text.append("patch failed to apply", style="red")
    elif status == "declined":
        text.append("\n  └ ", style="dim")
        text.append("patch declined", style="red")
    return HistoryCell(text, classes="patch")


# ferry: codex_tui::history_cell::AgentMessageCell @ 1d092cb66 -- Markdown with syntax-highlighted code
class AgentCell(Widget):
    """The assistant's answer, rendered as Markdown and updated while it streams."""

    DEFAULT_CSS = """
    AgentCell { height: auto; margin: 1 0 0 0; layout: horizontal; }
    AgentCell > .bullet { width: 2; height: 1; }
    AgentCell > Markdown { width: 1fr; height: auto; margin: 0; padding: 0; }
    AgentCell > Markdown > * { margin-top: 0; }
    AgentCell MarkdownFence { margin: 0 0 1 0; }
    AgentCell MarkdownFence > Label { padding: 0 2; }
    AgentCell Markdown > *:last-child { margin-bottom: 0; }
    """

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self._shown = ""
        from textual.widgets import Markdown  # markdown-it is loaded with the first answer

        self._markdown = Markdown("")

    # ferry: port-only -- Textual glue: the bullet beside the Markdown
    def compose(self) -> ComposeResult:
        yield Static("•", classes="bullet")
        yield self._markdown

    # ferry: codex_tui::history_cell::HistoryCell::transcript_lines @ 1d092cb66
    def plain(self) -> str:
        return "• " + self.text

    # ferry: codex_tui::markdown_stream::MarkdownStreamCollector::push_delta @ 1d092cb66
    def append(self, delta: str) -> None:
        """More streamed text (the widget is re-rendered by :meth:`flush`)."""
        self.text += delta

    # ferry: codex_tui::markdown_stream::MarkdownStreamCollector::finalize_and_drain @ 1d092cb66
    def finish(self, text: str) -> None:
        self.text = text
        self.flush()

    # ferry: codex_tui::streaming::controller::StreamController::on_commit_tick @ 1d092cb66
    def flush(self) -> None:
        if not self._markdown.is_mounted:
            return  # rendered once mounted (see on_mount)
        if self._shown != self.text:
            self._shown = self.text
            self._markdown.update(self.text)

    # ferry: port-only -- Textual glue: render what streamed in before the widget was mounted
    def on_mount(self) -> None:
        self.call_after_refresh(self.flush)
