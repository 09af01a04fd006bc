"""Feature flags: codex 0.169.0's names, stages and defaults, and which ones pycodex implements.

``[features]`` in config.toml, ``--enable``/``--disable`` and ``pycodex features`` all go
through :func:`canonical_name`: a name codex 0.169 does not know (nor one of its legacy
aliases, nor a pycodex extension) is an error, as in codex. A feature codex has but
pycodex does not implement can still be listed, enabled and disabled, but turning it on
draws a warning naming it, so nothing is accepted silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pycodex.errors import ConfigError

STAGES = ("stable", "experimental", "under development", "deprecated", "removed")

#: legacy ``[features]`` keys codex still reads, and the feature each one sets.
LEGACY_ALIASES: dict[str, str] = {
    "connectors": "apps",
    "enable_experimental_windows_sandbox": "experimental_windows_sandbox",
    "experimental_use_unified_exec_tool": "unified_exec",
    "experimental_use_freeform_apply_patch": "apply_patch_freeform",
    "include_apply_patch_tool": "apply_patch_freeform",
    "request_permissions": "exec_permission_approvals",
    "web_search": "web_search_request",
    "collab": "multi_agent",
    "memory_tool": "memories",
    "telepathy": "chronicle",
}

#: features pycodex adds (not in codex 0.169): name -> what it does.
PYCODEX_FEATURES: dict[str, str] = {
    "plan_tool": "offer the update_plan tool (codex 0.169 no longer offers it to gpt-5.5)",
}

#: codex features whose behaviour pycodex has (the others are listed as not implemented).
IMPLEMENTED: frozenset[str] = frozenset(
    {
        "apply_patch_freeform",  # the freeform (lark grammar) apply_patch tool
        "goals",  # get_goal / create_goal / update_goal, kept in goals_1.sqlite
        "remote_compaction_v2",  # compaction_trigger for providers named OpenAI
        "shell_tool",  # the shell tool (exec_command)
        "sqlite",  # state_5.sqlite beside the rollouts
        "unified_exec",  # exec_command / write_stdin sessions
        "unified_exec_tty",  # exec_command with tty: true
        "use_legacy_landlock",  # the Landlock-only Linux sandbox
        "view_image",  # the view_image tool
        "web_search_request",  # the hosted web_search tool
    }
)

#: how pycodex's own note about features it lacks starts (printed to stderr, not as an event).
PYCODEX_NOTE_PREFIX = "pycodex does not implement the feature"

UNSTABLE_WARNING = (
    "Under-development features enabled: {names}. Under-development features are incomplete "
    "and may behave unpredictably. To suppress this warning, set "
    "`suppress_unstable_features_warning = true` in {config}."
)
WEB_SEARCH_DEPRECATED = (
    "`[features].web_search` is deprecated because web search is enabled by default. "
    '(Set `web_search` to `"live"`, `"indexed"`, `"cached"`, or `"disabled"` at the top '
    "level (or under a profile) in config.toml if you want to override it.)"
)


# ferry: codex_features::FeatureSpec @ 1d092cb66 -- 0.169.0: the feature table of codex 0.169.0
@dataclass(frozen=True)
class FeatureSpec:
    name: str
    stage: str
    default_enabled: bool

    # ferry: port-only -- whether pycodex has the feature's behaviour
    @property
    def implemented(self) -> bool:
        return self.name in IMPLEMENTED or self.name in PYCODEX_FEATURES


# ferry: codex_features::FEATURES @ 1d092cb66 -- 0.169.0: names, stages and defaults of 0.169.0
@cache
def features() -> tuple[FeatureSpec, ...]:
    """codex 0.169.0's features (``codex features list`` with no config), sorted by name."""
    data = json.loads(
        resources.files("pycodex.features").joinpath("features_0169.json").read_text("utf-8")
    )
    specs = tuple(
        FeatureSpec(str(f["name"]), str(f["stage"]), bool(f["default"])) for f in data["features"]
    )
    return tuple(sorted(specs, key=lambda s: s.name))


# ferry: codex_features::feature_for_key @ 1d092cb66
def spec(name: str) -> FeatureSpec | None:
    """The feature a (canonical) name denotes; pycodex extensions are stable, off by default."""
    for feature in features():
        if feature.name == name:
            return feature
    if name in PYCODEX_FEATURES:
        return FeatureSpec(name, "stable", False)
    return None


# ferry: codex_features::legacy::feature_for_key @ 1d092cb66
def canonical_name(key: str) -> str:
    """The feature ``key`` names (legacy aliases resolved); unknown names are an error."""
    if spec(key) is not None:
        return key
    if key in LEGACY_ALIASES:
        return LEGACY_ALIASES[key]
    raise ConfigError(f"Unknown feature flag: {key}")


# ferry: codex_features::Features::from_sources @ 1d092cb66
def effective_states(table: Mapping[str, object]) -> dict[str, bool]:
    """Every feature's state: its default, overridden by ``[features]`` (aliases resolved)."""
    states = {f.name: f.default_enabled for f in features()}
    states.update({name: False for name in PYCODEX_FEATURES})
    for key, value in table.items():
        if not isinstance(value, bool):
            continue
        name = LEGACY_ALIASES.get(key, key)
        if name in states:
            states[name] = value
    return states


# ferry: codex_cli::maybe_print_under_development_feature_warning @ 1d092cb66 -- plus pycodex's own notes
def feature_warnings(
    table: Mapping[str, object], config_path: str, *, suppress_unstable: bool = False
) -> list[str]:
    """What codex says about ``[features]`` (deprecated keys, unstable features turned on),
    then pycodex's own note about features it does not implement."""
    out: list[str] = []
    if "web_search" in table:
        out.append(WEB_SEARCH_DEPRECATED)
    enabled = [LEGACY_ALIASES.get(k, k) for k, v in table.items() if v is True]
    unstable = [
        name
        for name in dict.fromkeys(enabled)
        if (s := spec(name)) is not None and s.stage == "under development"
    ]
    if unstable and not suppress_unstable:
        out.append(UNSTABLE_WARNING.format(names=", ".join(unstable), config=config_path))
    missing = [
        name
        for name in dict.fromkeys(enabled)
        if (s := spec(name)) is not None and not s.implemented and s.stage != "removed"
    ]
    if missing:
        out.append(
            f"{PYCODEX_NOTE_PREFIX}(s) {', '.join(missing)}; "
            "enabling them has no effect (see `pycodex features list`)."
        )
    return out
