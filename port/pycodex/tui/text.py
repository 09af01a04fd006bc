"""Plain-text formatting shared by the UI's cells, status line and exit summary.

Pure functions (no Textual) so they are cheap to import and test on their own.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the client package pulls in httpx; the UI's first frame does not need it
    from pycodex.client.events import TokenUsage

#: tokens always present in a request (instructions, tools) that the user cannot influence.
BASELINE_TOKENS = 12_000
#: rows of command output a finished command cell shows.
TOOL_CALL_MAX_LINES = 5
TRANSCRIPT_HINT = "ctrl + t to view transcript"
#: the prompt mark codex puts before user input (U+203A).
PROMPT = "\u203a"

_SHELLS = {"bash", "sh", "zsh", "/bin/bash", "/bin/sh", "/bin/zsh", "/usr/bin/bash", "/usr/bin/zsh"}


# ferry: codex_protocol::num_format::format_with_separators @ 1d092cb66
def format_with_separators(n: int) -> str:
    """``12345`` -> ``12,345`` (codex formats en-US when the locale is unknown)."""
    return f"{n:,}"


# ferry: codex_protocol::num_format::format_si_suffix @ 1d092cb66
def format_si_suffix(n: int) -> str:
    """Three significant figures with a K/M/G suffix: 999, 1.20K, 12.3K, 123M."""
    n = max(n, 0)
    if n < 1000:
        return str(n)
    for scale, suffix in ((1_000, "K"), (1_000_000, "M"), (1_000_000_000, "G")):
        for digits in (2, 1, 0):
            scaled = _round_half_up(n * 10**digits / scale)
            if scaled < 1000:
                whole, frac = divmod(scaled, 10**digits)
                return f"{whole}.{frac:0{digits}d}{suffix}" if digits else f"{whole}{suffix}"
    return f"{format_with_separators(_round_half_up(n / 1e9))}G"


def _round_half_up(value: float) -> int:
    """Rust's ``f64::round`` for non-negative values: halves go up (Python's round goes to even)."""
    return int(value + 0.5)


# ferry: codex_protocol::protocol::TokenUsage::non_cached_input @ 1d092cb66
def non_cached_input(usage: TokenUsage) -> int:
    return max(usage.input_tokens - max(usage.cached_input_tokens, 0), 0)


# ferry: codex_protocol::protocol::TokenUsage::blended_total @ 1d092cb66
def blended_total(usage: TokenUsage) -> int:
    """What codex shows as "total": fresh input plus output."""
    return max(non_cached_input(usage) + max(usage.output_tokens, 0), 0)


# ferry: codex_protocol::protocol::TokenUsage::percent_of_context_window_remaining @ 1d092cb66
def percent_context_left(tokens_in_window: int, context_window: int) -> int:
    """The share of the window the user can still fill (the fixed baseline left out)."""
    if context_window <= BASELINE_TOKENS:
        return 0
    effective = context_window - BASELINE_TOKENS
    used = max(tokens_in_window - BASELINE_TOKENS, 0)
    remaining = max(effective - used, 0)
    return int(min(max(remaining / effective * 100.0, 0.0), 100.0) + 0.5)


# ferry: codex_protocol::protocol::FinalOutput::fmt @ 1d092cb66
def final_output_line(usage: TokenUsage) -> str:
    """``Token usage: total=… input=… output=…``, printed when the UI exits."""
    cached = max(usage.cached_input_tokens, 0)
    text = (
        f"Token usage: total={format_with_separators(blended_total(usage))} "
        f"input={format_with_separators(non_cached_input(usage))}"
    )
    if cached > 0:
        text += f" (+ {format_with_separators(cached)} cached)"
    text += f" output={format_with_separators(usage.output_tokens)}"
    if usage.reasoning_output_tokens > 0:
        text += f" (reasoning {format_with_separators(usage.reasoning_output_tokens)})"
    return text


# ferry: codex_cli::format_exit_messages @ 1d092cb66 -- 0.169.0: the command on its own line
def exit_messages(usage: TokenUsage, thread_id: str | None) -> list[str]:
    """What is printed after the UI closes: token usage (if any) and how to resume."""
    lines: list[str] = []
    if usage.total_tokens != 0:
        lines.append(final_output_line(usage))
    if thread_id:
        lines.append("To continue this session, run:")
        lines.append(f"  pycodex resume {thread_id}")
    return lines


# ferry: codex_tui::exec_command::strip_bash_lc_and_escape @ 1d092cb66
def strip_bash_lc(argv: Sequence[str]) -> str:
    """The command as the user thinks of it: the script of ``bash -lc SCRIPT``, else argv quoted."""
    if len(argv) == 3 and argv[0] in _SHELLS and argv[1] in ("-lc", "-c"):
        return argv[2]
    return " ".join(shlex.quote(a) for a in argv)


# ferry: codex_tui::history_cell::truncate_exec_snippet @ 1d092cb66
def exec_snippet(command: str, max_chars: int = 80) -> str:
    """A one-line form of a command: its first line (`` ...`` when there are more), ≤ 80 chars."""
    lines = command.splitlines() or [""]
    snippet = lines[0] + (" ..." if len(lines) > 1 else "")
    if len(snippet) > max_chars:
        snippet = snippet[: max_chars - 1] + "…"
    return snippet


# ferry: codex_tui::exec_cell::render::ExecCell::truncate_lines_middle @ 1d092cb66
def truncate_output(output: str, max_lines: int = TOOL_CALL_MAX_LINES) -> list[str]:
    """Command output as a cell shows it: at most ``max_lines`` rows, the middle elided."""
    lines = output.rstrip("\n").splitlines()
    if len(lines) <= max_lines:
        return lines
    head = (max_lines - 1) // 2
    tail = max_lines - 1 - head
    omitted = len(lines) - head - tail
    return [*lines[:head], f"… +{omitted} lines ({TRANSCRIPT_HINT})", *lines[len(lines) - tail :]]
