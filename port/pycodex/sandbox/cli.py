"""``pycodex sandbox [-P MODE] [-C DIR] [--add-dir DIR]... [-c key=value]... -- CMD...``

Runs CMD under the Linux sandbox and exits with CMD's status (128+N when it is
killed by signal N), like upstream ``codex sandbox`` / ``codex sandbox linux``.
The mode comes from, in order: ``-P``, ``--full-auto`` (workspace-write),
``-c sandbox_mode=...``, ``sandbox_mode`` in ``$CODEX_HOME/config.toml``, and
finally ``read-only`` (upstream's default for this command).
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from pycodex.sandbox.linux import SandboxUnavailable, sandbox_fallback_warning, wrap_command
from pycodex.sandbox.policy import SandboxConfigError, SandboxMode, SandboxPolicy

#: Upstream's built-in permission-profile names, accepted by ``-P`` as aliases.
_PROFILE_ALIASES = {
    ":read-only": SandboxMode.READ_ONLY,
    ":workspace": SandboxMode.WORKSPACE_WRITE,
    ":danger-full-access": SandboxMode.DANGER_FULL_ACCESS,
}
_LINUX_ALIASES = ("linux", "landlock")


# ferry: codex_cli::debug_sandbox::run_command_under_sandbox @ 1d092cb66 -- its `-c key=value` overrides (TOML values)
def parse_override(raw: str) -> tuple[str, object]:
    """``key=value`` with the value parsed as TOML, or kept as a literal string."""
    key, sep, value = raw.partition("=")
    key = key.strip()
    if not sep or not key:
        raise click.BadParameter(f"{raw!r}: expected key=value", param_hint="'-c'")
    try:
        parsed: object = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    return key, parsed


def _codex_home() -> Path:
    return Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex")


def _load_config_file() -> dict[str, object]:
    path = _codex_home() / "config.toml"
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise click.ClickException(f"{path}: invalid TOML: {exc}") from exc


def _apply_overrides(config: dict[str, object], overrides: Sequence[tuple[str, object]]) -> None:
    for key, value in overrides:
        node = config
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[leaf] = value


# ferry: codex_cli::debug_sandbox::create_sandbox_mode @ 1d092cb66
# ferry: codex_cli::debug_sandbox::run_command_under_sandbox @ 1d092cb66 -- the policy precedence
def resolve_policy(
    *,
    permissions: str | None,
    full_auto: bool,
    config: Mapping[str, object],
    add_dirs: Sequence[Path],
    cwd: Path,
) -> SandboxPolicy:
    """The policy for this invocation (see the module docstring for precedence)."""
    mode: SandboxMode | str
    if permissions is not None:
        mode = _PROFILE_ALIASES.get(permissions, permissions)
    elif full_auto:
        mode = SandboxMode.WORKSPACE_WRITE
    else:
        configured = config.get("sandbox_mode", SandboxMode.READ_ONLY.value)
        if not isinstance(configured, str):
            raise SandboxConfigError(f"sandbox_mode: expected a string, got {configured!r}")
        mode = configured
    table = config.get("sandbox_workspace_write") or {}
    if not isinstance(table, Mapping):
        raise SandboxConfigError(f"sandbox_workspace_write: expected a table, got {table!r}")
    return SandboxPolicy.from_config(mode, table, add_dirs=add_dirs, base_dir=cwd)


def _use_legacy_landlock(config: Mapping[str, object]) -> bool:
    """``use_legacy_landlock`` or ``features.use_legacy_landlock`` (upstream's switch)."""
    features = config.get("features")
    value = config.get("use_legacy_landlock")
    if value is None and isinstance(features, Mapping):
        value = features.get("use_legacy_landlock")
    if value is None:
        return False
    if not isinstance(value, bool):
        raise SandboxConfigError(f"use_legacy_landlock: expected true or false, got {value!r}")
    return value


def _exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


# ferry: codex_cli::debug_sandbox::run_command_under_landlock @ 1d092cb66 -- exposed as `pycodex sandbox`
@click.command(
    "sandbox",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "-P",
    "--permissions",
    "--permission-profile",
    "permissions",
    metavar="MODE",
    help="read-only, workspace-write or danger-full-access (or :read-only, :workspace).",
)
@click.option("--full-auto", is_flag=True, help="Shorthand for workspace-write without network.")
@click.option(
    "-C",
    "--cd",
    "cd",
    type=click.Path(file_okay=False, path_type=Path),
    help="Working directory of the command (and of the workspace).",
)
@click.option(
    "--add-dir",
    "add_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra writable directory (workspace-write). Repeatable.",
)
@click.option(
    "-c",
    "--config",
    "overrides",
    multiple=True,
    metavar="key=value",
    help="Override a config value, e.g. -c sandbox_workspace_write.network_access=true.",
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def sandbox_command(
    ctx: click.Context,
    permissions: str | None,
    full_auto: bool,
    cd: Path | None,
    add_dirs: tuple[Path, ...],
    overrides: tuple[str, ...],
    command: tuple[str, ...],
) -> None:
    """Run a command under the pycodex sandbox (bubblewrap + seccomp on Linux)."""
    if command and command[0] in _LINUX_ALIASES:
        sub = sandbox_command.make_context(
            f"{ctx.info_name} {command[0]}", list(command[1:]), parent=ctx
        )
        with sub:
            sandbox_command.invoke(sub)
        return
    if not command:
        raise click.UsageError("missing command: pycodex sandbox [OPTIONS] -- CMD...")
    cwd = (cd or Path.cwd()).absolute()
    if not cwd.is_dir():
        raise click.ClickException(f"-C {cwd}: not a directory")
    config = _load_config_file()
    _apply_overrides(config, [parse_override(raw) for raw in overrides])
    try:
        policy = resolve_policy(
            permissions=permissions, full_auto=full_auto, config=config, add_dirs=add_dirs, cwd=cwd
        )
        legacy = _use_legacy_landlock(config)
        argv = wrap_command(command, policy, cwd, use_legacy_landlock=legacy)
        warning = (
            None
            if policy.has_full_disk_write_access
            else sandbox_fallback_warning(use_legacy_landlock=legacy)
        )
    except (SandboxConfigError, SandboxUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    if warning is not None:
        click.echo(f"warning: {warning}", err=True)
    from pycodex.config.shell_env import ShellEnvironmentPolicy, create_env
    from pycodex.errors import ConfigError

    try:
        # The command gets the [shell_environment_policy] environment, as upstream.
        env = create_env(
            ShellEnvironmentPolicy.from_table(config.get("shell_environment_policy")), None
        )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, check=False)
    except OSError as exc:
        raise click.ClickException(f"failed to run {command[0]}: {exc}") from exc
    ctx.exit(_exit_code(proc.returncode))
