"""spawn_agent's model list follows the catalog in use, in codex 0.169.0's format."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pycodex.config import ConfigOverrides, load_config
from pycodex.config.model import Config
from pycodex.tools.multi_agents import CollabError, _model_overrides
from pycodex.tools.specs import (
    multi_agent_namespace,
    spawn_agent_models,
    spawn_agent_models_text,
    spec,
)


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


_CUSTOM = (
    {
        "slug": "alpha",
        "visibility": "list",
        "priority": 1,
        "default_reasoning_level": "high",
        "supported_reasoning_levels": [{"effort": "low"}, {"effort": "high"}],
        "context_window": 1000,
    },
    {
        "slug": "parent",
        "visibility": "hide",
        "priority": 9,
        "supported_reasoning_levels": [{"effort": "minimal"}],
    },
)


def test_spawn_agent_accepts_the_models_it_lists_with_their_efforts(tmp_path: Path) -> None:
    from pycodex.config.models import load_catalog

    bundled = spawn_agent_models(load_catalog(None))
    assert list(bundled) == ["gpt-6.1-sol", "gpt-6-astra", "gpt-6-sol", "gpt-6-luna", "gpt-5.6-sol"]
    assert bundled["gpt-6-sol"][0] == "medium"  # the default comes first
    assert spawn_agent_models(_CUSTOM) == {"alpha": ("high", "low")}
    config = replace(_config(tmp_path), model="parent", model_catalog=_CUSTOM)
    with pytest.raises(CollabError, match=r"Unknown model `gpt-6-sol`.*Available models: alpha$"):
        _model_overrides(config, "gpt-6-sol", None)
    with pytest.raises(CollabError, match="Reasoning effort `xhigh`"):
        _model_overrides(config, "alpha", "xhigh")
    child = _model_overrides(config, "alpha", None)
    # the child runs the new model with its catalog metadata, not the parent's
    assert (child.model, child.model_reasoning_effort) == ("alpha", "high")
    assert (child.model_info.slug, child.model_info.context_window) == ("alpha", 1000)
    # an effort alone is checked against the parent model's own levels in the catalog
    assert _model_overrides(config, None, "minimal").model_reasoning_effort == "minimal"
    with pytest.raises(CollabError):
        _model_overrides(config, None, "high")


def test_with_model_keeps_the_configs_own_overrides(tmp_path: Path) -> None:
    config = replace(_config(tmp_path), model_catalog=_CUSTOM, model_context_window=77)
    assert config.with_model(config.model) is config
    child = config.with_model("alpha")
    assert (child.model_info.slug, child.model_info.context_window) == ("alpha", 77)
