"""Turn a command into the argv that runs it under the Linux sandbox.

Layout of the returned argv for sandboxed modes::

    python -I -S .../_launch.py <seccomp-hex|-> N <N x (mount point, lock)> bwrap <flags> -- CMD...

The launcher stage is skipped (bwrap is spawned directly) when network access
is allowed, as upstream only installs its filter for restricted networking, and
no mount point has to be cleaned up afterwards. Nothing ever runs unsandboxed
silently: when bubblewrap is missing or cannot create namespaces,
:class:`SandboxUnavailable` is raised with the reason.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pycodex.sandbox import seccomp
from pycodex.sandbox.bwrap import BwrapOptions, SandboxBuildError, create_bwrap_args
from pycodex.sandbox.mount_targets import mount_target, registry_dir
from pycodex.sandbox.policy import SandboxPolicy

_LAUNCHER = Path(__file__).with_name("_launch.py")
_PROBE_TIMEOUT_S = 20.0


class SandboxUnavailable(RuntimeError):
    """No working sandbox mechanism on this machine; the message says why and what to do."""


@dataclass(frozen=True)
class _Mechanism:
    bwrap: str
    options: BwrapOptions


def find_bwrap(cwd: Path | None = None) -> str | None:
    """The first ``bwrap`` on PATH that is not inside ``cwd`` (a workspace could plant one)."""
    here = Path(os.path.realpath(cwd or Path.cwd()))
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if not directory:
            continue
        candidate = Path(directory) / "bwrap"
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        if Path(os.path.realpath(candidate)).is_relative_to(here):
            continue
        return str(candidate)
    fallback = "/usr/bin/bwrap"
    return fallback if os.access(fallback, os.X_OK) else None


def wrap_command(argv: Sequence[str], policy: SandboxPolicy, cwd: Path) -> list[str]:
    """The argv to spawn so that ``argv`` runs under ``policy`` with working directory ``cwd``.

    ``danger-full-access`` returns ``argv`` unchanged. Raises
    :class:`SandboxUnavailable` when the sandbox cannot be set up.
    """
    command = list(argv)
    if not command:
        raise ValueError("wrap_command: empty command")
    if policy.has_full_disk_write_access:
        return command
    mechanism = _mechanism()
    return _build(command, policy, cwd, mechanism)


def sandbox_available() -> str | None:
    """``None`` when sandboxed commands can run here, else the reason (probed once)."""
    try:
        _mechanism()
    except SandboxUnavailable as exc:
        return str(exc)
    return None


def _build(
    command: list[str], policy: SandboxPolicy, cwd: Path, mechanism: _Mechanism
) -> list[str]:
    try:
        built = create_bwrap_args(command, policy, cwd, mechanism.options)
    except SandboxBuildError as exc:
        raise SandboxUnavailable(f"sandbox: {exc}") from exc
    registry = mechanism.options.registry
    targets: list[str] = []
    if registry is not None:
        for path in built.synthetic_mount_targets:
            target = mount_target(path, registry)
            targets += [str(target.path), str(target.lock)]
    if policy.has_full_network_access and not targets:
        return [mechanism.bwrap, *built.args]
    program = "-" if policy.has_full_network_access else _network_filter_hex()
    count = str(len(targets) // 2)
    launcher = [sys.executable, "-I", "-S", str(_LAUNCHER), program, count, *targets]
    return [*launcher, mechanism.bwrap, *built.args]


@functools.cache
def _network_filter_hex() -> str:
    try:
        return seccomp.network_filter().hex()
    except seccomp.UnsupportedArchitecture as exc:
        raise SandboxUnavailable(f"sandbox: {exc}; network isolation cannot be enforced") from exc


@functools.cache
def _mechanism() -> _Mechanism:
    """Find bubblewrap and prove it works with a real sandboxed ``true`` (cached)."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"the Linux sandbox is not available on {sys.platform}")
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) was not found on PATH; install it (Debian/Ubuntu: apt-get install bubblewrap) "
            "or run with --sandbox danger-full-access"
        )
    true = next((c for c in ("/usr/bin/true", "/bin/true") if os.access(c, os.X_OK)), "true")
    policy = SandboxPolicy.read_only()
    last_error = ""
    registry = registry_dir()
    for mount_proc in (True, False):
        options = BwrapOptions(mount_proc=mount_proc, registry=registry)
        mechanism = _Mechanism(bwrap, options)
        argv = _build([true], policy, Path("/"), mechanism)
        try:
            proc = subprocess.run(
                argv, capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxUnavailable(f"bubblewrap at {bwrap} could not be started: {exc}") from exc
        if proc.returncode == 0:
            return mechanism
        last_error = proc.stderr.strip() or f"exit status {proc.returncode}"
        if not _is_proc_mount_failure(last_error):
            break
    raise SandboxUnavailable(
        f"bubblewrap at {bwrap} cannot create a sandbox here ({last_error}); user namespaces may be "
        "disabled (check sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces, or the "
        "container's seccomp profile)"
    )


def _is_proc_mount_failure(stderr: str) -> bool:
    return (
        "Can't mount proc" in stderr
        and "/newroot/proc" in stderr
        and any(
            s in stderr
            for s in ("Invalid argument", "Operation not permitted", "Permission denied")
        )
    )
