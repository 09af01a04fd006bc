"""``pycodex features list|enable|disable``, as ``codex features`` 0.169.0 prints and edits.

``list`` prints codex's table (name, stage, effective state) and adds a fourth column,
``not implemented``, on the features pycodex does not have; features pycodex adds are
listed after codex's. ``enable``/``disable`` edit ``[features]`` in
``$CODEX_HOME/config.toml`` (disabling a feature that is off by default removes its line).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

NOT_IMPLEMENTED = "not implemented"


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


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


def _features_table(params: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    from pycodex.config.loader import codex_home, load_layers
    from pycodex.errors import PycodexError
    from pycodex.features import canonical_name

    home = codex_home()
    try:
        for name in (*params.get("enable", ()), *params.get("disable", ())):
            canonical_name(name)
        loaded = load_layers(
            home=home,
            cwd=Path.cwd(),
            overrides=tuple(params.get("config_overrides") or ()),
            enable=tuple(params.get("enable") or ()),
            disable=tuple(params.get("disable") or ()),
        )
    except PycodexError as exc:
        _fail(str(exc))
    table = loaded.table.get("features", {})
    return home, table if isinstance(table, dict) else {}


# ferry: codex_cli::FeaturesCli @ 1d092cb66 -- 0.169.0
@click.group("features", context_settings={"help_option_names": ["-h", "--help"]})
@_options
@click.pass_context
def features_group(ctx: click.Context, /, **params: Any) -> None:
    """Inspect feature flags."""
    ctx.obj = params


def _merged(params: dict[str, Any]) -> dict[str, Any]:
    parent = click.get_current_context().parent
    base = dict(parent.obj or {}) if parent is not None else {}
    for key, value in params.items():
        base[key] = tuple(base.get(key) or ()) + tuple(value or ())
    return base


# ferry: codex_cli::FeaturesSubcommand::List @ 1d092cb66 -- 0.169.0 layout
@features_group.command("list")
@_options
def list_command(**params: Any) -> None:
    """List known features with their stage and effective state."""
    from pycodex.features import PYCODEX_FEATURES, effective_states, features, spec

    _home, table = _features_table(_merged(params))
    states = effective_states(table)
    rows = [(f.name, f.stage, states[f.name], f.implemented) for f in features()]
    rows += [(name, "pycodex", states[name], True) for name in PYCODEX_FEATURES]
    name_width = max(len(r[0]) for r in rows) + 2
    stage_width = max(len(r[1]) for r in rows if spec(r[0]) is not None) + 2
    lines = []
    for name, stage, enabled, implemented in rows:
        line = f"{name:<{name_width}}{stage:<{stage_width}}{'true' if enabled else 'false'}"
        if not implemented and stage != "removed":
            line += f"  {NOT_IMPLEMENTED}"
        lines.append(line)
    click.echo("\n".join(lines))


def _toggle(feature: str, enable: bool, params: dict[str, Any]) -> None:
    from pycodex.errors import PycodexError
    from pycodex.features import UNSTABLE_WARNING, canonical_name, spec
    from pycodex.features.toml_edit import set_feature

    home, _table = _features_table(_merged(params))
    try:
        name = canonical_name(feature)
    except PycodexError as exc:
        _fail(str(exc))
    info = spec(name)
    assert info is not None
    value: bool | None = True if enable else (None if not info.default_enabled else False)
    config = home / "config.toml"
    try:
        set_feature(config, feature, value)
    except PycodexError as exc:
        _fail(str(exc))
    verb = "Enabled" if enable else "Disabled"
    click.echo(f"{verb} feature `{feature}` in config.toml.")
    if enable and info.stage == "under development":
        click.echo(UNSTABLE_WARNING.format(names=name, config=config), err=True)
    if enable and not info.implemented and info.stage != "removed":
        click.echo(
            f"warning: pycodex does not implement the feature `{name}`; enabling it has no effect.",
            err=True,
        )


# ferry: codex_cli::enable_feature_in_config @ 1d092cb66 -- 0.169.0
@features_group.command("enable")
@_options
@click.argument("feature")
def enable_command(feature: str, **params: Any) -> None:
    """Enable a feature in config.toml."""
    _toggle(feature, True, params)


# ferry: codex_cli::disable_feature_in_config @ 1d092cb66 -- 0.169.0
@features_group.command("disable")
@_options
@click.argument("feature")
def disable_command(feature: str, **params: Any) -> None:
    """Disable a feature in config.toml."""
    _toggle(feature, False, params)
