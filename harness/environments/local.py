"""The ``local`` environment: a bubblewrap sandbox over the host's read-only system.

For tasks that need no image of their own. The task's Dockerfile is replayed
(``WORKDIR``/``ENV``/``COPY``/``RUN``) into a private directory tree whose top-level
folders (``/app``, ``/tests``, ``/logs``, ``/tmp``, ``/root``...) are the only
writable places; ``/usr``, ``/etc``, ``/opt`` and ``/var`` come read-only from the
host, and the harness's own Python (with pytest) is first on ``PATH``. Every
command runs under ``bwrap --cap-drop ALL --unshare-pid --die-with-parent
--new-session`` (we are root, so capabilities are always dropped).

Differences from Docker, by design: ``FROM`` is not pulled (the host system stands in,
and the trial records that), system folders cannot be written (a task that installs
packages needs the docker environment), CPU and memory limits are not enforced (the
trial records that), and the working directory defaults to ``/app`` when the
Dockerfile sets none. A task with ``allow_internet = false`` runs its commands in a
network namespace of its own (``--unshare-net``: loopback only).

Every trial gets a new private tree under a scratch directory *outside* the run's
results (a killed run's tree is never reused, and nothing an agent wrote there, such
as its credentials, lands among the results). Each tree names the process that owns
it; trees of dead processes are removed by the next run (:meth:`reap`). Every command
runs in its own PID namespace, so nothing an agent started outlives its phase.
"""

from __future__ import annotations

import functools
import glob
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from harness.dockerfile import parse_dockerfile, parse_env_pairs
from harness.environments.base import ExecResult
from harness.environments.standins import KIT_MOUNT, StandinKit, kit_env
from harness.errors import EnvironmentStartError, EnvironmentUnavailable
from harness.tasks.model import Task

log = logging.getLogger(__name__)

#: Host directories shown read-only; everything else at the top level is the task's.
SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "opt", "var")
_RESERVED = {
    *SYSTEM_DIRS,
    "ferry-offline",
    "proc",
    "dev",
    "sys",
    "run",
    "boot",
    "mnt",
    "media",
    "srv",
}
_IGNORED_INSTRUCTIONS = {
    "FROM", "USER", "CMD", "ENTRYPOINT", "EXPOSE", "LABEL", "SHELL", "VOLUME",
    "HEALTHCHECK", "STOPSIGNAL", "ONBUILD", "MAINTAINER", "ARG",
}  # fmt: skip
DEFAULT_WORKDIR = "/app"
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def bwrap_binary() -> str:
    found = shutil.which("bwrap")
    if found is None:
        raise EnvironmentUnavailable(
            "bubblewrap (bwrap) is not installed; run `make setup` as root or `apt-get install bubblewrap`"
        )
    return found


@functools.cache
def bwrap_probe() -> str | None:
    """``None`` when bwrap can create its namespaces here, else the reason it cannot."""
    try:
        binary = bwrap_binary()
    except EnvironmentUnavailable as exc:
        return str(exc)
    proc = subprocess.run(
        [binary, "--die-with-parent", "--unshare-pid", "--cap-drop", "ALL", "--ro-bind", "/", "/",
         "--proc", "/proc", "--dev", "/dev", "true"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if proc.returncode != 0:
        return f"bwrap cannot create a sandbox here (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
    return None


def _tool_prefixes() -> list[str]:
    """The harness interpreter's prefixes, so ``python3 -m pytest`` works inside."""
    prefixes: list[str] = []
    for prefix in (sys.base_prefix, sys.prefix):
        top = PurePosixPath(prefix).parts[1] if len(PurePosixPath(prefix).parts) > 1 else ""
        if prefix not in prefixes and top not in SYSTEM_DIRS:
            prefixes.append(prefix)
    return prefixes


def sandbox_argv(
    binds: list[tuple[Path, str]], workdir: str, ro_binds: Sequence[tuple[Path, str]] = ()
) -> list[str]:
    """``bwrap`` arguments: read-only host system, writable ``binds``, capabilities dropped.

    The harness interpreter's prefixes are bound after the writable folders so that a
    writable ``/root`` cannot hide an interpreter living under it.
    """
    args = [
        bwrap_binary(),
        "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc",
        "--unshare-uts", "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev",
    ]  # fmt: skip
    for name in SYSTEM_DIRS:
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    for source, target in binds:
        args += ["--bind", str(source), target]
    for source, target in ro_binds:
        args += ["--ro-bind", str(source), target]
    for prefix in _tool_prefixes():
        args += ["--ro-bind", prefix, prefix]
    return [*args, "--chdir", workdir]


def sandbox_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment commands start with inside the sandbox (harness Python first on PATH)."""
    tool_bins = ":".join(f"{p}/bin" for p in reversed(_tool_prefixes()))
    return {
        "PATH": f"{tool_bins}:{BASE_PATH}" if tool_bins else BASE_PATH,
        "HOME": "/root",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        **(extra or {}),
    }


OWNER_FILE = ".ferry-owner"


def default_scratch() -> Path:
    return Path(tempfile.gettempdir()) / f"ferry-sandboxes-{os.getuid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LocalEnvironment:
    """One trial's sandbox: a fresh private tree under the scratch directory."""

    def __init__(
        self,
        task: Task,
        trial_dir: Path,
        *,
        keep: bool = False,
        scratch: Path | None = None,
        kit: StandinKit | None = None,
    ) -> None:
        self.task = task
        self.kit = kit
        self.trial_dir = trial_dir
        base = scratch or default_scratch()
        base.mkdir(parents=True, exist_ok=True)
        holder = Path(tempfile.mkdtemp(prefix=f"{task.task_id[:40]}-", dir=base))
        (holder / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="utf-8")
        self.holder = holder
        self.root = holder / "sandbox"
        self.keep = keep
        self._workdir = DEFAULT_WORKDIR
        self._env: dict[str, str] = {}
        self.notes: list[str] = []
        self._bwrap = bwrap_binary()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._stopped = False

    # -- paths
    @property
    def workdir(self) -> str:
        return self._workdir

    def host_path(self, path: str) -> Path:
        """Where a path inside the sandbox lives on the host; system paths are refused."""
        pure = PurePosixPath(self._workdir) / path
        parts = [p for p in pure.parts[1:] if p not in ("", ".")]
        if not parts or parts[0] in _RESERVED or ".." in parts:
            raise EnvironmentStartError(
                f"the local environment cannot write to {pure} (only non-system top-level "
                "folders are writable); use the docker environment for this task"
            )
        return self.root.joinpath(*parts)

    # -- lifecycle
    @property
    def no_network(self) -> bool:
        """No network for the task: ``allow_internet = false`` or an offline run."""
        return not self.task.allow_internet or bool(self.kit and self.kit.offline)

    def start(self) -> None:
        if self.task.services:
            raise EnvironmentStartError(
                f"the task's docker-compose.yaml starts other services "
                f"({', '.join(self.task.services)}); use --env docker"
            )
        self.root.mkdir(parents=True, exist_ok=False)
        for key in self.task.compose_ignored:
            self._note(f"docker-compose key {key} is not applied by the harness")
        if self.task.tmpfs:
            self._note(
                f"compose tmpfs {', '.join(self.task.tmpfs)}: ordinary folders of the trial's "
                "tree here (each command is a sandbox of its own; a tmpfs would not outlive it)"
            )
        if self.task.compose_working_dir:
            self._workdir = self.task.compose_working_dir
        if self.kit is not None:
            self._note(
                f"offline kit at {KIT_MOUNT} first on PATH (uv installer stand-in"
                + (", wheelhouse, no index" if self.kit.offline else "")
                + ")"
            )
        if self.task.cpus or self.task.memory_mb:
            self._note(
                f"limits cpus={self.task.cpus} memory_mb={self.task.memory_mb} are not "
                "enforced by the local environment (use --env docker)"
            )
        if self.no_network:
            self._note("no internet for this task: commands run without network (--unshare-net)")
        for top in ("tmp", "root", "logs"):
            (self.root / top).mkdir(exist_ok=True)
        (self.root / "tmp").chmod(0o1777)
        self._env = dict(self.task.container_env)
        if self.task.dockerfile is not None:
            self._replay(self.task.dockerfile)
        else:
            self._note(f"image {self.task.image} replaced by the host system (read-only)")
        if self.task.compose_working_dir:
            self._workdir = self.task.compose_working_dir
        self.host_path(self._workdir).mkdir(parents=True, exist_ok=True)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            procs = list(self._procs)
        for proc in procs:
            proc.kill()
        if not self.keep:
            shutil.rmtree(self.holder, ignore_errors=True)

    def end_processes(self) -> None:
        """Nothing to do: each command's PID namespace ends with the command."""

    def _note(self, message: str) -> None:
        self.notes.append(message)
        log.info("local environment (%s): %s", self.task.task_id, message)

    def _replay(self, dockerfile: Path) -> None:
        for ins in parse_dockerfile(dockerfile):
            where = f"{dockerfile}:{ins.line}"
            if ins.keyword == "FROM":
                self._note(f"base image {ins.words()[0]} replaced by the host system (read-only)")
            elif ins.keyword == "WORKDIR":
                self._workdir = str(PurePosixPath(self._workdir) / ins.value.strip())
                self.host_path(self._workdir).mkdir(parents=True, exist_ok=True)
            elif ins.keyword == "ENV":
                self._env.update(parse_env_pairs(ins.value))
            elif ins.keyword in ("COPY", "ADD"):
                self._copy_from_context(ins.words(), where)
            elif ins.keyword == "RUN":
                command = " ".join(ins.words()) if ins.value.lstrip().startswith("[") else ins.value
                result = self.exec(command, timeout_sec=self.task.build_timeout_sec)
                if result.exit_code != 0:
                    raise EnvironmentStartError(
                        f"{where}: RUN failed in the local environment (exit {result.exit_code}): "
                        f"{result.output[-1500:]}"
                    )
            elif ins.keyword not in _IGNORED_INSTRUCTIONS:
                raise EnvironmentStartError(
                    f"{where}: {ins.keyword} is not supported by the local environment"
                )

    def _copy_from_context(self, words: list[str], where: str) -> None:
        if len(words) < 2:
            raise EnvironmentStartError(f"{where}: COPY needs a source and a destination")
        *sources, dest = words
        context = self.task.build_context
        matches: list[Path] = []
        for source in sources:
            if "://" in source:
                raise EnvironmentStartError(
                    f"{where}: remote ADD sources are not supported locally"
                )
            found = sorted(glob.glob(str(context / source)))
            if not found:
                raise EnvironmentStartError(
                    f"{where}: COPY source '{source}' not found in {context}"
                )
            matches.extend(Path(f) for f in found)
        target = self.host_path(dest)
        into_dir = dest.endswith("/") or len(matches) > 1 or target.is_dir()
        for match in matches:
            if match.is_dir():
                shutil.copytree(match, target, dirs_exist_ok=True, symlinks=True)
            else:
                final = target / match.name if into_dir else target
                final.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(match, final)

    # -- commands
    def _bwrap_args(self, workdir: str, network: bool) -> list[str]:
        binds = [(top, f"/{top.name}") for top in sorted(self.root.iterdir()) if top.is_dir()]
        ro = [(self.kit.root, KIT_MOUNT)] if self.kit is not None else []
        argv = sandbox_argv(binds, workdir, ro)
        if not network and self.no_network:
            argv.insert(1, "--unshare-net")
        return argv

    def exec(
        self,
        command: str,
        *,
        timeout_sec: float | None = None,
        env: Mapping[str, str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        network: bool = False,
    ) -> ExecResult:
        cwd = str(PurePosixPath(self._workdir) / (workdir or "."))
        self.host_path(cwd).mkdir(parents=True, exist_ok=True)
        full_env = sandbox_env({**self._env, **(env or {})})
        full_env.update(kit_env(self.kit, full_env["PATH"]))
        argv = [*self._bwrap_args(cwd, network), "bash", "-c", command]
        started = time.monotonic()
        with self._lock:
            if self._stopped:
                return ExecResult(137, "the environment was stopped", duration_sec=0.0)
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=full_env,
            )
            self._procs.add(proc)
        try:
            out, _ = proc.communicate(timeout=timeout_sec)
            timed_out = False
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            timed_out = True
        finally:
            with self._lock:
                self._procs.discard(proc)
        return ExecResult(
            exit_code=proc.returncode if not timed_out else 124,
            output=out.decode("utf-8", errors="replace"),
            timed_out=timed_out,
            duration_sec=time.monotonic() - started,
        )

    # -- files
    def copy_in(self, source: Path, dest: str) -> None:
        target = self.host_path(dest)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)

    def read_file(self, path: str) -> bytes | None:
        host = self.host_path(path)
        return host.read_bytes() if host.is_file() else None

    def copy_out(self, source: str, dest: Path) -> bool:
        host = self.host_path(source)
        if host.is_dir():
            shutil.copytree(host, dest, dirs_exist_ok=True, symlinks=True)
            return True
        if host.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(host, dest)
            return True
        return False


class LocalEnvironmentFactory:
    name = "local"

    def __init__(
        self, *, keep: bool = False, scratch: Path | None = None, kit: StandinKit | None = None
    ) -> None:
        problem = bwrap_probe()
        if problem is not None:
            raise EnvironmentUnavailable(problem)
        self.keep = keep
        self.scratch = scratch or default_scratch()
        self.kit = kit

    def create(self, task: Task, trial_dir: Path) -> LocalEnvironment:
        return LocalEnvironment(task, trial_dir, keep=self.keep, scratch=self.scratch, kit=self.kit)

    def reap(self) -> list[str]:
        """Remove sandboxes whose owning process is gone (a killed run's leftovers)."""
        removed: list[str] = []
        if not self.scratch.is_dir():
            return removed
        for holder in sorted(self.scratch.iterdir()):
            owner = holder / OWNER_FILE
            try:
                pid = int(owner.read_text(encoding="utf-8").strip())
            except (OSError, ValueError):
                continue
            if not _pid_alive(pid):
                shutil.rmtree(holder, ignore_errors=True)
                removed.append(str(holder))
        if removed:
            log.warning("removed %d sandbox(es) left by killed runs", len(removed))
        return removed
