"""``pycodex [PROMPT]``, ``pycodex resume`` and ``pycodex fork``: start the interactive UI.

The flags are codex 0.169.0's interactive ones that pycodex supports. Textual is imported
only once the UI is about to start.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pycodex.tui.launch import run_tui

F = TypeVar("F", bound=Callable[..., Any])


# ferry: codex_tui::cli::Cli @ 1d092cb66 -- 0.169.0: the options pycodex supports
def tui_options(func: F) -> F:
    """The interactive UI's flags (shared by ``pycodex``, ``resume`` and ``fork``)."""
    options = [
        click.option(
            "-c",
            "--config",
            "config_overrides",
            multiple=True,
            metavar="key=value",
            help="Override a config value (dotted key; value parsed as TOML).",
        ),
        click.option("--enable", multiple=True, metavar="FEATURE", help="Enable a feature."),
        click.option("--disable", multiple=True, metavar="FEATURE", help="Disable a feature."),
        click.option(
            "-i",
            "--image",
            "images",
            multiple=True,
            type=click.Path(),
            help="Image(s) to attach to the initial prompt.",
        ),
        click.option("-m", "--model", help="Model the agent should use."),
        click.option("-p", "--profile", help="Config profile to layer on top of config.toml."),
        click.option(
            "-s",
            "--sandbox",
            "sandbox_mode",
            type=click.Choice(["read-only", "workspace-write", "danger-full-access"]),
            help="Sandbox policy for model-generated shell commands.",
        ),
        click.option(
            "-a",
            "--ask-for-approval",
            "approval_policy",
            type=click.Choice(["on-request", "never"]),
            help="When the model needs your approval before running a command.",
        ),
        click.option(
            "--dangerously-bypass-approvals-and-sandbox",
            "--yolo",
            "bypass",
            is_flag=True,
            help="Skip all confirmation prompts and run commands without sandboxing. "
            "EXTREMELY DANGEROUS.",
        ),
        click.option(
            "-C",
            "--cd",
            "cwd",
            type=click.Path(file_okay=False),
            help="Working root for the agent.",
        ),
        click.option(
            "--add-dir",
            "add_dirs",
            multiple=True,
            type=click.Path(),
            help="Extra writable directory.",
        ),
        click.option(
            "--no-alt-screen",
            is_flag=True,
            help="Run inline (below the shell prompt) instead of the alternate screen.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


#: parameter names of :func:`tui_options` with their "not given" values.
TUI_DEFAULTS: dict[str, Any] = {
    "config_overrides": (),
    "enable": (),
    "disable": (),
    "images": (),
    "model": None,
    "profile": None,
    "sandbox_mode": None,
    "approval_policy": None,
    "bypass": False,
    "cwd": None,
    "add_dirs": (),
    "no_alt_screen": False,
}


# ferry: codex_cli::Subcommand::Resume @ 1d092cb66 -- 0.169.0: picker by default, --last, an id or name
@click.command("resume", context_settings={"help_option_names": ["-h", "--help"]})
@tui_options
@click.option("--last", is_flag=True, help="Continue the most recent session without the picker.")
@click.option("--all", "all_dirs", is_flag=True, help="Show sessions from every directory.")
@click.option(
    "--include-non-interactive",
    is_flag=True,
    help="Include non-interactive (exec) sessions in the picker and --last.",
)
@click.argument("session_id", required=False)
@click.argument("prompt", required=False)
def resume_command(
    session_id: str | None,
    prompt: str | None,
    last: bool,
    all_dirs: bool,
    include_non_interactive: bool,
    **params: Any,
) -> None:
    """Resume a previous interactive session (picker by default; use --last to continue the
    most recent)."""
    from pycodex.tui.backend import ThreadChoice

    if last and session_id is not None and prompt is None:
        session_id, prompt = None, session_id
    if session_id is None and not last:
        sys.exit(
            run_tui(
                params,
                prompt,
                picker="resume",
                picker_all=all_dirs,
                include_non_interactive=include_non_interactive,
            )
        )
    choice = ThreadChoice(
        ref=session_id,
        last=last,
        all_dirs=all_dirs,
        include_non_interactive=include_non_interactive,
    )
    sys.exit(run_tui(params, prompt, choice=choice))


# ferry: codex_cli::Subcommand::Fork @ 1d092cb66 -- 0.169.0: picker by default, --last, an id
@click.command("fork", context_settings={"help_option_names": ["-h", "--help"]})
@tui_options
@click.option("--last", is_flag=True, help="Fork the most recent session without the picker.")
@click.option("--all", "all_dirs", is_flag=True, help="Show sessions from every directory.")
@click.argument("session_id", required=False)
@click.argument("prompt", required=False)
def fork_command(
    session_id: str | None, prompt: str | None, last: bool, all_dirs: bool, **params: Any
) -> None:
    """Fork a previous interactive session (picker by default; use --last to fork the most
    recent)."""
    from pycodex.tui.backend import ThreadChoice

    if last and session_id is not None and prompt is None:
        session_id, prompt = None, session_id
    if session_id is None and not last:
        sys.exit(run_tui(params, prompt, picker="fork", picker_all=all_dirs))
    choice = ThreadChoice(ref=session_id, last=last, all_dirs=all_dirs, fork=True)
    sys.exit(run_tui(params, prompt, choice=choice))
