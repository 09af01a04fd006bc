"""Load ``config.toml`` the way the Rust binary does: layers, profiles and ``-c`` overrides.

Layer order, lowest first: ``$CODEX_HOME/config.toml`` → project ``.codex/config.toml``
files from the project root down to cwd (trusted projects only, see
:mod:`pycodex.config.trust`) → the selected profile (``[profiles.NAME]`` or
``$CODEX_HOME/NAME.config.toml``) → ``-c key=value`` / ``--enable`` / ``--disable``.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pycodex.config.diagnostics import Span, find_key_span, source_snippet
from pycodex.config.trust import project_trust, save_project_trust
from pycodex.errors import ConfigError, ConfigLoadError

TomlTable = dict[str, Any]

#: the layer name upstream uses for ``-c``/``--enable``/``--disable`` in messages.
SESSION_FLAGS = "session-flags"


# ferry: codex_core::config::find_codex_home @ 1d092cb66
def codex_home() -> Path:
    env = os.environ.get("CODEX_HOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".codex"


_TOML_POSITION = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")

#: tomllib's messages in the words of the toml crate upstream parses with.
_TOML_MESSAGES = {
    "Invalid value": "string values must be quoted, expected literal string",
    "Expected '=' after a key in a key/value pair": "expected `.`, `=`",
    "Cannot overwrite a value": "duplicate key",
    "Unterminated string": "invalid basic string",
    "Expected ']' at the end of a table declaration": "invalid table header\nexpected `.`, `]`",
}


# ferry: codex_core::config_loader::layer_io::read_config_from_path @ 1d092cb66
def parse_toml_text(path: Path, text: str) -> TomlTable:
    """Parse TOML text; a syntax error becomes upstream's ``path:line:col: message`` snippet."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.match(str(exc))
        if found is None:
            raise ConfigLoadError(f"{path}: {exc}") from exc
        message = _TOML_MESSAGES.get(found["msg"], found["msg"][0].lower() + found["msg"][1:])
        span = Span(int(found["line"]), int(found["col"]), 1)
        raise ConfigLoadError(source_snippet(path, text, span, message), snippet=True) from exc


# ferry: codex_config::diagnostics::config_error_from_toml @ 1d092cb66 -- read one layer, naming the file, line and column on a syntax error
def read_toml(path: Path) -> TomlTable:
    """Parse one TOML file; syntax errors name the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    return parse_toml_text(path, text)


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


# ferry: port-only -- one key upstream's schema does not know, with the layer that set it
@dataclass(frozen=True)
class UnknownKey:
    """An unrecognised key: the layer label (``user (<path>)``, ``session-flags``) and key."""

    layer: str
    key: str


# ferry: codex_config::state::ConfigLayerStack @ 1d092cb66 -- the merged table and its origins
@dataclass(frozen=True)
class LoadedToml:
    """The merged table plus where it came from (for messages) and warnings to show."""

    table: TomlTable
    sources: tuple[Path, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    unknown: tuple[UnknownKey, ...] = ()
    #: directory relative paths of a top-level key resolve against (its layer's file).
    bases: dict[str, Path] = field(default_factory=dict)
    #: Project ``.codex`` folders whose config (and rules) apply: trusted ones only.
    project_folders: tuple[Path, ...] = ()
    #: Project ``.codex`` folders skipped because the project is not trusted.
    untrusted_project_folders: tuple[Path, ...] = ()

    # ferry: port-only -- where a relative path in a key resolves (its layer's directory)
    def base_dir(self, key: str, default: Path) -> Path:
        return self.bases.get(key, default)


#: how many unrecognised keys the warning names before summing up the rest.
MAX_LISTED_UNKNOWN = 3


# ferry: codex_core::config_loader::load_config_layers_state @ 1d092cb66 -- nearest item; 0.169.0 unknown-field warning wording
def unknown_keys_warning(unknown: Iterable[UnknownKey]) -> str | None:
    """One warning naming every unrecognised key and its layer, as codex prints it."""
    entries = list(unknown)
    if not entries:
        return None
    count = len(entries)
    plural = "setting" if count == 1 else "settings"
    lines = [
        f"Codex is ignoring {count} unrecognized configuration {plural}. "
        "Check for typos or deprecated settings."
    ]
    shown = entries[:MAX_LISTED_UNKNOWN]
    lines.extend(f"  {e.layer}: `{e.key}` is ignored." for e in shown)
    rest = count - len(shown)
    if rest:
        lines.append(f"  ... and {rest} more ignored setting{'' if rest == 1 else 's'}.")
    return "\n".join(lines)


def _strict_file_error(path: Path, key: str) -> ConfigLoadError:
    message = f"unknown configuration field `{key}`"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    span = find_key_span(text, tuple(key.split(".")))
    if span is None:
        return ConfigLoadError(f"{path}: {message}")
    return ConfigLoadError(source_snippet(path, text, span, message), snippet=True)


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
    strict: bool = False,
    trust_project: bool = False,
) -> LoadedToml:
    """Merge the layers; unknown keys are collected (or, with ``strict``, refused)."""
    sources: list[Path] = []
    warnings: list[str] = []
    file_unknown: list[UnknownKey] = []
    merged: TomlTable = {}
    bases: dict[str, Path] = {}

    def add(path: Path, label: str, required: bool = False) -> None:
        nonlocal merged
        if not path.is_file():
            if required:
                raise ConfigError(f"{path}: profile config file not found")
            return
        layer = read_toml(path)
        for key in sorted(unknown_keys(layer)):
            if strict:
                raise _strict_file_error(path, key)
            file_unknown.append(UnknownKey(f"{label} ({path})", key))
        merged = deep_merge(merged, layer)
        bases.update(dict.fromkeys(layer, path.parent))
        sources.append(path)

    user_file = home / "config.toml"
    if not ignore_user_config:
        add(user_file, "user")

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
        file_unknown.clear()
        bases.clear()
        add(user_file, "user")
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
        add(dot_codex / "config.toml", "project")

    if profile is not None:
        profiles_table = merged.get("profiles")
        if merged.get("profile") == profile or (
            isinstance(profiles_table, Mapping) and profile in profiles_table
        ):
            user = home / "config.toml"
            raise ConfigLoadError(
                f"--profile `{profile}` cannot be used while {user} contains legacy "
                f'`profile = "{profile}"` or `[profiles.{profile}]` config; move those settings '
                f"into {home / (profile + '.config.toml')} and remove the legacy profile "
                "selector/table. See https://developers.openai.com/codex/config-advanced#profiles "
                "for more information."
            )

    selected = profile or override_table.get("profile") or merged.get("profile")
    if selected is not None:
        if not isinstance(selected, str):
            raise ConfigError(
                f"config key `profile`: expected a string, got {type(selected).__name__}"
            )
        profiles = merged.get("profiles", {})
        if isinstance(profiles, Mapping) and selected in profiles:
            merged = deep_merge(merged, profiles[selected])
            if isinstance(profiles[selected], Mapping):
                bases.update(dict.fromkeys(profiles[selected], bases.get("profiles", home)))
        else:
            # codex 0.169.0 layers $CODEX_HOME/NAME.config.toml when it exists and runs on
            # without it otherwise.
            add(home / f"{selected}.config.toml", "profile")
    flag_unknown = [UnknownKey(SESSION_FLAGS, key) for key in sorted(unknown_keys(override_table))]
    if strict and flag_unknown:
        raise ConfigLoadError(
            f"unknown configuration field `{flag_unknown[0].key}` in -c/--config override"
        )
    merged = deep_merge(merged, override_table)
    bases.update(dict.fromkeys(override_table, cwd))
    unknown = (*flag_unknown, *file_unknown)
    summary = unknown_keys_warning(unknown)
    if summary is not None:
        warnings.append(summary)
    return LoadedToml(
        merged,
        tuple(sources),
        tuple(warnings),
        unknown=unknown,
        bases=bases,
        project_folders=tuple(enabled),
        untrusted_project_folders=tuple(disabled),
    )
