"""Slash commands: the ones codex 0.169.0 offers that make sense for pycodex, in its order.

The popup lists them in this order (upstream orders by use, not alphabetically) and
filters by prefix as the user types. Commands codex has but pycodex does not (voice,
plugins, cloud, sub-agents, ...) are left out rather than shown and refused.
"""

from __future__ import annotations

from dataclasses import dataclass


# ferry: codex_tui::slash_command::SlashCommand @ 1d092cb66 -- 0.169.0: the subset pycodex implements
@dataclass(frozen=True)
class SlashCommand:
    """One command: its name, the popup's description, and whether it may run mid-turn."""

    name: str
    description: str
    available_during_task: bool
    takes_args: bool = False
    hidden: bool = False


COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("model", "choose what model and reasoning effort to use", False, True),
    SlashCommand("permissions", "choose what Codex is allowed to do", False),
    # codex 0.125 called it /approvals; 0.169.0 dropped the name. Kept as a hidden alias.
    SlashCommand("approvals", "choose what Codex is allowed to do", False, hidden=True),
    SlashCommand("new", "start a new chat during a conversation", False),
    SlashCommand("resume", "resume a saved chat", False, True),
    SlashCommand("fork", "fork the current chat", False),
    SlashCommand("init", "create an AGENTS.md file with instructions for Codex", False),
    SlashCommand("compact", "summarize conversation to prevent hitting the context limit", False),
    SlashCommand("diff", "show git diff (including untracked files)", True),
    SlashCommand("mention", "mention a file", True),
    SlashCommand("status", "show current session configuration and token usage", True),
    SlashCommand("rollout", "print the rollout file path", True),
    SlashCommand("clear", "clear the terminal and start a new chat", False),
    SlashCommand("quit", "exit Codex", True),
    SlashCommand("exit", "exit Codex", True),
)

_BY_NAME = {command.name: command for command in COMMANDS}


# ferry: codex_tui::bottom_pane::command_popup::CommandPopup::filtered @ 1d092cb66
def matching(prefix: str) -> list[SlashCommand]:
    """Visible commands whose name starts with ``prefix`` (without the slash), in popup order."""
    return [c for c in COMMANDS if not c.hidden and c.name.startswith(prefix)]


# ferry: codex_tui::bottom_pane::prompt_args::parse_slash_name @ 1d092cb66
def parse(text: str) -> tuple[str, str] | None:
    """``"/model gpt-5.5"`` -> ``("model", "gpt-5.5")``; ``None`` when it is not a command.

    A first line such as ``/tmp/x is odd`` (a path, not a command name) is a prompt.
    """
    if not text.startswith("/"):
        return None
    first, _, rest = text[1:].partition(" ")
    if "\n" in first:
        first, _, more = first.partition("\n")
        rest = more + (" " + rest if rest else "")
    if not first or "/" in first:
        return None
    return first, rest.strip()


# ferry: codex_tui::slash_command::built_in_slash_commands @ 1d092cb66
def lookup(name: str) -> SlashCommand | None:
    return _BY_NAME.get(name)


# ferry: codex_tui::chatwidget::slash_dispatch::ChatWidget::dispatch_command @ 1d092cb66 -- 0.169.0 texts
def unknown_command_message(name: str) -> str:
    return f"Unrecognized command '/{name}'. Type \"/\" for a list of supported commands."


# ferry: codex_tui::chatwidget::slash_dispatch::ChatWidget::dispatch_command @ 1d092cb66
def busy_message(name: str) -> str:
    return f"'/{name}' is disabled while a task is in progress."
