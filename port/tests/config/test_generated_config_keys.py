"""known_keys.json is generated from upstream's config schema; regenerating it must be a no-op."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT.parent / "shared" / "conformance" / "config-schema" / "config.schema.json"
GENERATED = ROOT / "port" / "pycodex" / "config" / "known_keys.json"


def test_regeneration_is_a_noop() -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"upstream conformance data not found at {SCHEMA}")
    spec = importlib.util.spec_from_file_location(
        "gen_config_keys", ROOT / "scripts" / "gen_config_keys.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate(SCHEMA) == GENERATED.read_text(), (
        "run: python scripts/gen_config_keys.py"
    )
