"""Base images without a registry: Debian rootfs images imported under the names tasks use.

No container registry is reachable from these machines, so ``FROM python:3.13-slim``
or ``FROM ghcr.io/laude-institute/t-bench/python-3-13`` cannot be pulled. Each name
is mapped to a :class:`Substitute`: a Debian release built once with ``debootstrap``
(Debian's archive is reachable), imported with ``docker import`` and tagged with the
name the task asked for. The mapping keeps what tasks rely on:

* the Python version: ``python:3.N`` and t-bench's ``python-3-N`` get the Debian release
  that ships 3.N (3.9 bullseye, 3.11 bookworm, 3.13 trixie); another version gets the
  nearest one and the trial says which;
* pip that installs system-wide as in the official Python images (Debian's
  ``EXTERNALLY-MANAGED`` marker is removed in the ``python`` flavour);
* Terminal-Bench's base images' ``WORKDIR /app``;
* the ``buildpack-deps`` tool set (compilers, headers, git, wget) for that flavour;
* Ubuntu names get the Debian release of the same generation (no Ubuntu archive is
  reachable here), which the trial records.

Every substitution is logged and reported on the trial record.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import EnvironmentStartError

log = logging.getLogger(__name__)

MIRROR = "http://deb.debian.org/debian"
BASE_PACKAGES = ("python3", "python3-venv", "python3-pip", "python3-pytest", "ca-certificates",
                 "procps", "curl", "tmux")  # fmt: skip
#: What ``buildpack-deps`` images add on top of a bare system.
BUILDPACK_PACKAGES = ("build-essential", "git", "wget", "openssh-client", "autoconf", "automake",
                      "libtool", "pkg-config", "libssl-dev", "zlib1g-dev", "libffi-dev",
                      "libsqlite3-dev", "libbz2-dev", "libreadline-dev", "libncurses-dev",
                      "libxml2-dev", "xz-utils", "unzip", "bzip2", "file", "patch")  # fmt: skip
#: Terminal-Bench's own base images set ``WORKDIR /app``; tasks rely on it.
TBENCH_PREFIX = "ghcr.io/laude-institute/t-bench/"
SUBSTITUTE_LABEL = "org.ferry.substitute"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

#: The Debian release that ships each CPython minor version.
PYTHON_SUITES = {9: "bullseye", 11: "bookworm", 13: "trixie"}
#: Ubuntu and Debian code names / versions -> the Debian release used in their place.
OS_SUITES = {
    "20.04": "bullseye", "focal": "bullseye", "22.04": "bookworm", "jammy": "bookworm",
    "24.04": "trixie", "noble": "trixie", "11": "bullseye", "bullseye": "bullseye",
    "12": "bookworm", "bookworm": "bookworm", "13": "trixie", "trixie": "trixie",
}  # fmt: skip
DEFAULT_SUITE = "bookworm"


@dataclass(frozen=True)
class Substitute:
    """How one image name is stood in for: a Debian release, a flavour, a working directory."""

    suite: str
    flavour: str  # "python" | "os" | "buildpack"
    workdir: str | None = None
    #: Why this release (shown on the trial), e.g. "python 3.13 from Debian trixie".
    reason: str = ""

    @property
    def packages(self) -> tuple[str, ...]:
        return BASE_PACKAGES + (BUILDPACK_PACKAGES if self.flavour == "buildpack" else ())

    @property
    def key(self) -> str:
        """Identifies the rootfs content; an image imported from another key is re-imported."""
        digest = hashlib.sha256(",".join(self.packages).encode()).hexdigest()[:8]
        return f"debian-{self.suite}-{self.flavour}-{digest}"


def _python_suite(minor: int) -> tuple[str, str]:
    if minor in PYTHON_SUITES:
        return PYTHON_SUITES[minor], f"python 3.{minor} from Debian {PYTHON_SUITES[minor]}"
    nearest = min(PYTHON_SUITES, key=lambda m: (abs(m - minor), -m))
    suite = PYTHON_SUITES[nearest]
    return suite, f"python 3.{minor} is not in any Debian release: python 3.{nearest} ({suite})"


def substitute_for(name: str) -> Substitute:
    """The stand-in for image ``name`` (any name: unknown ones get Debian bookworm)."""
    repository, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "")
    repository = repository.removeprefix("docker.io/").removeprefix("library/")
    if name.startswith(TBENCH_PREFIX):
        base = repository.removeprefix(TBENCH_PREFIX)
        if match := re.fullmatch(r"python-3-(\d+)", base):
            suite, reason = _python_suite(int(match.group(1)))
            return Substitute(suite, "python", "/app", reason)
        if match := re.fullmatch(r"ubuntu-(\d+)-(\d+)", base):
            version = f"{match.group(1)}.{match.group(2)}"
            suite = OS_SUITES.get(version, DEFAULT_SUITE)
            return Substitute(suite, "os", "/app", f"Ubuntu {version} -> Debian {suite}")
        return Substitute(DEFAULT_SUITE, "os", "/app", f"{base} -> Debian {DEFAULT_SUITE}")
    if repository == "python":
        if match := re.match(r"3\.(\d+)", tag):
            suite, reason = _python_suite(int(match.group(1)))
            return Substitute(suite, "python", None, reason)
        return Substitute(DEFAULT_SUITE, "python", None, f"python:{tag or 'latest'} -> bookworm")
    if repository in ("ubuntu", "debian", "buildpack-deps"):
        release = tag.split("-")[0]
        suite = OS_SUITES.get(release, DEFAULT_SUITE)
        flavour = "buildpack" if repository == "buildpack-deps" else "os"
        return Substitute(suite, flavour, None, f"{repository}:{tag or 'latest'} -> Debian {suite}")
    return Substitute(DEFAULT_SUITE, "os", None, f"unknown image -> Debian {DEFAULT_SUITE}")


def rootfs_tarball(cache: Path, sub: Substitute) -> Path:
    """Build (once) the rootfs tarball ``sub`` is imported from."""
    tarball = cache / f"{sub.key}-rootfs.tar"
    if tarball.is_file():
        return tarball
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise EnvironmentStartError(
            "debootstrap is not installed (apt-get install debootstrap) to build base images"
        )
    root = cache / f"{sub.key}-rootfs"
    shutil.rmtree(root, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [debootstrap, "--variant=minbase", f"--include={','.join(sub.packages)}",
         sub.suite, str(root), MIRROR],
        capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    if proc.returncode != 0:
        raise EnvironmentStartError(
            f"debootstrap {sub.suite} failed (exit {proc.returncode}): {proc.stderr[-1000:]}"
        )
    if HOST_CA_BUNDLE.is_file():
        target = root / "etc/ssl/certs/ca-certificates.crt"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(HOST_CA_BUNDLE, target)
    python = root / "usr/bin/python"
    if not python.exists() and not python.is_symlink():
        python.symlink_to("python3")
    if sub.flavour == "python":
        # The official Python images install with pip system-wide; Debian's marker forbids it.
        for marker in root.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
            marker.unlink()
    shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
    (root / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
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
    """Make ``name`` resolvable locally, importing its Debian substitute if needed."""
    with _exclusive(cache):
        _ensure_image(client, name, cache, notes)


def _ensure_image(client: Any, name: str, cache: Path, notes: list[str]) -> None:
    import docker.errors

    sub = substitute_for(name)
    try:
        image = client.images.get(name)
    except docker.errors.ImageNotFound:
        image = None
    if image is not None:
        label = (image.labels or {}).get(SUBSTITUTE_LABEL)
        if not label:
            return  # a real image of that name: used as it is
        if label == sub.key:
            notes.append(_message(name, sub))
            return
    repository, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "")
    tarball = rootfs_tarball(cache, sub)
    changes = [
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        f"LABEL {SUBSTITUTE_LABEL}={sub.key}",
        'CMD ["bash"]',
    ]
    if sub.workdir:
        changes.append(f"WORKDIR {sub.workdir}")
    client.api.import_image_from_file(
        str(tarball), repository=repository, tag=tag or "latest", changes=changes
    )
    notes.append(_message(name, sub))
    log.warning(_message(name, sub))


def _message(name: str, sub: Substitute) -> str:
    return (
        f"image {name} substituted by a local Debian {sub.suite} rootfs "
        f"({sub.flavour} flavour; {sub.reason}; debootstrap + docker import)"
    )
