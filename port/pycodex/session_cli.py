"""``pycodex archive|unarchive|delete``: saved sessions, with codex 0.169.0's texts.

``archive`` moves a session's rollout to ``$CODEX_HOME/archived_sessions`` and marks it in
the state database; ``unarchive`` brings it back; ``delete`` removes it for good (without a
terminal to confirm on, only with ``--force`` and a UUID). ``resume`` and ``fork`` open the
interactive UI (:mod:`pycodex.tui.cli`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

NO_TTY = "stdin is not a terminal"
DELETE_NO_TTY = (
    "cannot confirm session deletion without an interactive terminal; "
    "rerun with --force and a session UUID"
)
FORCE_NEEDS_UUID = "--force requires a session UUID; names must be confirmed interactively"


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _config_options(func: F) -> F:
    for option in reversed(
        [
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
        ]
    ):
        func = option(func)
    return func


def _thread_store(params: dict[str, Any]) -> Any:
    """The thread store of the configured CODEX_HOME (database opened when it can be)."""
    from pycodex.config import ConfigOverrides, load_config
    from pycodex.core.state.store import open_store, sqlite_home
    from pycodex.core.threads import ThreadStore
    from pycodex.errors import PycodexError

    try:
        config = load_config(
            ConfigOverrides(
                cli_overrides=tuple(params.get("config_overrides") or ()),
                enable=tuple(params.get("enable") or ()),
                disable=tuple(params.get("disable") or ()),
            )
        )
    except PycodexError as exc:
        _fail(str(exc))
    store, problem = open_store(sqlite_home(config.codex_home, config.sqlite_home))
    if problem is not None:
        click.echo(f"warning: state database unavailable, using rollouts only: {problem}", err=True)
    return ThreadStore(config.codex_home, store)


def _run(action: str, session: str, params: dict[str, Any]) -> None:
    from pycodex.errors import PycodexError

    threads = _thread_store(params)
    try:
        thread_id = getattr(threads, action)(session)
    except PycodexError as exc:
        _fail(str(exc))
    finally:
        if threads.db is not None:
            threads.db.close()
    click.echo(f"{action.capitalize()}d session {thread_id}.")


# ferry: codex_cli::Subcommand @ 1d092cb66 -- nearest item; 0.169.0: `codex archive`
@click.command("archive", context_settings={"help_option_names": ["-h", "--help"]})
@_config_options
@click.argument("session")
def archive_command(session: str, **params: Any) -> None:
    """Archive a saved session by id or session name."""
    _run("archive", session, params)


# ferry: codex_cli::Subcommand @ 1d092cb66 -- nearest item; 0.169.0: `codex unarchive`
@click.command("unarchive", context_settings={"help_option_names": ["-h", "--help"]})
@_config_options
@click.argument("session")
def unarchive_command(session: str, **params: Any) -> None:
    """Unarchive a saved session by id or session name."""
    _run("unarchive", session, params)


# ferry: codex_cli::Subcommand @ 1d092cb66 -- nearest item; 0.169.0: `codex delete`
@click.command("delete", context_settings={"help_option_names": ["-h", "--help"]})
@_config_options
@click.option("--force", is_flag=True, help="Delete without prompting. SESSION must be a UUID.")
@click.argument("session")
def delete_command(session: str, force: bool, **params: Any) -> None:
    """Permanently delete a saved session by id or session name."""
    from pycodex.core.threads import is_uuid

    if force and not is_uuid(session):
        _fail(FORCE_NEEDS_UUID)
    if not force:
        if not sys.stdin.isatty():
            _fail(DELETE_NO_TTY)
        if not click.confirm(f"Permanently delete session {session}?", default=False):
            _fail("deletion cancelled")
    _run("delete", session, params)
