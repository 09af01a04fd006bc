"""``pycodex exec``: run one non-interactive turn, with the flags of upstream ``codex exec``."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from pycodex import UPSTREAM_VERSION, __version__
from pycodex.config.model import Config
from pycodex.errors import PycodexError
from pycodex.fsutil import write_text_atomic

F = TypeVar("F", bound=Callable[..., Any])

NO_PROMPT = "No prompt provided. Either specify one as an argument or pipe the prompt into stdin."
NO_PROMPT_STDIN = "No prompt provided via stdin."
NOT_GIT = "Not inside a trusted directory and --skip-git-repo-check was not specified."


# ferry: codex_exec::cli::Cli @ 1d092cb66 -- the flags shared by exec and exec resume
def exec_options(func: F) -> F:
    """The flags shared by ``exec`` and ``exec resume``."""
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
            help="Image(s) to attach to the prompt.",
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
        click.option("--full-auto", is_flag=True, help="Alias for --sandbox workspace-write."),
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


# ferry: codex_exec::cli::Command @ 1d092cb66 -- routes `exec resume`
class ExecCommand(click.Command):
    """Routes ``exec resume …`` to the resume command, like upstream's subcommand."""

    # ferry: codex_exec::cli::Command @ 1d092cb66 -- clap's subcommand dispatch
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        found = self._subcommand_index(args)
        if found is not None:
            index, name = found
            ctx.meta["pycodex.subcommand"] = name
            sub = SUBCOMMANDS[name]
            return sub.parse_args(ctx, args[:index] + args[index + 1 :])
        return super().parse_args(ctx, args)

    def _subcommand_index(self, args: list[str]) -> tuple[int, str] | None:
        """Position of ``resume``/``fork`` when it is the first positional argument (flags may
        precede it)."""
        takes_value = {
            opt
            for param in self.params
            if isinstance(param, click.Option) and not param.is_flag
            for opt in param.opts
        }
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                return None
            if token.startswith("-") and token != "-":
                i += 2 if token in takes_value else 1
                continue
            return (i, token) if token in SUBCOMMANDS else None
        return None

    # ferry: codex_exec::run_main @ 1d092cb66
    def invoke(self, ctx: click.Context) -> Any:
        name = ctx.meta.get("pycodex.subcommand")
        if name is not None:
            return ctx.invoke(SUBCOMMANDS[name].callback or (lambda **_: None), **ctx.params)
        return super().invoke(ctx)


def _abort(message: str) -> NoReturn:
    """Upstream prints these refusals bare (no ``Error:``) and exits 1."""
    click.echo(message, err=True)
    sys.exit(1)


def _read_prompt(prompt: str | None, *, append_stdin: bool = True) -> str:
    stdin = sys.stdin
    if prompt is None or prompt == "-":
        if prompt is None and stdin.isatty():
            _abort(NO_PROMPT)
        click.echo("Reading prompt from stdin...", err=True)
        text = stdin.read()
        if not text.strip():
            _abort(NO_PROMPT_STDIN)
        return text
    if append_stdin and not stdin.isatty():
        click.echo("Reading additional input from stdin...", err=True)
        try:
            extra = stdin.read()
        except OSError:
            extra = ""
        if extra.strip():
            return f"{prompt}\n\n<stdin>\n{extra.rstrip(chr(10))}\n</stdin>"
    return prompt


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


def _load_images(paths: Sequence[str]) -> list[tuple[str, str]]:
    """``-i`` files as (path as given, data URL); unreadable ones stop the run before any request."""
    from pycodex.images import UnsupportedImage, image_data_url

    loaded = []
    for raw in (part for value in paths for part in value.split(",") if part):
        try:
            loaded.append((raw, image_data_url(Path(raw))))
        except OSError as exc:
            raise click.ClickException(f"failed to read image {raw}: {exc.strerror}") from None
        except UnsupportedImage as exc:
            raise click.ClickException(f"failed to read image {raw}: {exc}") from None
    return loaded


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


# ferry: codex_exec::run_main @ 1d092cb66
def run_exec(
    params: dict[str, Any],
    prompt: str | None,
    *,
    resume: tuple[str | None, bool, bool] | None = None,
    fork: str | None = None,
) -> int:
    """One ``exec`` run: a new thread, ``resume=(id or name, --last, --all)`` or ``fork=id``."""
    from pycodex.client import ModelClient, resolve_credentials
    from pycodex.config import ConfigOverrides, load_config
    from pycodex.core.session import Session, parse_output_schema
    from pycodex.core.state.store import open_store, sqlite_home
    from pycodex.core.threads import StateHooks, ThreadStore
    from pycodex.exec.output import HumanPrinter, JsonlPrinter

    sandbox_mode = params.get("sandbox_mode")
    if params.get("full_auto") and sandbox_mode is None:
        sandbox_mode = "workspace-write"
    if params.get("bypass"):
        sandbox_mode = "danger-full-access"
    overrides = ConfigOverrides(
        model=params.get("model"),
        sandbox_mode=sandbox_mode,
        approval_policy="never",
        cwd=Path(params["cwd"]) if params.get("cwd") else None,
        profile=params.get("profile"),
        cli_overrides=tuple(params.get("config_overrides") or ()),
        enable=tuple(params.get("enable") or ()),
        disable=tuple(params.get("disable") or ()),
        add_dirs=tuple(Path(d) for d in params.get("add_dirs") or ()),
        ephemeral=bool(params.get("ephemeral")),
        ignore_user_config=bool(params.get("ignore_user_config")),
        ignore_rules=bool(params.get("ignore_rules")),
        trust_project=bool(params.get("trust")),
    )
    config = load_config(overrides)
    if config.untrusted_project_folders:
        from pycodex.config.trust import UNTRUSTED_PROJECT_WARNING

        click.echo(UNTRUSTED_PROJECT_WARNING, err=True)
    json_mode = bool(params.get("json_mode"))
    store = None
    if not config.ephemeral:
        store, problem = open_store(sqlite_home(config.codex_home, config.sqlite_home))
        if problem is not None:
            click.echo(
                f"warning: state database unavailable, using rollouts only: {problem}", err=True
            )
    threads = ThreadStore(config.codex_home, store)
    resumed = None
    if resume is not None:
        ref, last, all_dirs = resume
        resumed = threads.resolve(ref, last=last, cwd=None if all_dirs else config.cwd)
    elif fork is not None:
        resumed = threads.resolve(fork, last=False, cwd=None, verb="fork")
    # codex appends piped stdin to a new thread's prompt only.
    text = _read_prompt(prompt, append_stdin=resume is None and fork is None)
    if not params.get("skip_git_repo_check") and not _inside_git_repo(config.cwd):
        _abort(NOT_GIT)
    images = _load_images(params.get("images") or ())
    output_schema = (
        parse_output_schema(Path(params["output_schema"])) if params.get("output_schema") else None
    )
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
        JsonlPrinter() if json_mode else HumanPrinter(cwd=str(config.cwd))
    )
    hooks = None
    if store is not None:
        preview = resumed.first_user_message if fork is not None and resumed else None
        hooks = StateHooks(store, preview=preview)
    session = Session(
        config,
        client,
        printer,
        resumed=resumed,
        fork=fork is not None,
        output_schema=output_schema,
        hooks=hooks,
    )
    if isinstance(printer, HumanPrinter):
        printer.header(
            f"pycodex v{__version__} (port of Codex CLI {UPSTREAM_VERSION})",
            _summary(config, session.thread_id),
            text,
        )
    try:
        session.start()
        outcome = session.run_turn(text, images)
    finally:
        session.close()
        if store is not None:
            store.close()
    if outcome.error is not None:
        return 1
    if params.get("last_message_file"):
        _write_last_message(params["last_message_file"], outcome.last_message)
    printer.final_message(outcome.last_message)
    return 0


def _run(
    params: dict[str, Any],
    prompt: str | None,
    resume: tuple[str | None, bool, bool] | None = None,
    fork: str | None = None,
) -> None:
    # A harness timeout sends SIGTERM: unwind like Ctrl-C so the session's finally
    # block kills the command sessions it started and closes the rollout.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        code = run_exec(params, prompt, resume=resume, fork=fork)
    except PycodexError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(code)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# ferry: codex_exec::cli::ResumeArgs @ 1d092cb66
@click.command("resume", context_settings={"help_option_names": ["-h", "--help"]})
@exec_options
@click.option("--last", is_flag=True, help="Resume the most recent session.")
@click.option("--all", "all_dirs", is_flag=True, help="Consider sessions from every directory.")
@click.argument("session_id", required=False)
@click.argument("prompt", required=False)
def resume_command(
    session_id: str | None, prompt: str | None, last: bool, all_dirs: bool, **params: Any
) -> None:
    """Resume a previous session by id or pick the most recent with --last."""
    if last and session_id is not None and prompt is None:
        session_id, prompt = None, session_id
    _run(params, prompt, resume=(session_id, last, all_dirs))


# ferry: codex_exec::cli::ResumeArgs @ 1d092cb66 -- nearest item; 0.169.0: `exec fork` takes resume's arguments
@click.command("fork", context_settings={"help_option_names": ["-h", "--help"]})
@exec_options
@click.argument("session_id")
@click.argument("prompt", required=False)
def fork_command(session_id: str, prompt: str | None, **params: Any) -> None:
    """Fork a previous session by id into a new session."""
    _run(params, prompt, fork=session_id)


# ferry: codex_exec::cli::Cli @ 1d092cb66
# ferry: codex_exec::resolve_prompt @ 1d092cb66
@click.command("exec", cls=ExecCommand, context_settings={"help_option_names": ["-h", "--help"]})
@exec_options
@click.argument("prompt", required=False)
def exec_command(prompt: str | None, **params: Any) -> None:
    """Run Codex non-interactively.

    PROMPT is read from stdin when omitted or `-`; when both are given and stdin is
    piped, stdin is appended as a <stdin> block.
    """
    _run(params, prompt)


#: ``exec`` subcommands, routed by :class:`ExecCommand`.
SUBCOMMANDS: dict[str, click.Command] = {"resume": resume_command, "fork": fork_command}
