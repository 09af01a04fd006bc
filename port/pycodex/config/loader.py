"""Load ``config.toml`` the way the Rust binary does: layers, profiles and ``-c`` overrides.

Layer order, lowest first: ``$CODEX_HOME/config.toml`` → project ``.codex/config.toml``
files from the project root down to cwd (trusted projects only, see
:mod:`pycodex.config.trust`) → the selected profile (``[profiles.NAME]`` or
``$CODEX_HOME/NAME.config.toml``) → ``-c key=value`` / ``--enable`` / ``--disable``.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pycodex.config.trust import project_trust, save_project_trust
from pycodex.errors import ConfigError

TomlTable = dict[str, Any]


# ferry: codex_core::config::find_codex_home @ 1d092cb66
def codex_home() -> Path:
    env = os.environ.get("CODEX_HOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".codex"


# ferry: codex_config::diagnostics::config_error_from_toml @ 1d092cb66 -- read one layer, naming the file, line and column on a syntax error
def read_toml(path: Path) -> TomlTable:
    """Parse one TOML file; syntax errors name the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}. Fix the file or move it aside.") from exc


# ferry: codex_utils_cli::config_override::CliConfigOverrides::parse_overrides @ 1d092cb66
def parse_override(raw: str) -> tuple[list[str], Any]:
    """``-c a.b=VALUE``: VALUE parsed as TOML, falling back to the raw string."""
    if "=" not in raw:
        raise ConfigError(f'-c {raw!r}: expected key=value (for example -c model="o3")')
    key, value_text = raw.split("=", 1)
    key = key.strip()
    if not key:
        raise ConfigError(f"-c {raw!r}: empty key")
    value_text = value_text.strip()
    try:
        value: Any = tomllib.loads(f"_v_ = {value_text}")["_v_"]
    except tomllib.TOMLDecodeError:
        value = value_text
    return [part.strip() for part in key.split(".")], value


# ferry: codex_config::merge::merge_toml_values @ 1d092cb66
def deep_merge(base: TomlTable, layer: Mapping[str, Any]) -> TomlTable:
    merged = dict(base)
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


# ferry: codex_config::overrides::apply_toml_override @ 1d092cb66
def set_dotted(table: TomlTable, path: list[str], value: Any) -> TomlTable:
    if not path:
        return table
    head, *rest = path
    updated = dict(table)
    if rest:
        child = updated.get(head)
        updated[head] = set_dotted(dict(child) if isinstance(child, Mapping) else {}, rest, value)
    else:
        updated[head] = value
    return updated


#: Keys pycodex understands beyond upstream's schema (not warned about).
PYCODEX_EXTENSION_KEYS: dict[str, Any] = {"features": {"plan_tool": None}}


def _known_keys() -> dict[str, Any]:
    from pycodex.features import LEGACY_ALIASES, features

    data = json.loads(resources.files("pycodex.config").joinpath("known_keys.json").read_text())
    keys = data["keys"]
    assert isinstance(keys, dict)
    for table, extra in PYCODEX_EXTENSION_KEYS.items():
        if isinstance(keys.get(table), dict):
            keys[table] = {**keys[table], **extra}
    # every feature codex 0.169 knows (the schema snapshot predates many of them)
    keys["features"] = {
        **keys.get("features", {}),
        **{f.name: None for f in features()},
        **dict.fromkeys(LEGACY_ALIASES),
    }
    return keys


# ferry: codex_config::config_toml::ConfigToml @ 1d092cb66 -- keys its schema does not define, reported as warnings -- 0.169.0: schema from the 0.169.0 config JSON Schema
def unknown_keys(
    table: Mapping[str, Any], tree: Mapping[str, Any] | None = None, prefix: str = ""
) -> list[str]:
    """Dotted names of keys the upstream schema does not define (for warnings)."""
    tree = _known_keys() if tree is None else tree
    found: list[str] = []
    for key, value in table.items():
        name = f"{prefix}{key}"
        if "*" in tree:
            sub = tree["*"]
        elif key in tree:
            sub = tree[key]
        else:
            found.append(name)
            continue
        if isinstance(sub, Mapping) and isinstance(value, Mapping):
            found.extend(unknown_keys(value, sub, f"{name}."))
    return found


# ferry: codex_core::config_loader::find_project_root @ 1d092cb66
def find_project_root(cwd: Path, markers: Iterable[str] = (".git",)) -> Path:
    marker_list = list(markers)
    for candidate in (cwd, *cwd.parents):
        if any((candidate / marker).exists() for marker in marker_list):
            return candidate
    return cwd


# ferry: codex_config::state::ConfigLayerStack @ 1d092cb66 -- the merged table and its origins
@dataclass(frozen=True)
class LoadedToml:
    """The merged table plus where it came from (for messages) and warnings to show."""

    table: TomlTable
    sources: tuple[Path, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: Project ``.codex`` folders whose config (and rules) apply: trusted ones only.
    project_folders: tuple[Path, ...] = ()
    #: Project ``.codex`` folders skipped because the project is not trusted.
    untrusted_project_folders: tuple[Path, ...] = ()


# ferry: codex_core::config_loader::load_config_layers_state @ 1d092cb66
def load_layers(
    *,
    home: Path,
    cwd: Path,
    overrides: Iterable[str] = (),
    profile: str | None = None,
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
    ignore_user_config: bool = False,
    trust_project: bool = False,
) -> LoadedToml:
    sources: list[Path] = []
    warnings: list[str] = []
    merged: TomlTable = {}

    def add(path: Path, required: bool = False) -> None:
        nonlocal merged
        if not path.is_file():
            if required:
                raise ConfigError(f"{path}: profile config file not found")
            return
        layer = read_toml(path)
        for key in unknown_keys(layer):
            warnings.append(f"{path}: unknown config key `{key}` (ignored)")
        merged = deep_merge(merged, layer)
        sources.append(path)

    user_file = home / "config.toml"
    if not ignore_user_config:
        add(user_file)

    override_table: TomlTable = {}
    for raw in overrides:
        path, value = parse_override(raw)
        override_table = set_dotted(override_table, path, value)
    for name in enable:
        override_table = set_dotted(override_table, ["features", name], True)
    for name in disable:
        override_table = set_dotted(override_table, ["features", name], False)

    # Trust and the project root come from the user's own layers (never a project's).
    so_far = deep_merge(merged, override_table)
    markers = so_far.get("project_root_markers", [".git"])
    root = find_project_root(cwd, markers if isinstance(markers, list) else [".git"])
    trust = project_trust(so_far, root, cwd, user_file)
    if trust_project and save_project_trust(user_file, trust, cwd):
        merged = {}
        sources.clear()
        warnings.clear()
        add(user_file)
        trust = project_trust(deep_merge(merged, override_table), root, cwd, user_file)
    chain = [root, *[p for p in reversed(cwd.parents) if root in p.parents]]
    if cwd != root:
        chain.append(cwd)
    seen: set[Path] = set()
    enabled: list[Path] = []
    disabled: list[Path] = []
    for directory in chain:
        if directory in seen:
            continue
        seen.add(directory)
        dot_codex = directory / ".codex"
        if not dot_codex.is_dir() or dot_codex.resolve() == home.resolve():
            continue
        if trust.disabled_reason(directory) is not None:
            disabled.append(dot_codex)
            continue
        enabled.append(dot_codex)
        add(dot_codex / "config.toml")

    selected = profile or override_table.get("profile") or merged.get("profile")
    if selected is not None:
        if not isinstance(selected, str):
            raise ConfigError(
                f"config key `profile`: expected a string, got {type(selected).__name__}"
            )
        profiles = merged.get("profiles", {})
        if isinstance(profiles, Mapping) and selected in profiles:
            merged = deep_merge(merged, profiles[selected])
        elif (home / f"{selected}.config.toml").is_file():
            add(home / f"{selected}.config.toml")
        else:
            raise ConfigError(
                f"config profile `{selected}` not found: define [profiles.{selected}] in "
                f"{home / 'config.toml'} or create {home / (selected + '.config.toml')}"
            )
    for key in unknown_keys(override_table):
        warnings.append(f"-c override: unknown config key `{key}` (ignored)")
    merged = deep_merge(merged, override_table)
    return LoadedToml(merged, tuple(sources), tuple(warnings), tuple(enabled), tuple(disabled))
