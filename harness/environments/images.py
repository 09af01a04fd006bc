"""Base images without a registry: a debootstrap Debian rootfs imported under the names tasks use.

No registry is reachable from these machines, so ``FROM python:3.11-slim`` or
``FROM ubuntu:24.04`` cannot be pulled. Instead one Debian bookworm rootfs (with
python3, venv, pytest and the host's CA certificates) is built once with
``debootstrap``, imported with ``docker import`` and tagged with every name a task
asks for. Each substitution is logged and reported on the trial record.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.errors import EnvironmentStartError

log = logging.getLogger(__name__)

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("python3", "python3-venv", "python3-pip", "python3-pytest", "ca-certificates",
            "procps", "curl", "tmux")  # fmt: skip
#: Terminal-Bench's own base images set ``WORKDIR /app``; tasks rely on it.
TBENCH_PREFIX = "ghcr.io/laude-institute/t-bench/"
SUBSTITUTE_LABEL = "org.ferry.substitute"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def rootfs_tarball(cache: Path) -> Path:
    """Build (once) the Debian rootfs tarball the substitute images are imported from."""
    packages = hashlib.sha256(",".join(PACKAGES).encode()).hexdigest()[:8]
    tarball = cache / f"debian-{SUITE}-{packages}-rootfs.tar"
    if tarball.is_file():
        return tarball
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise EnvironmentStartError(
            "debootstrap is not installed (apt-get install debootstrap) to build base images"
        )
    root = cache / f"debian-{SUITE}-rootfs"
    shutil.rmtree(root, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            debootstrap,
            "--variant=minbase",
            f"--include={','.join(PACKAGES)}",
            SUITE,
            str(root),
            MIRROR,
        ],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if proc.returncode != 0:
        raise EnvironmentStartError(
            f"debootstrap failed (exit {proc.returncode}): {proc.stderr[-1000:]}"
        )
    if HOST_CA_BUNDLE.is_file():
        target = root / "etc/ssl/certs/ca-certificates.crt"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(HOST_CA_BUNDLE, target)
    python = root / "usr/bin/python"
    if not python.exists():
        python.symlink_to("python3")
    partial = tarball.with_suffix(".tar.partial")
    subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True, timeout=1800)
    partial.replace(tarball)
    shutil.rmtree(root, ignore_errors=True)
    return tarball


_LOCK = threading.Lock()


@contextlib.contextmanager
def _exclusive(cache: Path) -> Iterator[None]:
    """One builder at a time, across threads and processes (concurrent trials share images)."""
    cache.mkdir(parents=True, exist_ok=True)
    with _LOCK, open(cache / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_image(client: Any, name: str, cache: Path, notes: list[str]) -> None:
    """Make ``name`` resolvable locally, importing the Debian rootfs under that tag if needed."""
    with _exclusive(cache):
        _ensure_image(client, name, cache, notes)


def _ensure_image(client: Any, name: str, cache: Path, notes: list[str]) -> None:
    import docker.errors

    try:
        image = client.images.get(name)
    except docker.errors.ImageNotFound:
        image = None
    if image is not None:
        if (image.labels or {}).get(SUBSTITUTE_LABEL):
            notes.append(_message(name))
        return
    repository, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "")
    tarball = rootfs_tarball(cache)
    changes = [
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        f"LABEL {SUBSTITUTE_LABEL}=debian-{SUITE}",
        'CMD ["bash"]',
    ]
    if name.startswith(TBENCH_PREFIX):
        changes.append("WORKDIR /app")
    client.api.import_image_from_file(
        str(tarball), repository=repository, tag=tag or "latest", changes=changes
    )
    notes.append(_message(name))
    log.warning(_message(name))


def _message(name: str) -> str:
    return (
        f"image {name} substituted by a local Debian {SUITE} rootfs (debootstrap + docker import)"
    )
