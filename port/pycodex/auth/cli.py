"""``pycodex login [status]`` and ``pycodex logout``, with codex 0.169.0's texts and exit codes.

``login --with-api-key`` reads the key from stdin into ``auth.json`` (mode 0600);
``login status`` says how you are logged in; ``logout`` removes the file (revoking ChatGPT
tokens first, best effort). The browser and device-code ChatGPT logins need OpenAI's
sign-in service and are not part of pycodex: they stop with a message naming the
alternatives (an API key, or an ``auth.json`` written by ``codex login``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

LOGIN_SUCCESS = "API key saved. Authentication is checked when you send a request."
CHECKED_LATER = "Authentication is checked when you send a request."
API_KEY_LOGIN_DISABLED = "API key login is disabled. Use ChatGPT login instead."
NO_TTY_KEY = (
    "--with-api-key expects the API key on stdin. Try piping it, e.g. "
    "`printenv OPENAI_API_KEY | pycodex login --with-api-key`."
)
BROWSER_LOGIN_UNAVAILABLE = (
    "ChatGPT sign-in ({how}) is not available in pycodex. Log in with an API key "
    "(`printenv OPENAI_API_KEY | pycodex login --with-api-key`), or copy the auth.json that "
    "`codex login` wrote into {home}: pycodex reads and refreshes its ChatGPT tokens."
)


def _exit(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def _options(func: F) -> F:
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


def _settings(params: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    """CODEX_HOME and the merged config table (``forced_login_method`` and friends)."""
    from pycodex.config.loader import codex_home, load_layers
    from pycodex.errors import PycodexError

    home = codex_home()
    try:
        loaded = load_layers(
            home=home,
            cwd=Path.cwd(),
            overrides=tuple(params.get("config_overrides") or ()),
            enable=tuple(params.get("enable") or ()),
            disable=tuple(params.get("disable") or ()),
        )
    except PycodexError as exc:
        _exit(f"Error loading configuration: {exc}", 1)
    store = loaded.table.get("cli_auth_credentials_store")
    if store not in (None, "file"):
        click.echo(
            f"warning: cli_auth_credentials_store = {store!r} is not supported by pycodex; "
            f"credentials are kept in {home / 'auth.json'}",
            err=True,
        )
    return home, loaded.table


# ferry: codex_cli::login::safe_format_key @ 1d092cb66
def safe_format_key(key: str) -> str:
    """The first 8 and last 5 characters of a key (``***`` for short ones)."""
    if len(key) <= 13:
        return "***"
    return f"{key[:8]}***{key[-5:]}"


# ferry: codex_cli::LoginCommand @ 1d092cb66 -- 0.169.0
@click.group(
    "login",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@_options
@click.option("--with-api-key", is_flag=True, help="Read the API key from stdin.")
@click.option("--with-access-token", is_flag=True, help="Read an access token from stdin.")
@click.option("--device-auth", is_flag=True, help="Sign in with a device code.")
@click.pass_context
def login_group(
    ctx: click.Context,
    /,
    with_api_key: bool,
    with_access_token: bool,
    device_auth: bool,
    **params: Any,
) -> None:
    """Manage login."""
    ctx.obj = params
    if ctx.invoked_subcommand is not None:
        return
    home, table = _settings(params)
    if with_api_key:
        _login_with_api_key(home, table)
    how = (
        "--with-access-token"
        if with_access_token
        else "--device-auth"
        if device_auth
        else "browser login"
    )
    _exit("Error: " + BROWSER_LOGIN_UNAVAILABLE.format(how=how, home=home), 1)


# ferry: codex_cli::login::init_login_file_logging @ 1d092cb66
def login_log_file(home: Path) -> None:
    """codex keeps a log of every login attempt in ``CODEX_HOME/log/codex-login.log`` (0600,
    appended to); pycodex has nothing to add to it at codex's info level, but creates it
    where codex does, so tools watching for it behave the same."""
    log_dir = home / "log"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        os.close(
            os.open(log_dir / "codex-login.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        )
    except OSError as exc:
        click.echo(
            f"Warning: failed to open login log file {log_dir / 'codex-login.log'}: {exc}", err=True
        )


# ferry: codex_cli::login::run_login_with_api_key @ 1d092cb66
# ferry: codex_cli::login::read_api_key_from_stdin @ 1d092cb66
def _login_with_api_key(home: Path, table: dict[str, Any]) -> NoReturn:
    from pycodex.auth.storage import AuthDotJson, save_auth

    login_log_file(home)
    if sys.stdin.isatty():
        _exit(NO_TTY_KEY, 1)
    click.echo("Reading API key from stdin...", err=True)
    try:
        key = sys.stdin.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        _exit(f"Failed to read API key from stdin: {exc}", 1)
    if not key:
        _exit("No API key provided via stdin.", 1)
    if table.get("forced_login_method") == "chatgpt":
        _exit(API_KEY_LOGIN_DISABLED, 1)
    try:
        save_auth(home, AuthDotJson(auth_mode="apikey", openai_api_key=key))
    except OSError as exc:
        _exit(f"Error logging in: {exc}", 1)
    _exit(LOGIN_SUCCESS, 0)


# ferry: codex_cli::login::run_login_status @ 1d092cb66 -- 0.169.0 texts
@login_group.command("status")
@_options
def status_command(**params: Any) -> None:
    """Show login status."""
    from pycodex.auth.storage import load_auth
    from pycodex.errors import AuthError

    parent = click.get_current_context().parent
    merged = {**(parent.obj or {} if parent is not None else {}), **params}
    home, _table = _settings(merged)
    try:
        auth = load_auth(home)
    except AuthError as exc:
        _exit(f"Error checking login status: {exc}", 1)
    if auth is None:
        _exit("Not logged in", 1)
    if auth.resolved_mode == "apikey":
        if not auth.openai_api_key:
            _exit("Not logged in", 1)
        _exit(f"API key configured - {safe_format_key(auth.openai_api_key)}\n{CHECKED_LATER}", 0)
    _exit("Logged in using ChatGPT", 0)


# ferry: codex_cli::login::run_logout @ 1d092cb66
@click.command("logout", context_settings={"help_option_names": ["-h", "--help"]})
@_options
def logout_command(**params: Any) -> None:
    """Remove stored authentication credentials."""
    from pycodex.auth.manager import revoke_tokens
    from pycodex.auth.storage import delete_auth, load_auth
    from pycodex.errors import AuthError

    home, _table = _settings(params)
    try:
        auth = load_auth(home)
    except AuthError:
        auth = None  # a damaged file is still removed
    if auth is not None:
        revoke_tokens(auth)  # best effort, as codex: local credentials go regardless
    try:
        removed = delete_auth(home)
    except OSError as exc:
        _exit(f"Error logging out: {exc}", 1)
    _exit("Successfully logged out" if removed else "Not logged in", 0)
