"""What the UI says about the session: the status line under the composer and ``/status``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pycodex.tui.text import format_si_suffix, percent_context_left

SANDBOX_LABELS = {
    "read-only": "Read Only",
    "workspace-write": "Workspace Write",
    "danger-full-access": "Full Access",
}
APPROVAL_LABELS = {
    "on-request": "Ask for approval",
    "never": "Never ask",
    "on-failure": "Ask on failure",
    "untrusted": "Ask unless trusted",
}


# ferry: codex_tui::status::card::StatusHistoryCell @ 1d092cb66 -- the values the card and footer show
@dataclass(frozen=True)
class StatusSnapshot:
    model: str
    reasoning_effort: str | None
    reasoning_summary: str | None
    provider: str
    cwd: Path
    sandbox: str
    approval: str
    thread_id: str | None
    total_tokens: int
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    tokens_in_window: int
    context_window: int
    agents_md: tuple[str, ...] = ()


# ferry: codex_tui::status::card::new_status_output @ 1d092cb66
def permissions_label(sandbox: str, approval: str) -> str:
    """``Read Only (Ask for approval)``: the sandbox and when the user is asked."""
    return f"{SANDBOX_LABELS.get(sandbox, sandbox)} ({APPROVAL_LABELS.get(approval, approval)})"


# ferry: codex_tui::bottom_pane::footer::context_window_line @ 1d092cb66 -- 0.169.0: model, context, tokens, permissions
def status_line(snapshot: StatusSnapshot) -> str:
    """The footer: model and effort, context left, tokens used, sandbox/approval, directory."""
    parts = [
        snapshot.model + (f" {snapshot.reasoning_effort}" if snapshot.reasoning_effort else "")
    ]
    if snapshot.context_window:
        left = percent_context_left(snapshot.tokens_in_window, snapshot.context_window)
        parts.append(f"{left}% context left")
    parts.append(f"{format_si_suffix(snapshot.total_tokens)} tokens used")
    parts.append(f"{snapshot.sandbox}/{snapshot.approval}")
    parts.append(str(snapshot.cwd))
    return " · ".join(parts)


# ferry: codex_tui::status::card::new_status_output @ 1d092cb66 -- 0.169.0 layout, without account limits
def status_card(snapshot: StatusSnapshot, header: str) -> str:
    """The ``/status`` card, as plain text lines."""
    effort = snapshot.reasoning_effort or "none"
    summaries = snapshot.reasoning_summary or "auto"
    rows = [
        ("Model", f"{snapshot.model} (reasoning {effort}, summaries {summaries})"),
        ("Model provider", snapshot.provider),
        ("Directory", str(snapshot.cwd)),
        ("Permissions", permissions_label(snapshot.sandbox, snapshot.approval)),
        ("Agents.md", ", ".join(snapshot.agents_md) if snapshot.agents_md else "<none>"),
        ("Collaboration mode", "Default"),
        ("Session", snapshot.thread_id or "<none>"),
    ]
    width = max(len(label) + 1 for label, _ in rows) + 2  # codex aligns values at column 21
    lines = [header, ""]
    lines.extend(f"{label + ':':<{width}}{value}" for label, value in rows)
    lines.append("")
    fresh_input = max(snapshot.input_tokens - snapshot.cached_input_tokens, 0)
    usage = (
        f"{format_si_suffix(fresh_input + snapshot.output_tokens)} total  "
        f"({format_si_suffix(fresh_input)} input + {format_si_suffix(snapshot.output_tokens)} output)"
    )
    lines.append(f"{'Token usage:':<{width}}{usage}")
    if snapshot.context_window:
        left = percent_context_left(snapshot.tokens_in_window, snapshot.context_window)
        window = (
            f"{left}% left ({format_si_suffix(snapshot.tokens_in_window)} used / "
            f"{format_si_suffix(snapshot.context_window)})"
        )
        lines.append(f"{'Context window:':<{width}}{window}")
    return "\n".join(lines)


# ferry: codex_tui::status::helpers::compose_agents_summary @ 1d092cb66
def agents_md_files(cwd: Path, names: tuple[str, ...], markers: tuple[str, ...]) -> tuple[str, ...]:
    """The AGENTS.md files the session reads, relative to ``cwd`` where they can be."""
    from pycodex.prompt.agents_md import project_doc_paths

    shown = []
    for path in project_doc_paths(cwd, names, markers):
        try:
            shown.append(str(path.relative_to(cwd)))
        except ValueError:
            shown.append(str(path))
    return tuple(shown)
