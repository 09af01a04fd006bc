"""Feature flags as codex 0.169.0 knows them: names, stages and defaults.

The list comes from the pinned binary (``codex features list``, recorded in
``upstream_config.json`` by ``scripts/probe_codex_config.py``). It decides what
``--enable``/``--disable`` accept, which enabled features are "under development" (and earn
a warning), and which legacy top-level toggles are deprecated aliases of a feature.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pycodex.errors import ConfigLoadError

UNDER_DEVELOPMENT = "under development"

#: features the port adds on top of upstream's (accepted by --enable, never warned about).
PORT_FEATURES = {"plan_tool": "pycodex: offer update_plan (codex 0.169.0 no longer does)"}

#: legacy top-level toggles -> the feature they stand for (upstream's alias table).
LEGACY_TOGGLES = {
    "experimental_use_unified_exec_tool": "unified_exec",
    "include_apply_patch_tool": "apply_patch_freeform",
}

DOCS_URL = "https://developers.openai.com/codex/config-basic#feature-flags"


# ferry: codex_features::FeatureSpec @ 1d092cb66
@dataclass(frozen=True)
class Feature:
    name: str
    stage: str
    default: bool


# ferry: codex_features::FEATURES @ 1d092cb66 -- 0.169.0 list from `codex features list`
@cache
def known_features() -> dict[str, Feature]:
    text = resources.files("pycodex.config").joinpath("upstream_config.json").read_text()
    rows: list[dict[str, Any]] = json.loads(text)["features"]
    return {r["name"]: Feature(r["name"], r["stage"], bool(r["default"])) for r in rows}


# ferry: codex_features::Features::from_overrides @ 1d092cb66 -- unknown --enable/--disable names
def check_cli_features(names: Iterable[str]) -> None:
    """``--enable``/``--disable`` with a name codex does not know stops the run."""
    known = known_features()
    for name in names:
        if name not in known and name not in PORT_FEATURES:
            raise ConfigLoadError(f"Unknown feature flag: {name}", plain=True)


# ferry: codex_features::legacy::LegacyFeatureToggles::apply @ 1d092cb66 -- 0.169.0 notice
def deprecation_notices(table: Mapping[str, Any]) -> list[str]:
    """The notices codex prints for legacy top-level feature toggles found in the config."""
    notices = []
    for legacy, feature in LEGACY_TOGGLES.items():
        if isinstance(table.get(legacy), bool):
            notices.append(
                f"`[features].{legacy}` is deprecated. Use `[features].{feature}` instead. "
                f"(Enable it with `--enable {feature}` or `[features].{feature}` in config.toml. "
                f"See {DOCS_URL} for details.)"
            )
    return notices


# ferry: codex_core::config::unstable_features_warning @ 1d092cb66 -- 0.169.0 wording
def unstable_features_warning(features: Mapping[str, Any], config_path: Path) -> str | None:
    """The warning for enabled under-development features (``None`` when there are none)."""
    known = known_features()
    enabled = [
        name
        for name, value in features.items()
        if value is True and name in known and known[name].stage == UNDER_DEVELOPMENT
    ]
    if not enabled:
        return None
    return (
        f"Under-development features enabled: {', '.join(enabled)}. Under-development features "
        "are incomplete and may behave unpredictably. To suppress this warning, set "
        f"`suppress_unstable_features_warning = true` in {config_path}."
    )
