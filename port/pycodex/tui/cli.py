"""``pycodex [PROMPT]``, ``pycodex resume`` and ``pycodex fork``: start the interactive UI.

The flags are codex 0.169.0's interactive ones that pycodex supports. Textual is imported
only once the UI is about to start.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

NO_TTY = "stdin is not a terminal"


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


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


# ferry: codex_tui::run_main @ 1d092cb66
def run_tui(
    params: dict[str, Any],
    prompt: str | None,
    *,
    choice: Any = None,
    picker: str | None = None,
    picker_all: bool = False,
    include_non_interactive: bool = False,
) -> int:
    """Validate the configuration, run the UI, print codex's exit summary; the exit code."""
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        _fail(NO_TTY)
    from pycodex.config import ConfigOverrides, load_config
    from pycodex.config.loader import load_layers
    from pycodex.core.state.store import sqlite_home
    from pycodex.errors import PycodexError

    sandbox_mode = params.get("sandbox_mode")
    approval = params.get("approval_policy")
    if params.get("bypass"):
        sandbox_mode, approval = "danger-full-access", "never"
    overrides = ConfigOverrides(
        model=params.get("model"),
        sandbox_mode=sandbox_mode,
        approval_policy=approval,
        default_approval_policy="on-request",
        cwd=Path(params["cwd"]) if params.get("cwd") else None,
        profile=params.get("profile"),
        cli_overrides=tuple(params.get("config_overrides") or ()),
        enable=tuple(params.get("enable") or ()),
        disable=tuple(params.get("disable") or ()),
        add_dirs=tuple(Path(d) for d in params.get("add_dirs") or ()),
    )
    try:
        config = load_config(overrides)
        table = load_layers(
            home=config.codex_home,
            cwd=config.cwd,
            overrides=overrides.cli_overrides,
            profile=overrides.profile,
            enable=overrides.enable,
            disable=overrides.disable,
        ).table
    except PycodexError as exc:
        _fail(str(exc))
    history = table.get("history") if isinstance(table.get("history"), dict) else {}
    persistence = (
        history.get("persistence", "save-all") if isinstance(history, dict) else "save-all"
    )
    if persistence not in ("save-all", "none"):
        _fail(
            f'config key `history.persistence`: expected "save-all" or "none", got {persistence!r}'
        )
    images = tuple(Path(p) for value in params.get("images") or () for p in value.split(",") if p)
    for image in images:
        if not image.is_file():
            _fail(f"failed to read image {image}: No such file or directory")

    from pycodex.tui.app import CodexApp, TuiOptions
    from pycodex.tui.text import exit_messages

    options = TuiOptions(
        overrides=overrides,
        codex_home=config.codex_home,
        cwd=config.cwd,
        prompt=prompt,
        images=images,
        choice=choice,
        picker=picker,
        picker_all=picker_all,
        include_non_interactive=include_non_interactive,
        history_persistence=persistence == "save-all",
        sqlite_home=sqlite_home(config.codex_home, config.sqlite_home),
    )
    app = CodexApp(options)
    code = app.run(inline=bool(params.get("no_alt_screen")))
    info = app.exit_info
    if info.error is not None and info.thread_id is None:
        click.echo(f"Error: {info.error}", err=True)
        return 1
    from pycodex.client.events import TokenUsage

    usage = info.usage if isinstance(info.usage, TokenUsage) else TokenUsage()
    for line in exit_messages(usage, info.thread_id):
        click.echo(line)
    return code or 0


# ferry: codex_cli::main::Subcommand::Resume @ 1d092cb66 -- 0.169.0: picker by default, --last, an id or name
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


# ferry: codex_cli::main::Subcommand::Fork @ 1d092cb66 -- 0.169.0: picker by default, --last, an id
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
