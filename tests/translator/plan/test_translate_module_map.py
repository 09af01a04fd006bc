"""Module map globs, specificity, placeholders and overrides; layer ranking."""

from __future__ import annotations

import pytest

from translator.errors import ConfigError
from translator.module_map import ModuleMap, layer_of

RULES = {
    "codex-rs/core/src/**": "pycodex.core.{path}",
    "codex-rs/core/src/config/**": "pycodex.config.{path}",
    "codex-rs/exec/**": "pycodex.exec",
    "codex-rs/*/src/lib.rs": "pycodex.{crate}",
}


@pytest.mark.parametrize(
    ("file", "module"),
    [
        ("codex-rs/core/src/exec.rs", "pycodex.core.exec"),
        ("codex-rs/core/src/tools/spec.rs", "pycodex.core.tools.spec"),
        ("codex-rs/core/src/tools/mod.rs", "pycodex.core.tools"),
        ("codex-rs/core/src/config/mod.rs", "pycodex.config"),
        ("codex-rs/core/src/config/types.rs", "pycodex.config.types"),
        ("codex-rs/exec/src/event_processor.rs", "pycodex.exec"),
        ("codex-rs/file-search/src/lib.rs", "pycodex.file_search"),
        ("codex-rs/tui/src/app.rs", None),
    ],
)
def test_most_specific_glob_wins(file: str, module: str | None) -> None:
    assert ModuleMap.from_config(RULES, {}).module_for(file) == module


def test_overrides_beat_globs() -> None:
    mapping = ModuleMap.from_config(
        RULES, {"codex_core::exec::*": "pycodex.sandbox.exec", "codex_core::x::Y": "pycodex.y"}
    )
    assert (
        mapping.module_for("codex-rs/core/src/exec.rs", "codex_core::exec::spawn")
        == "pycodex.sandbox.exec"
    )
    assert mapping.module_for("codex-rs/core/src/x.rs", "codex_core::x::Y") == "pycodex.y"
    assert mapping.module_for("codex-rs/core/src/x.rs", "codex_core::x::Z") == "pycodex.core.x"


def test_bad_module_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a dotted Python module"):
        ModuleMap.from_config({"codex-rs/**": "pycodex/exec"}, {})


def test_layers() -> None:
    layers = {
        "foundation": ["pycodex.protocol*"],
        "core": ["pycodex.core*"],
        "presentation": ["pycodex.cli*"],
    }
    assert layer_of("pycodex.protocol.models", layers) == (0, "foundation")
    assert layer_of("pycodex.cli", layers) == (2, "presentation")
    assert layer_of("pycodex.unknown", layers) == (1, "core")
