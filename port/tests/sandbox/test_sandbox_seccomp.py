"""The seccomp program, checked by running it in a small classic-BPF interpreter."""

from __future__ import annotations

import struct

import pytest
from pycodex.sandbox import seccomp

X86_64 = 0xC000003E
AARCH64 = 0xC00000B7
I386 = 0x40000003


def run_filter(program: bytes, nr: int, arch: int, arg0: int = 0) -> int:
    """Evaluate ``program`` on a seccomp_data record (only the opcodes seccomp.py emits)."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    insns: list[tuple[int, int, int, int]] = [
        struct.unpack_from("<HBBI", program, i) for i in range(0, len(program), 8)
    ]
    acc = 0
    pc = 0
    while True:
        code, jt, jf, k = insns[pc]
        pc += 1
        if code == 0x20:
            acc = int(struct.unpack_from("<I", data, k)[0])
        elif code == 0x15:
            pc += jt if acc == k else jf
        elif code == 0x35:
            pc += jt if acc >= k else jf
        elif code == 0x06:
            return k
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")


DENY = seccomp.RET_ERRNO | seccomp.EPERM


@pytest.mark.parametrize(
    ("machine", "audit_arch", "calls"),
    [
        ("x86_64", X86_64, {"read": 0, "ptrace": 101, "connect": 42, "socket": 41, "recvfrom": 45}),
        (
            "aarch64",
            AARCH64,
            {"read": 63, "ptrace": 117, "connect": 203, "socket": 198, "recvfrom": 207},
        ),
    ],
)
def test_filter_decisions(machine: str, audit_arch: int, calls: dict[str, int]) -> None:
    program = seccomp.network_filter(machine)
    assert run_filter(program, calls["read"], audit_arch) == seccomp.RET_ALLOW
    assert run_filter(program, calls["recvfrom"], audit_arch) == seccomp.RET_ALLOW
    assert run_filter(program, calls["ptrace"], audit_arch) == DENY
    assert run_filter(program, calls["connect"], audit_arch) == DENY
    assert (
        run_filter(program, calls["socket"], audit_arch, arg0=seccomp.AF_UNIX) == seccomp.RET_ALLOW
    )
    for family in (2, 10, 16, 17):  # AF_INET, AF_INET6, AF_NETLINK, AF_PACKET
        assert run_filter(program, calls["socket"], audit_arch, arg0=family) == DENY
    # A foreign ABI (e.g. i386 via int 0x80) is killed rather than filtered wrongly.
    assert run_filter(program, calls["read"], I386) == seccomp.RET_KILL_PROCESS


def test_every_denied_syscall_is_denied_on_x86_64() -> None:
    program = seccomp.network_filter("x86_64")
    table = seccomp._ARCHES["x86_64"].syscalls
    for name in seccomp.DENIED_SYSCALLS:
        assert run_filter(program, table[name], X86_64) == DENY, name
    assert (
        run_filter(program, table["socketpair"], X86_64, arg0=seccomp.AF_UNIX) == seccomp.RET_ALLOW
    )


def test_x32_syscalls_are_denied() -> None:
    program = seccomp.network_filter("x86_64")
    assert run_filter(program, 0x40000000 | 0, X86_64) == DENY


def test_unknown_architecture_is_refused() -> None:
    with pytest.raises(seccomp.UnsupportedArchitecture, match="riscv64"):
        seccomp.network_filter("riscv64")
