"""is_likely_sandbox_denied: upstream's keyword and exit-code rules."""

from __future__ import annotations

import pytest
from pycodex.sandbox import SandboxType, is_likely_sandbox_denied


@pytest.mark.parametrize(
    ("exit_code", "output", "expected"),
    [
        (0, "Permission denied", False),
        (1, "touch: cannot touch 'x': Read-only file system", True),
        (1, "bash: /etc/x: Permission denied", True),
        (1, "OPERATION NOT PERMITTED", True),
        (1, "blocked by seccomp", True),
        (1, "failed to write file foo", True),
        (2, "Read-only file system", True),
        (127, "sh: foo: not found", False),
        (126, "cannot execute", False),
        (2, "usage: ls", False),
        (159, "", True),  # 128 + SIGSYS: killed by a seccomp filter
        (1, "assertion failed", False),
    ],
)
def test_heuristic(exit_code: int, output: str, expected: bool) -> None:
    assert is_likely_sandbox_denied(exit_code, output) is expected


def test_unsandboxed_commands_are_never_sandbox_denials() -> None:
    assert not is_likely_sandbox_denied(1, "Permission denied", sandbox_type=SandboxType.NONE)
