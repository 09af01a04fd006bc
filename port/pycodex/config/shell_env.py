"""``[shell_environment_policy]``: the environment every user command is spawned with.

Steps, as upstream: start from ``inherit`` (``all`` the whole environment,
``core`` only PATH/SHELL/TMPDIR/TEMP/TMP/HOME/LANG/LC_ALL/LC_CTYPE/LOGNAME/USER,
``none`` nothing); unless ``ignore_default_excludes`` (default ``true``), drop
names matching ``*KEY*``, ``*SECRET*``, ``*TOKEN*``; drop ``exclude`` matches;
add ``set``; keep only ``include_only`` matches when given; finally add
``CODEX_THREAD_ID``. Patterns are case-insensitive wildcards (``*`` and ``?``).
``experimental_use_profile`` is accepted and, as upstream, has no effect.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pycodex.errors import ConfigError

CODEX_THREAD_ID_ENV_VAR = "CODEX_THREAD_ID"
_CORE_VARS = frozenset(
    (
        "PATH",
        "SHELL",
        "TMPDIR",
        "TEMP",
        "TMP",
        "HOME",
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "LOGNAME",
        "USER",
    )
)
_DEFAULT_EXCLUDES = ("*KEY*", "*SECRET*", "*TOKEN*")
_KEYS = (
    "inherit",
    "ignore_default_excludes",
    "exclude",
    "set",
    "include_only",
    "experimental_use_profile",
)
_WHERE = "shell_environment_policy"


# ferry: codex_config::types::ShellEnvironmentPolicyInherit @ 1d092cb66
class Inherit(enum.Enum):
    """Where the environment starts from."""

    CORE = "core"
    ALL = "all"
    NONE = "none"


# ferry: codex_config::types::EnvironmentVariablePattern @ 1d092cb66
@dataclass(frozen=True)
class EnvPattern:
    """A case-insensitive wildcard (``*``, ``?``) over variable names."""

    pattern: str
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        body = "".join(
            ".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in self.pattern
        )
        object.__setattr__(self, "_regex", re.compile(body, re.IGNORECASE | re.DOTALL))

    # ferry: port-only -- reimplements the wildmatch crate (a Rust dependency, not codex-rs) the shell environment policy matches with
    def matches(self, name: str) -> bool:
        return self._regex.fullmatch(name) is not None


def _patterns(table: Mapping[str, Any], key: str) -> tuple[EnvPattern, ...]:
    raw = table.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ConfigError(f"config key `{_WHERE}.{key}`: expected an array of strings")
    return tuple(EnvPattern(p) for p in raw)


def _flag(table: Mapping[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"config key `{_WHERE}.{key}`: expected true or false, got {value!r}")
    return value


# ferry: codex_config::types::ShellEnvironmentPolicy @ 1d092cb66
@dataclass(frozen=True)
class ShellEnvironmentPolicy:
    """The parsed ``[shell_environment_policy]`` table (defaults as upstream)."""

    inherit: Inherit = Inherit.ALL
    ignore_default_excludes: bool = True
    exclude: tuple[EnvPattern, ...] = ()
    set: Mapping[str, str] = field(default_factory=dict)
    include_only: tuple[EnvPattern, ...] = ()
    use_profile: bool = False

    # ferry: codex_config::types::ShellEnvironmentPolicy::from @ 1d092cb66
    @classmethod
    def from_table(cls, table: object) -> ShellEnvironmentPolicy:
        """Validate and parse the TOML table; errors name the field and what is expected."""
        if table is None:
            return cls()
        if not isinstance(table, Mapping):
            raise ConfigError(f"config key `{_WHERE}`: expected a table")
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise ConfigError(
                f"config key `{_WHERE}.{unknown[0]}`: unknown field; expected one of {', '.join(_KEYS)}"
            )
        raw_inherit = table.get("inherit", "all")
        try:
            inherit = Inherit(raw_inherit)
        except ValueError:
            raise ConfigError(
                f'config key `{_WHERE}.inherit`: expected "all", "core" or "none", got {raw_inherit!r}'
            ) from None
        raw_set = table.get("set", {})
        if not isinstance(raw_set, Mapping) or not all(
            isinstance(v, str) for v in raw_set.values()
        ):
            raise ConfigError(f"config key `{_WHERE}.set`: expected a table of strings")
        return cls(
            inherit=inherit,
            ignore_default_excludes=_flag(table, "ignore_default_excludes", True),
            exclude=_patterns(table, "exclude"),
            set={str(k): str(v) for k, v in raw_set.items()},
            include_only=_patterns(table, "include_only"),
            use_profile=_flag(table, "experimental_use_profile", False),
        )


def _matches_any(name: str, patterns: tuple[EnvPattern, ...]) -> bool:
    return any(p.matches(name) for p in patterns)


# ferry: codex_config::shell_environment::populate_env @ 1d092cb66
def populate_env(
    variables: Mapping[str, str], policy: ShellEnvironmentPolicy, thread_id: str | None
) -> dict[str, str]:
    """The environment a user command gets from ``variables`` under ``policy``."""
    if policy.inherit is Inherit.ALL:
        env = dict(variables)
    elif policy.inherit is Inherit.CORE:
        env = {k: v for k, v in variables.items() if k in _CORE_VARS}
    else:
        env = {}
    if not policy.ignore_default_excludes:
        defaults = tuple(EnvPattern(p) for p in _DEFAULT_EXCLUDES)
        env = {k: v for k, v in env.items() if not _matches_any(k, defaults)}
    if policy.exclude:
        env = {k: v for k, v in env.items() if not _matches_any(k, policy.exclude)}
    env.update(policy.set)
    if policy.include_only:
        env = {k: v for k, v in env.items() if _matches_any(k, policy.include_only)}
    if thread_id is not None:
        env[CODEX_THREAD_ID_ENV_VAR] = thread_id
    return env


# ferry: codex_config::shell_environment::create_env @ 1d092cb66
def create_env(policy: ShellEnvironmentPolicy, thread_id: str | None) -> dict[str, str]:
    """:func:`populate_env` over this process's environment."""
    return populate_env(os.environ, policy, thread_id)
