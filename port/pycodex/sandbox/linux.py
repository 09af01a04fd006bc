"""Turn a command into the argv that runs it under the Linux sandbox.

Two mechanisms, tried in upstream's order of preference:

* **bubblewrap** (default): namespaces + read-only bind mounts, plus the
  seccomp network filter. Layout of the returned argv::

      python -I -S .../_launch.py <seccomp-hex|-> N <N x (mount point, lock)> bwrap <flags> -- CMD

  The launcher stage always runs: it hands bwrap the seccomp program (only for
  restricted networking, as upstream), removes mount points afterwards, and
  makes sure nothing outlives pycodex (see ``_launch.py``).
* **legacy Landlock** (``use_legacy_landlock``, or when bubblewrap cannot run
  here): ``python -I -S .../landlock.py <seccomp-hex|-> <net> <cwd> N <roots> -- CMD``.

Nothing ever runs unsandboxed silently: when no mechanism works,
:class:`SandboxUnavailable` is raised with the reasons.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pycodex.sandbox import seccomp
from pycodex.sandbox.bwrap import BwrapOptions, SandboxBuildError, create_bwrap_args
from pycodex.sandbox.mount_targets import mount_target, registry_dir, sweep_registry
from pycodex.sandbox.policy import SandboxPolicy

_LAUNCHER = Path(__file__).with_name("_launch.py")
#: Read (and removed) by ``_launch.py``: the pid it must die with.
LAUNCH_PARENT_ENV = "PYCODEX_LAUNCH_PARENT"
_LANDLOCK = Path(__file__).with_name("landlock.py")
BWRAP = "bwrap"
LANDLOCK = "landlock"
_PROBE_TIMEOUT_S = 20.0
#: First argument that makes a frozen pycodex (PyInstaller bundle) run a helper stage.
LAUNCH_HELPER = "--pycodex-internal-launch"
LANDLOCK_HELPER = "--pycodex-internal-landlock"
_HELPER_SCRIPTS = {LAUNCH_HELPER: _LAUNCHER, LANDLOCK_HELPER: _LANDLOCK}


# ferry: port-only -- how pycodex re-invokes itself for a helper stage (upstream dispatches on arg0)
def helper_argv(helper: str) -> list[str]:
    """The argv prefix that runs a helper stage (``_launch.py`` or ``landlock.py``).

    From a source install that is the interpreter on the stdlib-only script
    (``-I -S`` keeps start-up to milliseconds). A frozen bundle has no
    interpreter that takes flags, so it re-runs itself with the helper's
    marker as first argument, which ``pycodex._entry`` dispatches before the CLI.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, helper]
    return [sys.executable, "-I", "-S", str(_HELPER_SCRIPTS[helper])]


# ferry: codex_sandboxing::manager::SandboxTransformError @ 1d092cb66 -- no usable sandbox mechanism
class SandboxUnavailable(RuntimeError):
    """No working sandbox mechanism on this machine; the message says why and what to do."""


@dataclass(frozen=True)
class _Mechanism:
    #: ``"bwrap"`` or ``"landlock"``.
    kind: str
    bwrap: str = ""
    options: BwrapOptions = field(default_factory=BwrapOptions)
    #: Why the preferred mechanism was not used (empty when it was).
    fallback_reason: str = ""


# ferry: codex_sandboxing::bwrap::find_system_bwrap_in_path @ 1d092cb66
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


# ferry: codex_sandboxing::manager::SandboxManager::transform @ 1d092cb66
# ferry: codex_sandboxing::landlock::create_linux_sandbox_command_args_for_policies @ 1d092cb66
def wrap_command(
    argv: Sequence[str],
    policy: SandboxPolicy,
    cwd: Path,
    *,
    use_legacy_landlock: bool = False,
    command_cwd: Path | None = None,
) -> list[str]:
    """The argv to spawn so that ``argv`` runs under ``policy`` for the session directory ``cwd``.

    The writable roots and protected paths come from ``policy`` and ``cwd`` only;
    ``command_cwd`` (default ``cwd``) is merely where the command starts (upstream's
    ``--sandbox-policy-cwd`` versus ``--command-cwd``). ``danger-full-access``
    returns ``argv`` unchanged. ``use_legacy_landlock``
    forces the Landlock mechanism (upstream's ``features.use_legacy_landlock``).
    Raises :class:`SandboxUnavailable` when the sandbox cannot be set up.
    """
    command = list(argv)
    if not command:
        raise ValueError("wrap_command: empty command")
    if policy.has_full_disk_write_access:
        return command
    mechanism = _mechanism(use_legacy_landlock)
    start = Path(os.path.abspath(command_cwd if command_cwd is not None else cwd))
    return _build(command, policy, Path(os.path.abspath(cwd)), mechanism, start)


# ferry: codex_sandboxing::manager::ensure_linux_bubblewrap_is_supported @ 1d092cb66
def sandbox_available(*, use_legacy_landlock: bool = False) -> str | None:
    """``None`` when sandboxed commands can run here, else the reason (probed once)."""
    try:
        _mechanism(use_legacy_landlock)
    except SandboxUnavailable as exc:
        return str(exc)
    return None


# ferry: codex_sandboxing::manager::get_platform_sandbox @ 1d092cb66
def sandbox_mechanism(*, use_legacy_landlock: bool = False) -> str:
    """Which mechanism :func:`wrap_command` uses here: ``"bwrap"`` or ``"landlock"``."""
    return _mechanism(use_legacy_landlock).kind


# ferry: port-only -- upstream has no automatic fallback; pycodex says when Landlock stands in
def sandbox_fallback_warning(*, use_legacy_landlock: bool = False) -> str | None:
    """What to tell the user (on stderr) when the mechanism in use is not bubblewrap.

    ``None`` when bubblewrap is used. Landlock stands in automatically only for
    policies it enforces completely (nothing writable); for writable roots it is
    used only when asked for, and :func:`wrap_command` refuses otherwise.
    """
    mechanism = _mechanism(use_legacy_landlock)
    if mechanism.kind != LANDLOCK:
        return None
    if mechanism.fallback_reason:
        return (
            f"sandbox: using the Landlock sandbox because bubblewrap is unavailable "
            f"({mechanism.fallback_reason}); read-only commands keep every protection, "
            "commands that need writable roots are refused"
        )
    return (
        "sandbox: using the legacy Landlock sandbox (use_legacy_landlock = true); "
        "it cannot keep .git, .codex and .agents read-only inside writable roots"
    )


def _build(
    command: list[str],
    policy: SandboxPolicy,
    cwd: Path,
    mechanism: _Mechanism,
    command_cwd: Path | None = None,
) -> list[str]:
    start = command_cwd if command_cwd is not None else cwd
    if mechanism.kind == LANDLOCK:
        if mechanism.fallback_reason and policy.writable_roots_for(cwd):
            # Landlock cannot carve .git/.codex/.agents out of a writable root:
            # falling back silently would weaken the sandbox, so refuse instead.
            raise SandboxUnavailable(
                f"bubblewrap cannot run here ({mechanism.fallback_reason}), and the Landlock "
                "fallback cannot keep .git, .codex and .agents read-only inside writable roots, "
                "so pycodex refuses to run this command sandboxed. Make bubblewrap work, accept "
                "the weaker sandbox with `-c features.use_legacy_landlock=true`, or use "
                "--sandbox read-only / danger-full-access"
            )
        return _build_landlock(command, policy, cwd, start)
    try:
        built = create_bwrap_args(command, policy, cwd, mechanism.options, command_cwd=start)
    except SandboxBuildError as exc:
        raise SandboxUnavailable(f"sandbox: {exc}") from exc
    registry = mechanism.options.registry
    targets: list[str] = []
    if registry is not None:
        for path in built.synthetic_mount_targets:
            target = mount_target(path, registry)
            targets += [str(target.path), str(target.lock)]
    program = "-" if policy.has_full_network_access else _network_filter_hex()
    count = str(len(targets) // 2)
    launcher = [*helper_argv(LAUNCH_HELPER), program, count, *targets]
    return [*launcher, mechanism.bwrap, *built.args]


# ferry: port-only -- every command runs under pycodex's supervisor so nothing outlives a run
def supervised_command(argv: Sequence[str]) -> list[str]:
    """``argv`` (run without a sandbox) under the launcher that kills it with pycodex.

    Spawn the result with ``PYCODEX_LAUNCH_PARENT`` set to this process's pid
    (see :func:`launch_env`).
    """
    return [*helper_argv(LAUNCH_HELPER), "-", "0", *argv]


# ferry: port-only -- the launcher checks this pid to die with pycodex (PR_SET_PDEATHSIG)
def launch_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` plus the variable the launcher reads (and removes) to watch pycodex."""
    return {**env, LAUNCH_PARENT_ENV: str(os.getpid())}


def _build_landlock(
    command: list[str], policy: SandboxPolicy, cwd: Path, command_cwd: Path
) -> list[str]:
    program = "-" if policy.has_full_network_access else _network_filter_hex()
    roots = [str(r.root) for r in policy.writable_roots_for(cwd) if r.root.exists()]
    network = "1" if policy.has_full_network_access else "0"
    head = [*helper_argv(LANDLOCK_HELPER), program, network, str(command_cwd)]
    return supervised_command([*head, str(len(roots)), *roots, "--", *command])


@functools.cache
def _network_filter_hex() -> str:
    try:
        return seccomp.network_filter().hex()
    except seccomp.UnsupportedArchitecture as exc:
        raise SandboxUnavailable(f"sandbox: {exc}; network isolation cannot be enforced") from exc


@functools.cache
def _mechanism(use_legacy_landlock: bool = False) -> _Mechanism:
    """Pick a mechanism and prove it works with a real sandboxed ``true`` (cached)."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"the Linux sandbox is not available on {sys.platform}")
    if use_legacy_landlock:
        return _probe_landlock()
    try:
        return _probe_bwrap()
    except SandboxUnavailable as bwrap_error:
        try:
            return dataclasses.replace(_probe_landlock(), fallback_reason=str(bwrap_error))
        except SandboxUnavailable as landlock_error:
            raise SandboxUnavailable(
                f"no sandbox mechanism works here: {bwrap_error}; and {landlock_error}. "
                "Fix one of them or run with --sandbox danger-full-access"
            ) from landlock_error


def _true() -> str:
    return next((c for c in ("/usr/bin/true", "/bin/true") if os.access(c, os.X_OK)), "true")


def _run_probe(argv: list[str], what: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(f"{what} could not be started: {exc}") from exc


def _probe_bwrap() -> _Mechanism:
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) was not found on PATH; install it "
            "(Debian/Ubuntu: apt-get install bubblewrap)"
        )
    policy = SandboxPolicy.read_only()
    last_error = ""
    registry = registry_dir()
    if registry is not None:
        sweep_registry(registry)  # lock files earlier runs left behind
    for mount_proc in (True, False):
        mechanism = _Mechanism(BWRAP, bwrap, BwrapOptions(mount_proc=mount_proc, registry=registry))
        proc = _run_probe(_build([_true()], policy, Path("/"), mechanism), f"bubblewrap at {bwrap}")
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


def _probe_landlock() -> _Mechanism:
    mechanism = _Mechanism(LANDLOCK)
    argv = _build([_true()], SandboxPolicy.read_only(), Path("/"), mechanism)
    proc = _run_probe(argv, "the Landlock sandbox")
    if proc.returncode != 0:
        reason = proc.stderr.strip() or f"exit status {proc.returncode}"
        raise SandboxUnavailable(f"the Landlock sandbox cannot run here ({reason})")
    return mechanism


def _is_proc_mount_failure(stderr: str) -> bool:
    return (
        "Can't mount proc" in stderr
        and "/newroot/proc" in stderr
        and any(
            s in stderr
            for s in ("Invalid argument", "Operation not permitted", "Permission denied")
        )
    )
