"""The Linux sandbox of pycodex: bubblewrap + a seccomp network filter.

Public API: :class:`SandboxPolicy`, :func:`wrap_command`, :func:`sandbox_available`,
:class:`SandboxUnavailable`, :func:`is_likely_sandbox_denied`.
"""

from pycodex.sandbox.denial import SandboxType, is_likely_sandbox_denied
from pycodex.sandbox.linux import (
    SandboxUnavailable,
    find_bwrap,
    sandbox_available,
    sandbox_mechanism,
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
    "sandbox_available",
    "sandbox_mechanism",
    "wrap_command",
]
