"""The user's default shell, chosen like upstream: the passwd entry if it is a known shell,
else bash, else zsh, else ``/bin/sh``."""

from __future__ import annotations

import os
import pwd
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_KNOWN = ("zsh", "bash", "sh")
_FALLBACK_PATHS = {"bash": "/bin/bash", "zsh": "/bin/zsh", "sh": "/bin/sh"}


# ferry: codex_core::shell::Shell @ 1d092cb66
@dataclass(frozen=True)
class Shell:
    name: str  # "bash", "zsh" or "sh": what the environment context reports
    path: str


def _shell_type(path: str) -> str | None:
    name = Path(path).name
    return name if name in _KNOWN else None


def _locate(kind: str) -> str | None:
    candidate = _FALLBACK_PATHS[kind]
    if os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(kind)


# ferry: codex_core::shell::default_user_shell @ 1d092cb66
# ferry: codex_core::shell::get_user_shell_path @ 1d092cb66
@cache
def default_user_shell() -> Shell:
    try:
        passwd_shell: str | None = pwd.getpwuid(os.getuid()).pw_shell
    except KeyError:
        passwd_shell = None
    kinds: list[str] = []
    detected = _shell_type(passwd_shell) if passwd_shell else None
    if detected:
        kinds.append(detected)
    kinds.extend(k for k in ("bash", "zsh") if k not in kinds)
    for kind in kinds:
        path = _locate(kind)
        if path:
            return Shell(kind, path)
    return Shell("sh", "/bin/sh")


# ferry: codex_core::shell::get_shell_by_model_provided_path @ 1d092cb66
def shell_for(requested: str | None) -> Shell:
    """The shell for one command: the model's ``shell`` argument, else the default."""
    if not requested:
        return default_user_shell()
    kind = _shell_type(requested) or Path(requested).name
    path = (
        requested
        if os.sep in requested
        else (_locate(kind) if kind in _KNOWN else shutil.which(requested)) or requested
    )
    return Shell(kind, path)
