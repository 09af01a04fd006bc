"""From the command line's flags to the configuration a UI session runs with.

Loaded on the session worker after the first frame is drawn (the UI shows up at once;
a bad ``config.toml`` ends it with the error, as codex does before it draws).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pycodex.config import Config, ConfigOverrides


# ferry: codex_tui::cli::Cli @ 1d092cb66 -- the interactive flags as config overrides
def config_overrides(params: Mapping[str, Any]) -> ConfigOverrides:
    """The UI's flags as overrides; approval defaults to ``on-request`` like codex's UI."""
    from pycodex.config import ConfigOverrides

    sandbox_mode = params.get("sandbox_mode")
    approval = params.get("approval_policy")
    if params.get("bypass"):
        sandbox_mode, approval = "danger-full-access", "never"
    return ConfigOverrides(
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


# ferry: codex_core::config::Config @ 1d092cb66 -- with the UI's own keys (history, sqlite home)
@dataclass(frozen=True)
class UiSettings:
    config: Config
    #: ``history.persistence = "save-all"`` (default) or ``"none"``
    save_history: bool
    sqlite_home: Path


# ferry: codex_core::config::ConfigBuilder::build @ 1d092cb66
def load_settings(params: Mapping[str, Any]) -> UiSettings:
    """Resolve the configuration; bad input raises :class:`pycodex.errors.ConfigError`."""
    from pycodex.config import load_config
    from pycodex.config.loader import load_layers
    from pycodex.core.state.store import sqlite_home
    from pycodex.errors import ConfigError

    overrides = config_overrides(params)
    config = load_config(overrides)
    table = load_layers(
        home=config.codex_home,
        cwd=config.cwd,
        overrides=overrides.cli_overrides,
        profile=overrides.profile,
        enable=overrides.enable,
        disable=overrides.disable,
    ).table
    history = table.get("history")
    persistence = (
        history.get("persistence", "save-all") if isinstance(history, dict) else "save-all"
    )
    if persistence not in ("save-all", "none"):
        raise ConfigError(
            f'config key `history.persistence`: expected "save-all" or "none", got {persistence!r}'
        )
    return UiSettings(
        config=config,
        save_history=persistence == "save-all",
        sqlite_home=sqlite_home(config.codex_home, config.sqlite_home),
    )
