"""The Linux sandbox of pycodex: bubblewrap + a seccomp network filter (Landlock fallback).

Public API: :class:`SandboxPolicy` (from the config with ``SandboxPolicy.from_config``),
:func:`wrap_command` (argv to spawn), :func:`sandbox_available` (cached probe),
:func:`sandbox_mechanism` / :func:`sandbox_fallback_warning` (what is in use),
:class:`SandboxUnavailable`, :func:`is_likely_sandbox_denied` (phrasing failures).
"""

from pycodex.sandbox.denial import SandboxType, is_likely_sandbox_denied
from pycodex.sandbox.linux import (
    SandboxUnavailable,
    find_bwrap,
    launch_env,
    sandbox_available,
    sandbox_fallback_warning,
    sandbox_mechanism,
    supervised_command,
    wrap_command,
)
from pycodex.sandbox.policy import SandboxConfigError, SandboxMode, SandboxPolicy, WritableRoot

__all__ = [
    "SandboxConfigError",
    "SandboxMode",
    "SandboxPolicy",
    "SandboxType",
    "SandboxUnavailable",
    "WritableRoot",
    "find_bwrap",
    "is_likely_sandbox_denied",
    "launch_env",
    "sandbox_available",
    "sandbox_fallback_warning",
    "sandbox_mechanism",
    "supervised_command",
    "wrap_command",
]
