"""Find and load the ``*.rules`` files that apply to a session.

Like upstream, rules come from the ``rules/`` folder of every config layer, lowest
precedence first: the system folder (``/etc/codex``), the user's ``$CODEX_HOME``,
then each project ``.codex`` folder from the project root down to the working
directory. Files in one folder load in sorted order. A file that fails to parse
does not stop the session: the policy is empty and the error is returned as a
warning, formatted with its file and line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pycodex.execpolicy.errors import PolicyError, PolicyLoadError
from pycodex.execpolicy.parser import load_policies
from pycodex.execpolicy.policy import Policy

RULES_DIR_NAME = "rules"
RULE_EXTENSION = ".rules"
DEFAULT_POLICY_FILE = "default.rules"
SYSTEM_CONFIG_FOLDER = Path("/etc/codex")
PROJECT_ROOT_MARKERS: tuple[str, ...] = (".git",)


# ferry: codex_core::exec_policy::ExecPolicyError @ 1d092cb66 -- its ReadDir case
class PolicyDirError(Exception):
    """A rules folder exists but cannot be listed."""


# ferry: codex_core::exec_policy::load_exec_policy_with_warning @ 1d092cb66 -- its (policy, warning) result
@dataclass(frozen=True)
class LoadedPolicy:
    """The policy and, when a file failed to parse, the warning to show the user."""

    policy: Policy
    files: tuple[Path, ...]
    warning: str | None = None


# ferry: codex_core::exec_policy::collect_policy_files @ 1d092cb66
def collect_policy_files(directory: Path) -> list[Path]:
    """``*.rules`` files directly in ``directory``, sorted; none if it does not exist."""
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise PolicyDirError(f"failed to read rules files from {directory}: {exc}") from exc
    # Like upstream, a symlink is not a regular file here (its target is not followed).
    return sorted(
        Path(e.path)
        for e in entries
        if e.name.endswith(RULE_EXTENSION) and e.is_file(follow_symlinks=False)
    )


# ferry: codex_core::config_loader::find_project_root @ 1d092cb66
# ferry: codex_core::config_loader::load_project_layers @ 1d092cb66 -- the `.codex` folders from the project root to cwd
def project_config_folders(cwd: Path, markers: Sequence[str] = PROJECT_ROOT_MARKERS) -> list[Path]:
    """``.codex`` folders from the project root (first ancestor with a marker) to ``cwd``."""
    cwd = cwd.resolve()
    chain = [cwd, *cwd.parents]
    root_index = next((i for i, d in enumerate(chain) if any((d / m).exists() for m in markers)), 0)
    folders = [d / ".codex" for d in reversed(chain[: root_index + 1])]
    return [f for f in folders if f.is_dir()]


# ferry: codex_core::config_loader::load_config_layers_state @ 1d092cb66 -- the layer folders whose rules/ apply
def config_folders(
    codex_home: Path,
    cwd: Path | None = None,
    *,
    system_folder: Path | None = SYSTEM_CONFIG_FOLDER,
    include_project: bool = True,
    project_folders: Iterable[Path] | None = None,
) -> list[Path]:
    """Config folders whose ``rules/`` apply, lowest precedence first.

    ``project_folders`` (the trusted project ``.codex`` folders) replaces the scan
    of cwd's project when given, so an untrusted repository's rules never load.
    """
    folders: list[Path] = []
    if system_folder is not None:
        folders.append(system_folder)
    folders.append(codex_home)
    if project_folders is not None:
        folders.extend(f for f in project_folders if f.resolve() != codex_home.resolve())
    elif include_project and cwd is not None:
        folders.extend(
            f for f in project_config_folders(cwd) if f.resolve() != codex_home.resolve()
        )
    return folders


# ferry: codex_core::exec_policy::load_exec_policy @ 1d092cb66 -- the rules/*.rules files of every layer
def policy_files(folders: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        files.extend(collect_policy_files(folder / RULES_DIR_NAME))
    return files


# ferry: codex_core::exec_policy::format_exec_policy_error_with_source @ 1d092cb66
def format_policy_error(error: PolicyLoadError) -> str:
    """``path:line: message (problem is on or around line N)``, as upstream shows warnings."""
    cause = error.cause
    location = error.location
    message = str(cause)
    if isinstance(cause, PolicyError) and message.startswith("starlark error: "):
        message = message.removeprefix("starlark error: ")
    if location is None:
        return f"{error.path}: {message}"
    return (
        f"{location.path}:{location.line}: {message} (problem is on or around line {location.line})"
    )


# ferry: codex_core::exec_policy::load_exec_policy_with_warning @ 1d092cb66
# ferry: codex_core::exec_policy::load_exec_policy @ 1d092cb66
def load_exec_policy(
    codex_home: Path,
    cwd: Path | None = None,
    *,
    system_folder: Path | None = SYSTEM_CONFIG_FOLDER,
    include_project: bool = True,
    project_folders: Iterable[Path] | None = None,
) -> LoadedPolicy:
    """Load every applicable rules file; a parse failure yields an empty policy plus warning.

    Unreadable folders or files raise (:class:`PolicyDirError`, :class:`PolicyLoadError`),
    as upstream treats those as fatal.
    """
    folders = config_folders(
        codex_home,
        cwd,
        system_folder=system_folder,
        include_project=include_project,
        project_folders=project_folders,
    )
    files = policy_files(folders)
    try:
        policy = load_policies(files)
    except PolicyLoadError as exc:
        if isinstance(exc.cause, PolicyError):
            return LoadedPolicy(Policy.empty(), tuple(files), format_policy_error(exc))
        raise
    return LoadedPolicy(policy, tuple(files))


# ferry: codex_core::exec_policy::default_policy_path @ 1d092cb66
def default_policy_path(codex_home: Path) -> Path:
    """Where approved "always allow" prefixes are appended."""
    return codex_home / RULES_DIR_NAME / DEFAULT_POLICY_FILE
