"""``[provenance]`` in ``ferry.toml``: which packages carry markers and where upstream lives.

Everything has a default: the packages are ``pycodex`` below ``[translate].target_root``,
the upstream is ``[translate].upstream_git_dir``, the subtree ``[upstream].subtree``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from translator.config import TranslateConfig, find_config, load_config
from translator.errors import ConfigError


class ProvenanceConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: dotted packages below [translate].target_root whose public symbols need markers
    packages: list[str] = Field(default_factory=lambda: ["pycodex"])
    #: upstream git directory (default: [translate].upstream_git_dir)
    upstream: str | None = None
    #: the ported part of the upstream repository (default: [upstream].subtree)
    subtree: str | None = None


@dataclass(frozen=True)
class ProvenanceSettings:
    """The resolved settings the provenance commands work with."""

    base: Path
    translate: TranslateConfig
    provenance: ProvenanceConfig
    target_root: Path
    upstream: Path
    subtree: str
    state_dir: Path
    config: dict[str, Any]

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "rust-items"

    @property
    def index_path(self) -> Path:
        return self.state_dir / "provenance.sqlite"


def load_settings(path: Path | None = None, upstream: Path | None = None) -> ProvenanceSettings:
    """Read ``[provenance]`` (and ``[translate]``, ``[upstream]``) from ``ferry.toml``."""
    translate, base = load_config(path)
    config_path = path if path is not None else find_config()
    data: dict[str, Any] = {}
    if config_path is not None:
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{config_path}: cannot read TOML: {exc}") from exc
    section = data.get("provenance", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{config_path}: [provenance] must be a table")
    try:
        provenance = ProvenanceConfig.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(
            f"[provenance].{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"{config_path}: {problems}") from exc
    upstream_section = data.get("upstream", {})
    subtree = provenance.subtree
    if subtree is None:
        subtree = (
            str(upstream_section.get("subtree", "codex-rs"))
            if isinstance(upstream_section, dict)
            else "codex-rs"
        )
    git_dir = upstream or translate.resolve(base, provenance.upstream or translate.upstream_git_dir)
    return ProvenanceSettings(
        base=base,
        translate=translate,
        provenance=provenance,
        target_root=translate.resolve(base, translate.target_root),
        upstream=git_dir,
        subtree=subtree.strip("/"),
        state_dir=translate.resolve(base, translate.state_dir),
        config={
            "provenance": provenance.model_dump(mode="json"),
            "upstream": str(git_dir),
            "subtree": subtree,
            "target_root": translate.target_root,
            "covered_crates": translate.covered_crates,
            "decline": [r.model_dump(mode="json") for r in translate.decline],
        },
    )
