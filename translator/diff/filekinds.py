"""Classify changed files that are not Rust source by what the port must do with them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath

FILE_KINDS = (
    "rust",
    "cargo",
    "json-schema",
    "json",
    "markdown",
    "prompt",
    "snapshot",
    "typescript-schema",
    "other",
)

_PROMPT_DIRS = ("prompts", "templates", "prompt")


@lru_cache(maxsize=1 << 16)
def file_kind(path: str) -> str:
    """One of ``FILE_KINDS`` for ``path`` (decided by name alone, so it is cheap)."""
    p = PurePosixPath(path)
    name = p.name.lower()
    parts = [part.lower() for part in p.parts[:-1]]
    if name.endswith(".rs"):
        return "rust"
    if name in ("cargo.toml", "cargo.lock"):
        return "cargo"
    if name.endswith(".json"):
        return "json-schema" if "schema" in name or any("schema" in d for d in parts) else "json"
    if name.endswith(".ts") and any("schema" in d for d in parts):
        return "typescript-schema"
    if name.endswith(".snap") or name.endswith(".snap.new"):
        return "snapshot"
    is_prompt_dir = any(d in _PROMPT_DIRS for d in parts)
    if name.endswith((".md", ".txt", ".j2", ".jinja", ".tmpl")) and (
        "prompt" in name or "template" in name or is_prompt_dir
    ):
        return "prompt"
    if name.endswith(".md"):
        return "markdown"
    return "other"
