"""Choose and build a backend by name from configuration."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from translator.backends.base import ModelBackend
from translator.backends.llm import LlmBackend
from translator.backends.mechanical import MechanicalBackend
from translator.backends.replay import ReplayBackend
from translator.config import TranslateConfig
from translator.errors import ConfigError
from translator.mechanical.registry import Registry, load_crates
from translator.sources import GitTree

DEFAULT_MECHANICAL_CRATES = ("codex-rs/protocol", "codex-rs/app-server-protocol")


def crate_dirs(files: Iterable[str]) -> list[str]:
    """``codex-rs/core/src/exec.rs`` -> ``codex-rs/core`` for every file, in first-seen order."""
    out: list[str] = []
    for file in files:
        parts = file.split("/")
        if "src" in parts:
            crate = "/".join(parts[: parts.index("src")])
            if crate and crate not in out:
                out.append(crate)
    return out


def make_backend(
    name: str,
    config: TranslateConfig,
    base_dir: Path,
    *,
    commit: str = "HEAD",
    files: Iterable[str] = (),
    record: bool | None = None,
    workdir: Path | None = None,
    gate_commands: Sequence[str] = (),
    run_id: str = "agent",
) -> ModelBackend:
    """The backend called ``name``; ``record`` overrides ``[translate.replay].record``.

    The agent backend works in ``workdir`` (default ``base_dir``) and is told the
    ``gate_commands`` its change must pass.
    """
    if name == "mechanical":
        git_dir = config.resolve(base_dir, config.upstream_git_dir)
        crates = [*DEFAULT_MECHANICAL_CRATES, *crate_dirs(files)]

        def registry() -> Registry:
            return load_crates(GitTree(git_dir, commit), list(dict.fromkeys(crates)))

        return MechanicalBackend(registry)
    if name == "llm":
        return LlmBackend(config.llm)
    if name == "replay":
        directory = config.resolve(base_dir, config.replay.dir)
        recording = config.replay.record if record is None else record
        return ReplayBackend(
            directory, inner=LlmBackend(config.llm) if recording else None, model=config.llm.model
        )
    if name == "agent":
        from translator.backends.agent import AgentBackend

        return AgentBackend(
            config,
            workdir=workdir or base_dir,
            target_root=config.resolve(base_dir, config.target_root),
            state_dir=config.resolve(base_dir, config.state_dir),
            gate_commands=gate_commands,
            run_id=run_id,
        )
    raise ConfigError(
        f"unknown backend {name!r}; choose mechanical, llm, replay or agent ([translate].backend)"
    )
