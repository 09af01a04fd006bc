"""Key positions for upstream-style diagnostics, the model catalog and its fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycodex.config.diagnostics import Span, find_key_span, source_snippet
from pycodex.config.models import (
    TruncationPolicy,
    fallback_warning,
    history_token_budget,
    load_catalog,
    model_info,
)
from pycodex.errors import ConfigLoadError

TEXT = """model = "x"
[sandbox_workspace_write]
network_access = true
"quoted key" = 1
[tools.web_search]
context_size = "high"
inline = { a = 1, inner = { deep = 2 } }
dotted.more.leaf = 3
"""


@pytest.mark.parametrize(
    ("path", "span"),
    [
        (("model",), Span(1, 1, 5)),
        (("sandbox_workspace_write",), Span(2, 2, 23)),
        (("sandbox_workspace_write", "network_access"), Span(3, 1, 14)),
        (("sandbox_workspace_write", "quoted key"), Span(4, 1, 12)),
        (("tools", "web_search", "context_size"), Span(6, 1, 12)),
        (("tools", "web_search", "inline", "inner", "deep"), Span(7, 29, 4)),
        (("tools", "web_search", "dotted", "more", "leaf"), Span(8, 13, 4)),
    ],
)
def test_find_key_span(path: tuple[str, ...], span: Span) -> None:
    assert find_key_span(TEXT, path) == span


def test_missing_key_has_no_span_and_snippet_format() -> None:
    assert find_key_span(TEXT, ("nope",)) is None
    snippet = source_snippet("/c.toml", TEXT, Span(3, 1, 14), "unknown configuration field `x`")
    assert snippet.splitlines() == [
        "/c.toml:3:1: unknown configuration field `x`",
        "  |",
        "3 | network_access = true",
        "  | ^^^^^^^^^^^^^^",
    ]


def test_catalog_longest_prefix_namespace_and_fallback() -> None:
    assert model_info("gpt-5.5").used_fallback is False
    assert model_info("gpt-5.5-2026-01-01").default_reasoning_level == "medium"
    assert model_info("acme/gpt-5.5").used_fallback is False
    unknown = model_info("local-llm")
    assert unknown.used_fallback and unknown.apply_patch_tool_type is None
    assert unknown.truncation == TruncationPolicy("bytes", 10_000)
    assert unknown.default_reasoning_summary == "auto" and not unknown.support_verbosity
    assert "local-llm" in fallback_warning("local-llm")


def test_tool_output_token_limit_scales_the_policy_in_its_mode() -> None:
    assert model_info("gpt-5.5", tool_output_token_limit=50).truncation == TruncationPolicy(
        "tokens", 50
    )
    assert model_info("zzz", tool_output_token_limit=20).truncation == TruncationPolicy("bytes", 80)
    assert history_token_budget(TruncationPolicy("tokens", 50)) == 60
    assert history_token_budget(TruncationPolicy("bytes", 80)) == 24


def test_custom_catalog_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigLoadError, match=r"No such file or directory \(os error 2\)"):
        load_catalog(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"nomodels": []}')
    with pytest.raises(ConfigLoadError, match="missing field `models`"):
        load_catalog(bad)
    good = tmp_path / "good.json"
    good.write_text('{"models": [{"slug": "mine", "default_reasoning_level": "high"}]}')
    assert model_info("mine-1", load_catalog(good)).default_reasoning_level == "high"
