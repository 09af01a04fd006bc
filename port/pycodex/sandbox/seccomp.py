"""The network seccomp filter, compiled to a classic-BPF program for bubblewrap.

Same rules as upstream's restricted-network filter (linux-sandbox/src/landlock.rs):
``ptrace`` and io_uring are always denied, every socket syscall that could reach
a network is denied, and ``socket``/``socketpair`` are allowed only for
``AF_UNIX``. Denied calls fail with ``EPERM``; a foreign architecture (e.g. the
i386 ``int 0x80`` entry on x86_64) kills the process. bubblewrap loads the
program with ``--seccomp FD`` just before it execs the command, after
``PR_SET_NO_NEW_PRIVS``.
"""

from __future__ import annotations

import platform
import struct
from dataclasses import dataclass

# Classic BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000
EPERM = 1
AF_UNIX = 1

# Offsets in struct seccomp_data (little-endian: args[0]'s low word at 16).
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0_LO = 16
_X32_SYSCALL_BIT = 0x40000000


@dataclass(frozen=True)
class _Arch:
    audit_arch: int
    syscalls: dict[str, int]
    has_x32: bool


_ARCHES: dict[str, _Arch] = {
    "x86_64": _Arch(
        0xC000003E,
        {
            "ptrace": 101,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
            "connect": 42,
            "accept": 43,
            "accept4": 288,
            "bind": 49,
            "listen": 50,
            "getpeername": 52,
            "getsockname": 51,
            "shutdown": 48,
            "sendto": 44,
            "sendmmsg": 307,
            "recvmmsg": 299,
            "getsockopt": 55,
            "setsockopt": 54,
            "socket": 41,
            "socketpair": 53,
        },
        has_x32=True,
    ),
    "aarch64": _Arch(
        0xC00000B7,
        {
            "ptrace": 117,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
            "connect": 203,
            "accept": 202,
            "accept4": 242,
            "bind": 200,
            "listen": 201,
            "getpeername": 205,
            "getsockname": 204,
            "shutdown": 210,
            "sendto": 206,
            "sendmmsg": 269,
            "recvmmsg": 243,
            "getsockopt": 209,
            "setsockopt": 208,
            "socket": 198,
            "socketpair": 199,
        },
        has_x32=False,
    ),
}
_ARCH_ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}

#: Denied whatever their arguments (upstream's restricted mode; recvfrom stays
#: allowed so tools that talk to children over socketpairs keep working).
DENIED_SYSCALLS: tuple[str, ...] = (
    "ptrace",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "connect",
    "accept",
    "accept4",
    "bind",
    "listen",
    "getpeername",
    "getsockname",
    "shutdown",
    "sendto",
    "sendmmsg",
    "recvmmsg",
    "getsockopt",
    "setsockopt",
)
#: Allowed only when the first argument (the domain) is AF_UNIX.
UNIX_ONLY_SYSCALLS: tuple[str, ...] = ("socket", "socketpair")


# ferry: codex_linux_sandbox::landlock::install_network_seccomp_filter_on_current_thread @ 1d092cb66 -- its unsupported-architecture error
class UnsupportedArchitecture(RuntimeError):
    """No syscall table for this machine; the network filter cannot be built."""


# ferry: codex_linux_sandbox::landlock::install_network_seccomp_filter_on_current_thread @ 1d092cb66 -- the target architecture of the filter
def machine_arch(machine: str | None = None) -> str:
    raw = (machine or platform.machine()).lower()
    return _ARCH_ALIASES.get(raw, raw)


# ferry: codex_linux_sandbox::landlock::install_network_seccomp_filter_on_current_thread @ 1d092cb66 -- the same rules, compiled to classic BPF by hand
def network_filter(machine: str | None = None) -> bytes:
    """The BPF program (``struct sock_filter[]`` bytes) for ``machine`` (default: this one)."""
    arch_name = machine_arch(machine)
    arch = _ARCHES.get(arch_name)
    if arch is None:
        raise UnsupportedArchitecture(
            f"no seccomp syscall table for architecture {arch_name!r} (supported: {', '.join(_ARCHES)})"
        )
    prog = _Program()
    prog.load(_OFF_ARCH)
    prog.jump_eq(arch.audit_arch, true="arch_ok", false=None)
    prog.ret(RET_KILL_PROCESS)
    prog.label("arch_ok")
    prog.load(_OFF_NR)
    if arch.has_x32:
        prog.jump_ge(_X32_SYSCALL_BIT, true="deny", false=None)
    for name in DENIED_SYSCALLS:
        prog.jump_eq(arch.syscalls[name], true="deny", false=None)
    for name in UNIX_ONLY_SYSCALLS:
        prog.jump_eq(arch.syscalls[name], true="check_domain", false=None)
    prog.ret(RET_ALLOW)
    prog.label("check_domain")
    prog.load(_OFF_ARG0_LO)
    prog.jump_eq(AF_UNIX, true="allow", false="deny")
    prog.label("allow")
    prog.ret(RET_ALLOW)
    prog.label("deny")
    prog.ret(RET_ERRNO | EPERM)
    return prog.assemble()


class _Program:
    """A tiny assembler: instructions with symbolic forward jumps."""

    def __init__(self) -> None:
        self._insns: list[tuple[int, str | None, str | None, int]] = []
        self._labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        self._labels[name] = len(self._insns)

    def load(self, offset: int) -> None:
        self._insns.append((_LD_W_ABS, None, None, offset))

    def ret(self, value: int) -> None:
        self._insns.append((_RET_K, None, None, value))

    def jump_eq(self, value: int, *, true: str | None, false: str | None) -> None:
        self._insns.append((_JEQ_K, true, false, value))

    def jump_ge(self, value: int, *, true: str | None, false: str | None) -> None:
        self._insns.append((_JGE_K, true, false, value))

    def assemble(self) -> bytes:
        out = bytearray()
        for index, (code, true, false, k) in enumerate(self._insns):
            jt = self._offset(index, true)
            jf = self._offset(index, false)
            out += struct.pack("<HBBI", code, jt, jf, k)
        return bytes(out)

    def _offset(self, index: int, label: str | None) -> int:
        if label is None:
            return 0
        delta = self._labels[label] - index - 1
        if not 0 <= delta <= 255:
            raise ValueError(f"BPF jump to {label!r} out of range ({delta})")
        return delta
