"""The ``docker`` environment: the task's image built and run through the Docker SDK.

The container's PID 1 is a shell that keeps a ``sleep`` child alive and reaps orphans;
commands are ``docker exec``'d into it under ``timeout -s KILL`` so a phase timeout kills
what it started. Ending an agent's leftovers (``kill -9 -1``) spares only PID 1, so PID 1
must not be something whose death stops the container (``sh -c "sleep infinity"`` is: dash
forks ``sleep`` and exits with it). Base images come from
:mod:`harness.environments.images` when they are not present locally.
"""

from __future__ import annotations

import io
import os
import re
import socket
import tarfile
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from harness.dockerfile import base_images, copy_from_images, parse_dockerfile
from harness.environments.base import ExecResult
from harness.errors import EnvironmentStartError, EnvironmentUnavailable
from harness.tasks.model import Task

LABEL_MANAGED = "org.ferry.managed"
LABEL_OWNER = "org.ferry.owner"
LABEL_TASK = "org.ferry.task"
#: PID 1 of every trial container: survives ``kill -9 -1`` (its child is restarted) and
#: waits for every child, so processes orphaned by the agent do not linger as zombies.
KEEPALIVE = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 86400 & wait; done"]


def owner_label() -> str:
    """``host:pid`` of this process: containers of a dead owner are reaped by the next run."""
    return f"{socket.gethostname()}:{os.getpid()}"


def docker_client() -> Any:
    """A connected Docker client, or :class:`EnvironmentUnavailable` naming what to do."""
    try:
        import docker
        import docker.errors

        client = docker.from_env()
        client.ping()
    except Exception as exc:  # the SDK raises several unrelated types when no engine answers
        raise EnvironmentUnavailable(
            f"no Docker engine is reachable ({exc.__class__.__name__}); start dockerd "
            "(apt-get install docker.io && dockerd &) or use --env local"
        ) from exc
    return client


class DockerEnvironment:
    def __init__(
        self, task: Task, trial_dir: Path, client: Any, cache: Path, *, agent_network: bool = False
    ) -> None:
        self.task = task
        self.agent_network = agent_network
        self.trial_dir = trial_dir
        self.client = client
        self.cache = cache
        self.notes: list[str] = []
        self.container: Any = None
        self._workdir = "/"

    @property
    def workdir(self) -> str:
        return self._workdir

    def _image(self) -> str:
        from harness.environments.images import ensure_image

        if self.task.dockerfile is None:
            assert self.task.image is not None
            ensure_image(self.client, self.task.image, self.cache, self.notes)
            return self.task.image
        instructions = parse_dockerfile(self.task.dockerfile)
        for name in [*base_images(instructions), *copy_from_images(instructions)]:
            ensure_image(self.client, name, self.cache, self.notes)
        tag = "ferry-" + re.sub(
            r"[^a-z0-9_.-]", "-", f"{self.task.format}__{self.task.task_id}".lower()
        )
        try:
            self.client.images.build(
                path=str(self.task.build_context),
                dockerfile=str(self.task.dockerfile),
                tag=tag,
                rm=True,
                pull=False,
                timeout=int(self.task.build_timeout_sec),
            )
        except Exception as exc:
            raise EnvironmentStartError(
                f"docker build of {self.task.dockerfile} failed: {exc}"
            ) from exc
        return tag

    def _network_mode(self) -> str:
        if self.task.allow_internet:
            return "host"
        if self.agent_network:
            self.notes.append(
                "allow_internet = false, but the agent needs its model endpoint: the "
                "container keeps the host network"
            )
            return "host"
        return "none"

    def start(self) -> None:
        image = self._image()
        options: dict[str, Any] = {}
        if self.task.cpus:
            options["nano_cpus"] = int(float(self.task.cpus) * 1e9)
        if self.task.memory_mb:
            options["mem_limit"] = f"{int(self.task.memory_mb)}m"
        if self.task.tmpfs:
            options["tmpfs"] = {path: "" for path in self.task.tmpfs}
        try:
            self.container = self.client.containers.run(
                image,
                entrypoint=KEEPALIVE,
                command=[],
                detach=True,
                environment=dict(self.task.container_env),
                network_mode=self._network_mode(),
                labels={
                    LABEL_MANAGED: "1",
                    LABEL_OWNER: owner_label(),
                    LABEL_TASK: self.task.task_id,
                },
                **options,
            )
        except Exception as exc:
            raise EnvironmentStartError(f"cannot start a container from {image}: {exc}") from exc
        configured = self.client.images.get(image).attrs["Config"].get("WorkingDir") or "/"
        self._workdir = self.task.compose_working_dir or configured
        if self._workdir != "/":
            self.container.exec_run(["mkdir", "-p", self._workdir], user="root")

    def end_processes(self) -> None:
        """``kill -9 -1`` as root: every process but the container's init and the killer."""
        if self.container is not None:
            self.container.exec_run(["sh", "-c", "kill -9 -1 2>/dev/null; true"], user="root")

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
        argv = ["bash", "-c", command]
        if timeout_sec is not None:
            argv = ["timeout", "-s", "KILL", f"{timeout_sec:g}", *argv]
        started = time.monotonic()
        code, output = self.container.exec_run(
            argv,
            environment=dict(env or {}),
            workdir=str(PurePosixPath(self._workdir) / (workdir or ".")),
            user=user or "",
        )
        elapsed = time.monotonic() - started
        timed_out = timeout_sec is not None and code == 137 and elapsed >= timeout_sec * 0.95
        return ExecResult(
            exit_code=124 if timed_out else int(code),
            output=bytes(output or b"").decode("utf-8", errors="replace"),
            timed_out=timed_out,
            duration_sec=elapsed,
        )

    def copy_in(self, source: Path, dest: str) -> None:
        target = PurePosixPath(self._workdir) / dest
        self.container.exec_run(["mkdir", "-p", str(target.parent)])
        # Spooled to disk: agent binaries are hundreds of megabytes.
        with tempfile.TemporaryFile() as spool:
            with tarfile.open(fileobj=spool, mode="w") as tar:
                tar.add(str(source), arcname=target.name)
            spool.seek(0)
            self.container.put_archive(str(target.parent), spool)

    def _archive(self, path: str) -> tarfile.TarFile | None:
        import docker.errors

        try:
            stream, _ = self.container.get_archive(str(PurePosixPath(self._workdir) / path))
        except docker.errors.NotFound:
            return None
        return tarfile.open(fileobj=io.BytesIO(b"".join(stream)))

    def read_file(self, path: str) -> bytes | None:
        tar = self._archive(path)
        if tar is None:
            return None
        member = next((m for m in tar.getmembers() if m.isfile()), None)
        handle = tar.extractfile(member) if member is not None else None
        return handle.read() if handle is not None else None

    def copy_out(self, source: str, dest: Path) -> bool:
        tar = self._archive(source)
        if tar is None:
            return False
        members = tar.getmembers()
        if len(members) == 1 and members[0].isfile():
            handle = tar.extractfile(members[0])
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(handle.read() if handle is not None else b"")
            return True
        dest.mkdir(parents=True, exist_ok=True)
        for member in members:
            _, _, rest = member.name.partition("/")
            if not rest or not member.isfile():
                continue
            handle = tar.extractfile(member)
            target = dest / rest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(handle.read() if handle is not None else b"")
        return True

    def stop(self) -> None:
        if self.container is not None:
            self.container.remove(force=True)
            self.container = None


class DockerEnvironmentFactory:
    name = "docker"

    def __init__(self, *, cache: Path | None = None) -> None:
        from pycodex.testing.rust_oracle import cache_root

        docker_client()  # fail early, with advice, when no engine answers
        self.cache = cache or cache_root() / "images"
        self._client: Any = None

    @property
    def client(self) -> Any:
        # Connected lazily so the factory can be sent to another process (Ray).
        if self._client is None:
            self._client = docker_client()
        return self._client

    def __getstate__(self) -> dict[str, Any]:
        return {"cache": self.cache, "_client": None}

    def create(
        self, task: Task, trial_dir: Path, *, agent_network: bool = False
    ) -> DockerEnvironment:
        return DockerEnvironment(
            task, trial_dir, self.client, self.cache, agent_network=agent_network
        )

    def reap(self) -> list[str]:
        """Remove ferry's containers whose owning process on this host is gone."""
        host = socket.gethostname()
        removed: list[str] = []
        for container in self.client.containers.list(
            all=True, filters={"label": f"{LABEL_MANAGED}=1"}
        ):
            owner = (container.labels or {}).get(LABEL_OWNER, "")
            owner_host, _, pid = owner.rpartition(":")
            if owner_host != host or not pid.isdigit() or _pid_alive(int(pid)):
                continue
            container.remove(force=True)
            removed.append(container.name)
        return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
