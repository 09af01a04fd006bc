"""spawn_agent's model list follows the catalog in use, in codex 0.169.0's format."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pycodex.config import ConfigOverrides, load_config
from pycodex.config.model import Config
from pycodex.tools.specs import multi_agent_namespace, spawn_agent_models_text, spec


def _config(tmp_path: Path) -> Config:
    return load_config(ConfigOverrides(cwd=tmp_path), home=tmp_path / "home")


def _spawn_description(namespace: dict[str, object]) -> str:
    tools = namespace["tools"]
    assert isinstance(tools, list)
    return str(next(t for t in tools if t["name"] == "spawn_agent")["description"])


def test_bundled_catalog_reproduces_the_recorded_spec(tmp_path: Path) -> None:
    # the recorded spec is what codex 0.169.0 sent for its bundled catalog
    assert multi_agent_namespace(_config(tmp_path)) == spec("multi_agent_v1")


def test_custom_catalog_lists_its_visible_models_by_priority(tmp_path: Path) -> None:
    catalog = (
        {"slug": "b", "visibility": "list", "priority": 2, "description": "Second."},
        {"slug": "hidden", "visibility": "hide", "priority": 0},
        {
            "slug": "a",
            "visibility": "list",
            "priority": 1,
            "default_reasoning_level": "high",
            "supported_reasoning_levels": [{"effort": "low"}, {"effort": "high"}],
            "service_tiers": [{"id": "priority"}],
        },
    )
    assert spawn_agent_models_text(catalog) == (
        "Available model overrides (optional; inherited parent model is preferred):\n"
        "- `a`:  Reasoning efforts: low, high (default). Service tiers: priority.\n"
        "- `b`: Second."
    )
    config = replace(_config(tmp_path), model_catalog=catalog)
    text = _spawn_description(multi_agent_namespace(config))
    assert "- `a`:  Reasoning efforts" in text and "gpt-6.1-sol" not in text
    assert spawn_agent_models_text(catalog[1:2]) == (
        "No picker-visible model overrides are currently loaded."
    )


def test_only_the_first_five_visible_models_are_offered() -> None:
    catalog = tuple(
        {"slug": f"m{i}", "visibility": "list", "priority": i, "description": "x"}
        for i in range(7, 0, -1)
    )
    lines = spawn_agent_models_text(catalog).splitlines()[1:]
    assert [line.split("`")[1] for line in lines] == ["m1", "m2", "m3", "m4", "m5"]
