"""Legacy Landlock sandbox: restrict this process, then exec the command.

The fallback when bubblewrap cannot run (upstream keeps the same path behind
``features.use_legacy_landlock``). Run as
``python -I -S landlock.py FILTER NET CWD N ROOT_1..ROOT_N -- CMD...``
(standard library only). In order it:

1. drops every capability from the bounding set and sets no-new-privileges,
   so a root caller's command cannot regain capabilities by exec;
2. installs a Landlock ruleset: the whole filesystem readable and executable,
   writes only beneath the writable roots and ``/dev/null``; when ``NET`` is
   ``0``, TCP bind/connect denied; signals and abstract Unix sockets scoped to
   the sandbox (ABI 6+); Landlock also forbids mount operations;
3. installs the seccomp program ``FILTER`` (hex, or ``-``);
4. enters ``CWD`` and execs the command (with ``CODEX_SANDBOX_NETWORK_DISABLED=1``
   when ``NET`` is ``0``, as under bubblewrap).

Unlike bubblewrap, Landlock cannot carve read-only sub-paths (``.git``) out of
a writable root; upstream's legacy path has the same limit.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys

# Generic syscall numbers (identical on x86_64 and aarch64).
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

ACCESS_EXECUTE = 1 << 0
ACCESS_WRITE_FILE = 1 << 1
ACCESS_READ_FILE = 1 << 2
ACCESS_READ_DIR = 1 << 3
#: Every filesystem right by ABI version (REFER: 2, TRUNCATE: 3, IOCTL_DEV: 5).
_FS_ALL_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
ACCESS_NET_BIND_TCP = 1 << 0
ACCESS_NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

_READ_ONLY = ACCESS_EXECUTE | ACCESS_READ_FILE | ACCESS_READ_DIR


# ferry: codex_linux_sandbox::landlock::apply_sandbox_policy_to_current_thread @ 1d092cb66 -- its error cases
class LandlockError(OSError):
    """Landlock (or a companion restriction) could not be applied."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise LandlockError(errno, f"{what}: {os.strerror(errno)}")
    return result


# ferry: codex_linux_sandbox::landlock::install_filesystem_landlock_rules_on_current_thread @ 1d092cb66 -- the ABI probe the landlock crate does
def abi_version(libc: ctypes.CDLL | None = None) -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is unavailable."""
    libc = libc or _libc()
    version = int(
        libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, 0, LANDLOCK_CREATE_RULESET_VERSION)
    )
    return max(version, 0)


# ferry: codex_linux_sandbox::landlock::install_filesystem_landlock_rules_on_current_thread @ 1d092cb66 -- the access rights of the ABI
def fs_access_all(abi: int) -> int:
    return _FS_ALL_BY_ABI[max(k for k in _FS_ALL_BY_ABI if k <= abi)]


# ferry: port-only -- port enhancement: empties the capability bounding set so a root caller's command cannot regain capabilities (upstream relies on bwrap for this)
def drop_capabilities(libc: ctypes.CDLL) -> None:
    """Empty the bounding set (needs CAP_SETPCAP, i.e. root); then no caps survive exec."""
    try:
        with open("/proc/sys/kernel/cap_last_cap") as fh:
            last = int(fh.read())
    except (OSError, ValueError):
        last = 40
    for cap in range(last + 1):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and os.geteuid() == 0:
            _check(-1, f"prctl(PR_CAPBSET_DROP, {cap})")


# ferry: codex_linux_sandbox::landlock::install_filesystem_landlock_rules_on_current_thread @ 1d092cb66
# ferry: codex_linux_sandbox::landlock::set_no_new_privs @ 1d092cb66
def restrict_self(writable_roots: list[str], network: bool, libc: ctypes.CDLL) -> None:
    abi = abi_version(libc)
    if abi < 1:
        raise LandlockError(0, "Landlock is not supported by this kernel (or disabled at boot)")
    handled_fs = fs_access_all(abi)
    handled_net = 0 if network or abi < 4 else ACCESS_NET_BIND_TCP | ACCESS_NET_CONNECT_TCP
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    if abi >= 6:
        attr = struct.pack("=QQQ", handled_fs, handled_net, scoped)
    elif abi >= 4:
        attr = struct.pack("=QQ", handled_fs, handled_net)
    else:
        attr = struct.pack("=Q", handled_fs)
    buf = ctypes.create_string_buffer(attr, len(attr))
    fd = _check(
        libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buf, len(attr), 0), "landlock_create_ruleset"
    )
    try:
        _allow(libc, fd, "/", _READ_ONLY)
        _allow(libc, fd, "/dev/null", handled_fs & ~ACCESS_EXECUTE & ~ACCESS_READ_DIR)
        for root in writable_roots:
            if os.path.exists(root):
                _allow(libc, fd, root, handled_fs)
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        _check(libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, fd, 0), "landlock_restrict_self")
    finally:
        os.close(fd)


def _allow(libc: ctypes.CDLL, ruleset_fd: int, path: str, access: int) -> None:
    parent_fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not os.path.isdir(path):
            # Directory-only rights are invalid on a file.
            access &= ACCESS_EXECUTE | ACCESS_WRITE_FILE | ACCESS_READ_FILE | (1 << 14) | (1 << 15)
        rule = struct.pack("=Qi", access, parent_fd)  # struct landlock_path_beneath_attr (packed)
        buf = ctypes.create_string_buffer(rule, len(rule))
        _check(
            libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, buf, 0),
            f"landlock_add_rule({path})",
        )
    finally:
        os.close(parent_fd)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


# ferry: codex_linux_sandbox::landlock::install_network_seccomp_filter_on_current_thread @ 1d092cb66
def install_seccomp(program: bytes, libc: ctypes.CDLL) -> None:
    buf = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    _check(
        libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0),
        "prctl(PR_SET_SECCOMP)",
    )


# ferry: codex_linux_sandbox::landlock::apply_sandbox_policy_to_current_thread @ 1d092cb66 -- as a stdlib-only exec stage
def main(argv: list[str]) -> int:
    try:
        program, network, cwd, count = argv[0], argv[1] == "1", argv[2], int(argv[3])
        roots = argv[4 : 4 + count]
        if argv[4 + count] != "--" or len(argv) < 6 + count:
            raise ValueError
        command = argv[5 + count :]
    except (IndexError, ValueError):
        sys.stderr.write(
            "pycodex landlock: usage: landlock.py FILTER NET CWD N ROOT... -- CMD...\n"
        )
        return 2
    libc = _libc()
    try:
        drop_capabilities(libc)
        restrict_self(roots, network, libc)
        if program != "-":
            install_seccomp(bytes.fromhex(program), libc)
    except LandlockError as exc:
        sys.stderr.write(f"pycodex landlock: sandbox setup failed: {exc.strerror}\n")
        return 1
    if not network:
        os.environ["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
    try:
        os.chdir(cwd)
        os.execvp(command[0], command)
    except OSError as exc:
        sys.stderr.write(f"pycodex landlock: cannot execute {command[0]} in {cwd}: {exc}\n")
    return 127


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
