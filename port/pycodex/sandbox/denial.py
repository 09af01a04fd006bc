"""Heuristic: did a sandboxed command fail because of the sandbox?

Ported from upstream ``is_likely_sandbox_denied`` (codex-rs/core/src/exec.rs).
There is no deterministic signal, so as upstream: look for well-known denial
words in the output, reject the shell's own failure codes, and treat a SIGSYS
death under seccomp as a denial.
"""

from __future__ import annotations

import enum
import signal

SANDBOX_DENIED_KEYWORDS: tuple[str, ...] = (
    "operation not permitted",
    "permission denied",
    "read-only file system",
    "seccomp",
    "sandbox",
    "landlock",
    "failed to write file",
)
#: 2: misuse of a shell builtin, 126: not executable, 127: command not found.
QUICK_REJECT_EXIT_CODES: frozenset[int] = frozenset({2, 126, 127})
EXIT_CODE_SIGNAL_BASE = 128


# ferry: codex_sandboxing::manager::SandboxType @ 1d092cb66
class SandboxType(enum.Enum):
    """Which mechanism (if any) the command ran under."""

    NONE = "none"
    LINUX_SECCOMP = "linux_seccomp"


# ferry: codex_core::exec::is_likely_sandbox_denied @ 1d092cb66
def is_likely_sandbox_denied(
    exit_code: int,
    output: str,
    *,
    sandbox_type: SandboxType = SandboxType.LINUX_SECCOMP,
) -> bool:
    """True when a failed command's exit code and output suggest the sandbox blocked it."""
    if sandbox_type is SandboxType.NONE or exit_code == 0:
        return False
    lowered = output.lower()
    if any(keyword in lowered for keyword in SANDBOX_DENIED_KEYWORDS):
        return True
    if exit_code in QUICK_REJECT_EXIT_CODES:
        return False
    return (
        sandbox_type is SandboxType.LINUX_SECCOMP
        and exit_code == EXIT_CODE_SIGNAL_BASE + signal.SIGSYS
    )
