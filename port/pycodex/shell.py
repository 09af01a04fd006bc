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
_FALLBACK_PATHS = {"bash": ("/bin/bash",), "zsh": ("/bin/zsh",), "sh": ("/bin/sh",)}


# ferry: codex_core::shell::Shell @ 1d092cb66
@dataclass(frozen=True)
class Shell:
    name: str  # "bash", "zsh" or "sh": what the environment context reports
    path: str


# ferry: codex_core::shell_detect::detect_shell_type @ 1d092cb66
def detect_shell_type(path: str) -> str | None:
    """The shell family a path names, from its file name (``/usr/bin/bash`` -> ``bash``)."""
    name = Path(path).name
    return name if name in _KNOWN else None


def _user_shell_path() -> str | None:
    try:
        return pwd.getpwuid(os.getuid()).pw_shell or None
    except KeyError:
        return None


# ferry: codex_core::shell::get_shell_path @ 1d092cb66
def get_shell_path(kind: str, provided: str | None) -> str | None:
    """An existing path given, else the user's own shell of that kind, else PATH, else fallbacks."""
    if provided is not None and os.path.exists(provided):
        return provided
    user = _user_shell_path()
    if user and detect_shell_type(user) == kind and os.path.exists(user):
        return user
    found = shutil.which(kind)
    if found:
        return found
    for candidate in _FALLBACK_PATHS[kind]:
        if os.path.exists(candidate):
            return candidate
    return None


# ferry: codex_core::shell::default_user_shell @ 1d092cb66
# ferry: codex_core::shell::get_user_shell_path @ 1d092cb66
@cache
def default_user_shell() -> Shell:
    """The user's shell if it is bash/zsh/sh, else bash, else zsh, else /bin/sh."""
    user = _user_shell_path()
    kinds: list[str] = []
    detected = detect_shell_type(user) if user else None
    if detected:
        kinds.append(detected)
    kinds.extend(k for k in ("bash", "zsh") if k not in kinds)
    for kind in kinds:
        path = get_shell_path(kind, None)
        if path:
            return Shell(kind, path)
    return Shell("sh", "/bin/sh")


# ferry: codex_core::shell::get_shell_by_model_provided_path @ 1d092cb66
def shell_for(requested: str | None) -> Shell:
    """The shell for one command: the model's ``shell`` argument, else the default.

    A name is resolved like upstream: an existing path is kept, a known family is found
    (the user's own shell of that family, then PATH), anything else runs under /bin/sh.
    """
    if not requested:
        return default_user_shell()
    kind = detect_shell_type(requested)
    path = get_shell_path(kind, requested) if kind else None
    if kind is None or path is None:
        return Shell("sh", "/bin/sh")
    return Shell(kind, path)
