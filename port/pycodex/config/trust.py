"""Project trust: which project-local ``.codex`` folders may configure a run.

A repository can ship ``.codex/config.toml`` and ``.codex/rules/*.rules``. Those
can redirect the model provider (sending the user's API key elsewhere), turn the
sandbox off or allow commands outside it, so, as upstream, they take effect only
for projects the *user* trusts: ``[projects."<path>"] trust_level = "trusted"``
in ``$CODEX_HOME/config.toml`` (or a ``-c`` override), looked up for the folder
itself, then the project root, then the git repository root. Untrusted folders
are skipped and the run says so on stderr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycodex.errors import ConfigError
from pycodex.fsutil import write_text_atomic

TRUSTED = "trusted"
UNTRUSTED = "untrusted"

# ferry: codex_exec::run_main @ 1d092cb66 -- 0.169.0: warning printed when project layers are disabled
UNTRUSTED_PROJECT_WARNING = (
    "warning: Untrusted project-local configuration is disabled. Run `codex exec --trust` to "
    "allow project configuration and MCP servers for this and future chats in the project, "
    "including MCP commands outside the sandbox. Explicitly untrusted projects must have their "
    "trust setting updated first."
)


# ferry: codex_git_utils::info::resolve_root_git_project_for_trust @ 1d092cb66
def resolve_root_git_project_for_trust(cwd: Path) -> Path | None:
    """The repository root trust is keyed on; a worktree maps to its main repository."""
    base = cwd if cwd.is_dir() else cwd.parent
    for directory in (base, *base.parents):
        dot_git = directory / ".git"
        if not os.path.lexists(dot_git):
            continue
        if dot_git.is_dir():
            return directory
        try:
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        if not text.startswith("gitdir:"):
            return None
        raw = text.removeprefix("gitdir:").strip()
        if not raw:
            return None
        git_dir = Path(os.path.normpath(directory / raw))
        if git_dir.parent.name != "worktrees":
            return None
        return git_dir.parent.parent.parent
    return None


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path)


def _keys(path: Path) -> list[str]:
    canonical = _key(path)
    spelled = str(path)
    return [canonical] if canonical == spelled else [canonical, spelled]


# ferry: codex_core::config_loader::ProjectTrustContext @ 1d092cb66
@dataclass(frozen=True)
class ProjectTrust:
    """The ``[projects]`` trust table seen from one cwd (user config + overrides only)."""

    projects: Mapping[str, str]
    project_root: Path
    repo_root: Path | None
    user_config_file: Path

    # ferry: codex_core::config_loader::ProjectTrustContext::decision_for_dir @ 1d092cb66
    def decision_for_dir(self, directory: Path) -> tuple[str | None, str]:
        """(trust level or ``None``, the key it was found under / would be saved under)."""
        candidates = [*_keys(directory), *_keys(self.project_root)]
        if self.repo_root is not None:
            candidates += _keys(self.repo_root)
        for key in candidates:
            level = self.projects.get(key)
            if level is not None:
                return level, key
        default = self.repo_root if self.repo_root is not None else self.project_root
        return None, _key(default)

    # ferry: codex_core::config_loader::ProjectTrustContext::disabled_reason_for_decision @ 1d092cb66
    def disabled_reason(self, directory: Path) -> str | None:
        """Why ``directory``'s ``.codex`` layer is skipped (``None`` when trusted)."""
        level, key = self.decision_for_dir(directory)
        if level == TRUSTED:
            return None
        gated = "project-local config, hooks, and exec policies"
        if level == UNTRUSTED:
            return (
                f"{key} is marked as untrusted in {self.user_config_file}. "
                f"To load {gated}, mark it trusted."
            )
        return f"To load {gated}, add {key} as a trusted project in {self.user_config_file}."


# ferry: codex_core::config_loader::project_trust_context @ 1d092cb66
def project_trust(
    merged: Mapping[str, Any], project_root: Path, cwd: Path, user_config_file: Path
) -> ProjectTrust:
    """Read ``[projects]`` from the user's layers; a malformed table is a config error."""
    raw = merged.get("projects", {})
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{user_config_file}: `projects` must be a table of project tables")
    projects: dict[str, str] = {}
    for key, table in raw.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f'{user_config_file}: [projects."{key}"] must be a table')
        level = table.get("trust_level")
        if level is None:
            continue
        if level not in (TRUSTED, UNTRUSTED):
            raise ConfigError(
                f'{user_config_file}: [projects."{key}"].trust_level: expected "trusted" or '
                f'"untrusted", got {level!r}'
            )
        projects[str(key)] = str(level)
    return ProjectTrust(
        projects, project_root, resolve_root_git_project_for_trust(cwd), user_config_file
    )


# ferry: codex_core::config::set_project_trust_level @ 1d092cb66 -- 0.169.0: `codex exec --trust`
def save_project_trust(user_config_file: Path, trust: ProjectTrust, cwd: Path) -> bool:
    """Record ``trust_level = "trusted"`` for cwd's project (``--trust``); never override
    an explicit ``untrusted``. Returns whether the file changed."""
    level, key = trust.decision_for_dir(cwd)
    if level is not None:
        return False
    try:
        text = user_config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"{user_config_file}: cannot read config file: {exc.strerror}") from exc
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    if f'[projects."{quoted}"]' in text:
        raise ConfigError(
            f'{user_config_file}: [projects."{key}"] exists without trust_level; add '
            'trust_level = "trusted" to it'
        )
    if text and not text.endswith("\n"):
        text += "\n"
    text += f'\n[projects."{quoted}"]\ntrust_level = "trusted"\n'
    user_config_file.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(user_config_file, text)
    return True
