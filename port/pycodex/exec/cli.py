"""``pycodex exec``: run one non-interactive turn, with the flags of upstream ``codex exec``."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from pycodex import UPSTREAM_VERSION, __version__
from pycodex.config.model import Config
from pycodex.errors import ConfigLoadError, PycodexError
from pycodex.exec.argv import ArgvError, ParsedArgs, parse_exec_argv
from pycodex.fsutil import write_text_atomic

F = TypeVar("F", bound=Callable[..., Any])

NO_PROMPT = "No prompt provided. Either specify one as an argument or pipe the prompt into stdin."
NO_PROMPT_STDIN = "No prompt provided via stdin."
NOT_GIT = "Not inside a trusted directory and --skip-git-repo-check was not specified."


# ferry: codex_exec::cli::Cli @ 1d092cb66 -- the flags shared by exec and exec resume
def exec_options(func: F) -> F:
    """The flags of ``exec`` as ``--help`` shows them (parsing is :mod:`pycodex.exec.argv`)."""
    options = [
        click.option(
            "-c",
            "--config",
            "config_overrides",
            multiple=True,
            metavar="key=value",
            help="Override a config value (dotted key; value parsed as TOML).",
        ),
        click.option(
            "--enable",
            multiple=True,
            metavar="FEATURE",
            help="Enable a feature (features.<name>=true).",
        ),
        click.option(
            "--disable",
            multiple=True,
            metavar="FEATURE",
            help="Disable a feature (features.<name>=false).",
        ),
        click.option(
            "-i",
            "--image",
            "images",
            multiple=True,
            type=click.Path(),
            help="Image(s) to attach to the prompt (-i A B C or -i A,B).",
        ),
        click.option(
            "--strict-config",
            is_flag=True,
            help="Error out when config.toml contains fields this version does not know.",
        ),
        click.option(
            "--thread-source", metavar="SOURCE", help="Source classification for new threads."
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
            "--dangerously-bypass-approvals-and-sandbox",
            "--yolo",
            "bypass",
            is_flag=True,
            help="Run commands without sandboxing or approvals. EXTREMELY DANGEROUS.",
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
            "--skip-git-repo-check", is_flag=True, help="Allow running outside a Git repository."
        ),
        click.option(
            "--trust",
            is_flag=True,
            help="Save trust for this project (its .codex config and rules) for this and "
            "future runs. Does not override an explicitly untrusted project.",
        ),
        click.option("--ephemeral", is_flag=True, help="Do not persist session files."),
        click.option(
            "--ignore-user-config", is_flag=True, help="Do not load $CODEX_HOME/config.toml."
        ),
        click.option(
            "--ignore-rules",
            is_flag=True,
            help="Do not load user or project execpolicy .rules files.",
        ),
        click.option(
            "--output-schema",
            type=click.Path(dir_okay=False),
            help="JSON Schema file for the final response.",
        ),
        click.option(
            "--color",
            type=click.Choice(["always", "never", "auto"]),
            default="auto",
            show_default=True,
            help="Accepted for compatibility; pycodex prints no colors.",
        ),
        click.option("--json", "json_mode", is_flag=True, help="Print events to stdout as JSONL."),
        click.option(
            "-o",
            "--output-last-message",
            "last_message_file",
            type=click.Path(dir_okay=False),
            help="Write the agent's last message to this file.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


# ferry: codex_exec::cli::Cli @ 1d092cb66 -- help rendering only; clap-compatible parsing is pycodex.exec.argv
class _HelpCommand(click.Command):
    """Only renders ``--help``: parsing follows clap's rules in :mod:`pycodex.exec.argv`."""


def _abort(message: str) -> NoReturn:
    """Upstream prints these refusals bare (no ``Error:``) and exits 1."""
    click.echo(message, err=True)
    sys.exit(1)


# ferry: codex_exec::PromptDecodeError @ 1d092cb66
class PromptDecodeError(ValueError):
    """Bytes on stdin that are not a UTF-8 prompt (the message says how to convert them)."""


# ferry: codex_exec::decode_prompt_bytes @ 1d092cb66
def decode_prompt_bytes(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or BOM-marked UTF-16; UTF-32 and invalid bytes are refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith(b"\xff\xfe\x00\x00"):
        raise PromptDecodeError("input appears to be UTF-32LE. Convert it to UTF-8 and retry.")
    if data.startswith(b"\x00\x00\xfe\xff"):
        raise PromptDecodeError("input appears to be UTF-32BE. Convert it to UTF-8 and retry.")
    for bom, encoding in ((b"\xff\xfe", "UTF-16LE"), (b"\xfe\xff", "UTF-16BE")):
        if data.startswith(bom):
            rest = data[2:]
            try:
                if len(rest) % 2:
                    raise UnicodeDecodeError(encoding, rest, 0, 1, "odd length")
                return rest.decode("utf-16-le" if encoding == "UTF-16LE" else "utf-16-be")
            except UnicodeDecodeError:
                raise PromptDecodeError(
                    f"input looked like {encoding} but could not be decoded. "
                    "Convert it to UTF-8 and retry."
                ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PromptDecodeError(
            f"input is not valid UTF-8 (invalid byte at offset {exc.start}). Convert it to "
            "UTF-8 and retry (e.g., `iconv -f <ENC> -t UTF-8 prompt.txt`)."
        ) from None


#: how stdin takes part in the prompt (upstream's ``StdinPromptBehavior``).
REQUIRED_IF_PIPED = "required-if-piped"
FORCED = "forced"
OPTIONAL_APPEND = "optional-append"


# ferry: codex_exec::read_prompt_from_stdin @ 1d092cb66
def read_prompt_from_stdin(behavior: str) -> str | None:
    """Read stdin as (part of) the prompt; refusals print upstream's text and exit 1."""
    stdin = sys.stdin
    is_terminal = stdin.isatty()
    if behavior == REQUIRED_IF_PIPED:
        if is_terminal:
            _abort(NO_PROMPT)
        click.echo("Reading prompt from stdin...", err=True)
    elif behavior == OPTIONAL_APPEND:
        if is_terminal:
            return None
        click.echo("Reading additional input from stdin...", err=True)
    try:
        data = stdin.buffer.read()
    except OSError as exc:
        _abort(f"Failed to read prompt from stdin: {exc.strerror} (os error {exc.errno})")
    try:
        text = decode_prompt_bytes(data)
    except PromptDecodeError as exc:
        _abort(f"Failed to read prompt from stdin: {exc}")
    if not text.strip():
        if behavior == OPTIONAL_APPEND:
            return None
        _abort(NO_PROMPT_STDIN)
    return text


# ferry: codex_exec::prompt_with_stdin_context @ 1d092cb66
def prompt_with_stdin_context(prompt: str, stdin_text: str) -> str:
    tail = "" if stdin_text.endswith("\n") else "\n"
    return f"{prompt}\n\n<stdin>\n{stdin_text}{tail}</stdin>"


# ferry: codex_exec::resolve_prompt @ 1d092cb66
def resolve_prompt(prompt: str | None) -> str:
    """The prompt of ``resume``: the argument, or stdin when it is missing or ``-``."""
    if prompt is not None and prompt != "-":
        return prompt
    text = read_prompt_from_stdin(FORCED if prompt == "-" else REQUIRED_IF_PIPED)
    assert text is not None  # refusals exit
    return text


# ferry: codex_exec::resolve_root_prompt @ 1d092cb66
def resolve_root_prompt(prompt: str | None) -> str:
    """The prompt of a new run: piped stdin is appended to a prompt argument as <stdin>."""
    if prompt is not None and prompt != "-":
        extra = read_prompt_from_stdin(OPTIONAL_APPEND)
        return prompt if extra is None else prompt_with_stdin_context(prompt, extra)
    return resolve_prompt(prompt)


def _is_git_marker(marker: Path) -> bool:
    if marker.is_dir():
        return (marker / "HEAD").is_file()
    if marker.is_file():
        try:
            return marker.read_text(encoding="utf-8", errors="replace").startswith("gitdir:")
        except OSError:
            return False
    return False


def _inside_git_repo(cwd: Path) -> bool:
    """True when cwd is inside a work tree (a ``.git`` directory or a worktree ``.git`` file)."""
    return any(_is_git_marker(p / ".git") for p in (cwd, *cwd.parents))


def _write_last_message(path: str, text: str | None) -> None:
    """Write the last message (empty, with a warning, when there is none) atomically."""
    target = Path(path)
    if text is None:
        click.echo(f"Warning: no last agent message; wrote empty content to {target}", err=True)
    write_text_atomic(target, text or "")


def _load_images(paths: Sequence[str]) -> list[tuple[str, Path]]:
    """``-i`` files as (path as given, path): a file that is missing or not an image does not
    stop the run; the user turn says so in its place, as upstream."""
    return [(raw, Path(raw)) for value in paths for raw in value.split(",") if raw]


def _summary(config: Config, thread_id: str) -> list[tuple[str, str]]:
    sandbox: str = config.sandbox.mode
    if sandbox == "workspace-write":
        roots = ["workdir"]
        if not config.sandbox.exclude_slash_tmp:
            roots.append("/tmp")
        if not config.sandbox.exclude_tmpdir_env_var:
            roots.append("$TMPDIR")
        roots.extend(str(r) for r in config.sandbox.writable_roots)
        sandbox = f"{sandbox} [{', '.join(roots)}]"
        if config.sandbox.network_access:
            sandbox += " (network access enabled)"
    return [
        ("workdir", str(config.cwd)),
        ("model", config.model),
        ("provider", config.model_provider.id),
        ("approval", config.approval_policy),
        ("sandbox", sandbox),
        ("reasoning effort", config.model_reasoning_effort or "none"),
        ("reasoning summaries", config.model_reasoning_summary or "none"),
        ("session id", thread_id),
    ]


#: flags codex 0.169.0 accepts that change what a run does, which pycodex does not implement.
UNSUPPORTED_FLAGS = {
    "oss": "--oss",
    "local_provider": "--local-provider",
    "approve_for_me": "--approve-for-me",
    "worktree": "--worktree",
    "cyber_access_program": "--cyber-access-program",
}


# ferry: port-only -- refusal of a flag the Rust binary has and the port does not implement
def refuse_unsupported(parsed: ParsedArgs) -> None:
    for dest, flag in UNSUPPORTED_FLAGS.items():
        if parsed.get(dest) is not None:
            click.echo(f"error: {flag} is not supported by pycodex yet", err=True)
            sys.exit(2)
    if parsed.subcommand not in (None, "resume", "fork"):
        click.echo(
            f"error: `codex exec {parsed.subcommand}` is not supported by pycodex yet", err=True
        )
        sys.exit(2)
    if parsed.get("bypass_hook_trust"):
        click.echo(
            "warning: --dangerously-bypass-hook-trust has no effect: pycodex does not run hooks",
            err=True,
        )


# ferry: codex_exec::load_output_schema @ 1d092cb66
def load_output_schema(path: str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        _abort(f"Failed to read output schema file {path}: {exc.strerror} (os error {exc.errno})")
    from pycodex.jsonerr import serde_json_error

    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        _abort(f"Output schema file {path} is not valid JSON: {serde_json_error(exc, text)}")
    return value if isinstance(value, dict) else {"__non_object__": value}


# ferry: codex_exec::run_main @ 1d092cb66 -- 0.169.0 flags; exec resume/fork through the thread store
def run_exec(parsed: ParsedArgs) -> int:
    """One ``exec`` run: a new thread, ``exec resume`` (id, name or ``--last``) or ``exec fork``."""
    from pycodex.client import ModelClient, resolve_credentials
    from pycodex.config import ConfigOverrides, load_config
    from pycodex.core.session import Session, installation_id
    from pycodex.core.threads import StateHooks
    from pycodex.exec.output import HumanPrinter, JsonlPrinter

    sandbox_mode = parsed.get("sandbox_mode")
    bypass = bool(parsed.get("bypass"))
    if bypass:
        sandbox_mode = "danger-full-access"
    overrides = ConfigOverrides(
        model=parsed.get("model"),
        sandbox_mode=sandbox_mode,
        approval_policy="never",
        cwd=Path(parsed.get("cwd")) if parsed.get("cwd") else None,
        profile=parsed.get("profile"),
        cli_overrides=tuple(parsed.get("config_overrides") or ()),
        enable=tuple(parsed.get("enable") or ()),
        disable=tuple(parsed.get("disable") or ()),
        add_dirs=tuple(Path(d) for d in parsed.get("add_dirs") or ()),
        ephemeral=bool(parsed.get("ephemeral")),
        ignore_user_config=bool(parsed.get("ignore_user_config")),
        ignore_rules=bool(parsed.get("ignore_rules")),
        strict_config=bool(parsed.get("strict_config")),
        thread_source=parsed.get("thread_source"),
        trust_project=bool(parsed.get("trust")),
    )
    config = load_config(overrides)
    for warning in config.port_warnings:
        click.echo(warning, err=True)
    if config.untrusted_project_folders:
        from pycodex.config.trust import UNTRUSTED_PROJECT_WARNING

        click.echo(UNTRUSTED_PROJECT_WARNING, err=True)
    json_mode = bool(parsed.get("json_mode"))
    resuming = parsed.subcommand == "resume"
    forking = parsed.subcommand == "fork"
    image_args = list(parsed.get("images") or ())
    resumed = None
    store = None
    if forking:
        # codex looks the parent up before it reads any prompt
        installation_id(config.codex_home)
        store, threads = _open_threads(config)
        resumed = threads.resolve(parsed.session_id, last=False, cwd=None, verb="fork")
    text: str | None = None
    if forking and parsed.resume_prompt is None:
        text = None  # `exec fork ID` without a prompt records the fork and runs no turn
    elif resuming or forking:
        prompt_arg = (
            parsed.resume_prompt
            or (parsed.session_id if parsed.get("last") else None)
            or parsed.prompt
        )
        text = resolve_prompt(prompt_arg)
        image_args += list(parsed.get("resume_images") or ())
    else:
        text = resolve_root_prompt(parsed.prompt)
    output_schema = load_output_schema(parsed.get("output_schema"))
    if not parsed.get("skip_git_repo_check") and not bypass and not _inside_git_repo(config.cwd):
        _abort(NOT_GIT)
    images = _load_images(image_args)
    credentials = resolve_credentials(config.model_provider, config.codex_home)
    provider = config.model_provider
    if credentials is not None and credentials.mode == "chatgpt" and provider.id == "openai":
        from dataclasses import replace as _replace

        from pycodex.auth.credentials import CHATGPT_CODEX_BASE_URL

        if provider.base_url == "https://api.openai.com/v1":  # no OPENAI_BASE_URL override
            provider = _replace(provider, base_url=CHATGPT_CODEX_BASE_URL)
    client = ModelClient(
        provider,
        credentials.bearer if credentials is not None else None,
        auth_headers=dict(credentials.headers) if credentials is not None else None,
    )
    printer: JsonlPrinter | HumanPrinter = (
        JsonlPrinter()
        if json_mode
        else HumanPrinter(cwd=str(config.cwd), show_reasoning=not config.hide_agent_reasoning)
    )
    if not forking:
        installation_id(config.codex_home)  # created at start-up, before any resume lookup
        store, threads = _open_threads(config)
        if resuming:
            resumed = threads.resolve(
                None if parsed.get("last") else parsed.session_id,
                last=bool(parsed.get("last")),
                cwd=None if parsed.get("all") else config.cwd,
            )
    hooks = None
    if store is not None:
        preview = resumed.first_user_message if forking and resumed else None
        hooks = StateHooks(store, preview=preview)
    session = Session(
        config,
        client,
        printer,
        resumed=resumed,
        fork=forking,
        output_schema=output_schema,
        hooks=hooks,
    )
    if isinstance(printer, HumanPrinter) and text is not None:
        printer.header(
            f"pycodex v{__version__} (port of Codex CLI {UPSTREAM_VERSION})",
            _summary(config, session.thread_id),
            text,
        )
    try:
        session.start()
        outcome = session.run_turn(text, images) if text is not None else None
    finally:
        session.close()
        if store is not None:
            store.close()
    if outcome is None:
        return 0  # `exec fork ID` without a prompt: the fork is recorded, no turn runs
    if outcome.error is not None:
        return 1
    if parsed.get("last_message_file"):
        _write_last_message(parsed.get("last_message_file"), outcome.last_message)
    printer.final_message(outcome.last_message)
    return 0


def _open_threads(config: Config) -> tuple[Any, Any]:
    """The state database (``None`` for ``--ephemeral`` or when it cannot open) and the
    thread store over it and the rollouts."""
    from pycodex.core.state.store import open_store, sqlite_home
    from pycodex.core.threads import ThreadStore

    store = None
    if not config.ephemeral:
        store, problem = open_store(sqlite_home(config.codex_home, config.sqlite_home))
        if problem is not None:
            click.echo(
                f"warning: state database unavailable, using rollouts only: {problem}", err=True
            )
    return store, ThreadStore(config.codex_home, store)


def _run(parsed: ParsedArgs) -> None:
    # A harness timeout sends SIGTERM: unwind like Ctrl-C so the session's finally
    # block kills the command sessions it started and closes the rollout.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        code = run_exec(parsed)
    except ConfigLoadError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(1)
    except PycodexError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(code)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@click.command("resume", cls=_HelpCommand, context_settings={"help_option_names": ["-h", "--help"]})
@exec_options
@click.option("--last", is_flag=True, help="Resume the most recent session.")
@click.option("--all", "all_", is_flag=True, help="Consider sessions of every directory.")
@click.argument("session_id", required=False)
@click.argument("prompt", required=False)
def _resume_help(**params: Any) -> None:
    """Resume a previous session by id or pick the most recent with --last."""


# ferry: codex_exec::cli::ResumeArgs @ 1d092cb66 -- nearest item; 0.169.0: `exec fork` takes resume's arguments
@click.command("fork", cls=_HelpCommand, context_settings={"help_option_names": ["-h", "--help"]})
@exec_options
@click.argument("session_id")
@click.argument("prompt", required=False)
def _fork_help(**params: Any) -> None:
    """Fork a previous session by id into a new session."""


# ferry: codex_exec::cli::Cli @ 1d092cb66
# ferry: codex_exec::resolve_prompt @ 1d092cb66
@click.command("exec", cls=_HelpCommand, context_settings={"help_option_names": ["-h", "--help"]})
@exec_options
@click.argument("prompt", required=False)
def _exec_help(**params: Any) -> None:
    """Run Codex non-interactively.

    PROMPT is read from stdin when omitted or `-`; when both are given and stdin is
    piped, stdin is appended as a <stdin> block.
    """


def _raw_args(args: tuple[str, ...]) -> list[str]:
    """The arguments after ``exec`` exactly as given: click drops a ``--`` that clap keeps
    meaningful (``-i a.png -- PROMPT`` ends the image list)."""
    ctx = click.get_current_context(silent=True)
    name = ctx.info_name if ctx is not None else None
    argv = sys.argv[1:]
    if name and name in argv:
        raw = argv[argv.index(name) + 1 :]
        if [a for a in raw if a != "--"] == [a for a in args if a != "--"]:
            return raw
    return list(args)


def _print_help(command: click.Command, name: str) -> None:
    with click.Context(command, info_name=name) as ctx:
        click.echo(command.get_help(ctx))


# ferry: codex_exec::cli::Cli @ 1d092cb66 -- 0.169.0: `codex exec` entry; clap rules in argv.py
@click.command(
    "exec",
    add_help_option=False,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def exec_command(args: tuple[str, ...]) -> None:
    """Run Codex non-interactively (see `pycodex exec --help`)."""
    try:
        parsed = parse_exec_argv(_raw_args(args))
    except ArgvError as exc:
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    if parsed.get("help"):
        if parsed.subcommand == "resume":
            _print_help(_resume_help, "pycodex exec resume")
        elif parsed.subcommand == "fork":
            _print_help(_fork_help, "pycodex exec fork")
        else:
            _print_help(_exec_help, "pycodex exec")
        return
    if parsed.get("version"):
        click.echo(f"pycodex-exec {__version__} (codex-cli-exec {UPSTREAM_VERSION})")
        return
    refuse_unsupported(parsed)
    _run(parsed)
