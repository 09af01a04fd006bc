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
import uuid
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from harness.dockerfile import base_images, copy_from_images, parse_dockerfile
from harness.environments.base import ExecResult
from harness.environments.standins import KIT_MOUNT, StandinKit, kit_env
from harness.errors import EnvironmentStartError, EnvironmentUnavailable
from harness.tasks.model import Task

LABEL_MANAGED = "org.ferry.managed"
LABEL_OWNER = "org.ferry.owner"
LABEL_TASK = "org.ferry.task"
#: PID 1 of every trial container: survives ``kill -9 -1`` (its child is restarted) and
#: waits for every child, so processes orphaned by the agent do not linger as zombies.
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
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
        self,
        task: Task,
        trial_dir: Path,
        client: Any,
        cache: Path,
        *,
        agent_network: bool = False,
        kit: StandinKit | None = None,
    ) -> None:
        self.task = task
        self.agent_network = agent_network
        self.trial_dir = trial_dir
        self.client = client
        self.cache = cache
        self.kit = kit
        self.notes: list[str] = []
        self.container: Any = None
        self.companions: list[Any] = []
        self.network: Any = None
        self._workdir = "/"
        self._path = DEFAULT_PATH
        self._name = f"ferry-{uuid.uuid4().hex[:12]}"

    @property
    def no_network(self) -> bool:
        """No network for the task: ``allow_internet = false`` or an offline run."""
        return not self.task.allow_internet or bool(self.kit and self.kit.offline)

    @property
    def workdir(self) -> str:
        return self._workdir

    def _build(self, context: Path, dockerfile: Path, tag: str) -> str:
        from harness.environments.images import ensure_image

        instructions = parse_dockerfile(dockerfile)
        for name in [*base_images(instructions), *copy_from_images(instructions)]:
            ensure_image(self.client, name, self.cache, self.notes)
        try:
            self.client.images.build(
                path=str(context),
                dockerfile=str(dockerfile),
                tag=tag,
                rm=True,
                pull=False,
                timeout=int(self.task.build_timeout_sec),
            )
        except Exception as exc:
            raise EnvironmentStartError(f"docker build of {dockerfile} failed: {exc}") from exc
        return tag

    def _tag(self, suffix: str = "") -> str:
        name = f"{self.task.format}__{self.task.task_id}{suffix}".lower()
        return "ferry-" + re.sub(r"[^a-z0-9_.-]", "-", name)

    def _image(self) -> str:
        from harness.environments.images import ensure_image

        if self.task.dockerfile is None:
            assert self.task.image is not None
            ensure_image(self.client, self.task.image, self.cache, self.notes)
            return self.task.image
        return self._build(self.task.build_context, self.task.dockerfile, self._tag())

    def _labels(self) -> dict[str, str]:
        return {LABEL_MANAGED: "1", LABEL_OWNER: owner_label(), LABEL_TASK: self.task.task_id}

    def _network_options(self) -> dict[str, Any]:
        """Where the agent's container is attached.

        Without companions: the host network, or none at all for a task without
        internet. With companions: a network of the trial's own, ``internal`` (no
        route out) for a task without internet.
        """
        if self.no_network and self.agent_network:
            self.notes.append(
                "the task has no internet, but the agent needs its model endpoint: the "
                "agent's container keeps the network"
            )
        isolated = self.no_network and not self.agent_network
        if isolated:
            self.notes.append(
                "no internet for this task: "
                + (
                    "an internal network with its services"
                    if self.task.services
                    else "network_mode=none"
                )
            )
        if not self.task.services:
            return {"network_mode": "none" if isolated else "host"}
        self.network = self.client.networks.create(
            self._name, driver="bridge", internal=isolated, labels=self._labels()
        )
        return {"network": self.network.name}

    def _start_companions(self) -> None:
        """Every other compose service, reachable from the agent's container by its name."""
        from harness.environments.images import ensure_image

        base = self.task.compose_dir or self.task.path
        for name, spec in self.task.services.items():
            build = spec.get("build")
            if build:
                build = {"context": build} if isinstance(build, str) else dict(build)
                context = (base / str(build.get("context", "."))).resolve()
                image = self._build(
                    context,
                    context / str(build.get("dockerfile", "Dockerfile")),
                    self._tag(f"__{name}"),
                )
            else:
                image = str(spec["image"])
                ensure_image(self.client, image, self.cache, self.notes)
            env = spec.get("environment") or {}
            if isinstance(env, list):
                env = dict(str(item).partition("=")[::2] for item in env)
            command = spec.get("command")
            try:
                container = self.client.containers.create(
                    image,
                    command=command,
                    detach=True,
                    name=f"{self._name}-{re.sub(r'[^a-zA-Z0-9_.-]', '-', name)}",
                    environment={str(k): str(v) for k, v in env.items()},
                    working_dir=spec.get("working_dir"),
                    labels=self._labels(),
                    network=self.network.name,
                )
                self.companions.append(container)
                # The service name is how the agent's scripts reach it.
                self.network.disconnect(container)
                self.network.connect(container, aliases=[name])
                container.start()
            except Exception as exc:
                raise EnvironmentStartError(
                    f"cannot start compose service '{name}': {exc}"
                ) from exc
            self.notes.append(f"compose service '{name}' started from {image}")

    def start(self) -> None:
        image = self._image()
        options: dict[str, Any] = self._network_options()
        if self.task.services:
            self._start_companions()
        if self.task.cpus:
            options["nano_cpus"] = int(float(self.task.cpus) * 1e9)
        if self.task.memory_mb:
            options["mem_limit"] = f"{int(self.task.memory_mb)}m"
        if self.task.tmpfs:
            options["tmpfs"] = {path: "" for path in self.task.tmpfs}
        if self.kit is not None:
            options["volumes"] = {str(self.kit.root): {"bind": KIT_MOUNT, "mode": "ro"}}
        for key in self.task.compose_ignored:
            self.notes.append(f"docker-compose key {key} is not applied by the harness")
        try:
            self.container = self.client.containers.run(
                image,
                entrypoint=KEEPALIVE,
                command=[],
                detach=True,
                name=self._name,
                environment=dict(self.task.container_env),
                labels=self._labels(),
                **options,
            )
        except Exception as exc:
            raise EnvironmentStartError(f"cannot start a container from {image}: {exc}") from exc
        config = self.client.images.get(image).attrs["Config"]
        env = dict(str(item).partition("=")[::2] for item in config.get("Env") or [])
        self._path = env.get("PATH") or DEFAULT_PATH
        self._workdir = self.task.compose_working_dir or config.get("WorkingDir") or "/"
        if self._workdir != "/":
            self.container.exec_run(["mkdir", "-p", self._workdir], user="root")
        if self.kit is not None:
            self.notes.append(
                f"offline kit at {KIT_MOUNT} first on PATH (uv installer stand-in"
                + (", wheelhouse, no index" if self.kit.offline else "")
                + ")"
            )

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
        full_env = {**kit_env(self.kit, self._path), **(env or {})}
        code, output = self.container.exec_run(
            argv,
            environment=full_env,
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
        for container in [self.container, *self.companions]:
            if container is not None:
                container.remove(force=True)
        self.container = None
        self.companions = []
        if self.network is not None:
            self.network.remove()
            self.network = None


class DockerEnvironmentFactory:
    name = "docker"

    def __init__(self, *, cache: Path | None = None, kit: StandinKit | None = None) -> None:
        from pycodex.testing.rust_oracle import cache_root

        docker_client()  # fail early, with advice, when no engine answers
        self.cache = cache or cache_root() / "images"
        self.kit = kit
        self._client: Any = None

    @property
    def client(self) -> Any:
        # Connected lazily so the factory can be sent to another process (Ray).
        if self._client is None:
            self._client = docker_client()
        return self._client

    def __getstate__(self) -> dict[str, Any]:
        return {"cache": self.cache, "kit": self.kit, "_client": None}

    def create(
        self, task: Task, trial_dir: Path, *, agent_network: bool = False
    ) -> DockerEnvironment:
        return DockerEnvironment(
            task, trial_dir, self.client, self.cache, agent_network=agent_network, kit=self.kit
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
        for network in self.client.networks.list(filters={"label": f"{LABEL_MANAGED}=1"}):
            owner = (network.attrs.get("Labels") or {}).get(LABEL_OWNER, "")
            owner_host, _, pid = owner.rpartition(":")
            if owner_host == host and pid.isdigit() and not _pid_alive(int(pid)):
                network.remove()
                removed.append(network.name)
        return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
