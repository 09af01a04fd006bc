"""Config-loading checks on feature flags: unknown ``--enable``/``--disable`` names and the
notices for legacy top-level toggles.

The feature table itself (names, stages, defaults of codex 0.169.0, and which ones pycodex
implements) lives in :mod:`pycodex.features`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pycodex.errors import ConfigError, ConfigLoadError

#: legacy top-level toggles -> the feature they stand for (upstream's alias table).
LEGACY_TOGGLES = {
    "experimental_use_unified_exec_tool": "unified_exec",
    "include_apply_patch_tool": "apply_patch_freeform",
}

DOCS_URL = "https://developers.openai.com/codex/config-basic#feature-flags"


# ferry: codex_features::Features::apply_map @ 1d092cb66 -- nearest item; 0.169.0 feature overrides -- unknown --enable/--disable names
def check_cli_features(names: Iterable[str]) -> None:
    """``--enable``/``--disable`` with a name codex does not know stops the run."""
    from pycodex.features import canonical_name

    for name in names:
        try:
            canonical_name(name)
        except ConfigError as exc:
            raise ConfigLoadError(str(exc), plain=True) from exc


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
