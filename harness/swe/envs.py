"""Per-instance test environments: a venv for the instance's repository *version*.

SWE-bench pins, per ``repo`` and ``version``, the Python and the packages the tests
need (the official harness's ``MAP_REPO_VERSION_TO_SPECS``). Here that becomes a venv
built from PyPI with pip, cached under a key of (repo, version, interpreter, packages),
so instances of one version share it and a second run builds nothing. Specs come from
``--env-specs FILE`` (the official mapping's shape: ``{"owner/name": {"VERSION":
{"python": "3.11", "pip_packages": [...]}}}``); without one, an instance gets pytest.
Spec keys that need conda or shell steps (``install``, ``pre_install``, ``packages``,
``eval_commands``) are not applied and are reported on the instance, not dropped.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import TaskFormatError
from harness.swe.instances import SweInstance

DEFAULT_PACKAGES = ("pytest",)
APPLIED_KEYS = frozenset({"python", "pip_packages"})


class EnvBuildError(Exception):
    """The instance's environment could not be built (an environment error, not a failure)."""


@dataclass(frozen=True)
class EnvSpec:
    python: str = f"{sys.version_info.major}.{sys.version_info.minor}"
    pip_packages: tuple[str, ...] = DEFAULT_PACKAGES
    ignored: tuple[str, ...] = field(default_factory=tuple)

    def key(self, instance: SweInstance) -> str:
        version = str(getattr(instance, "version", "") or "")
        text = json.dumps([instance.repo, version, self.python, sorted(self.pip_packages)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_specs(path: Path) -> dict[str, dict[str, Any]]:
    """``{"owner/name": {"VERSION": spec}}`` from a JSON file; errors name the entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TaskFormatError(path, f"cannot read the environment specs: {exc}") from None
    if not isinstance(data, dict):
        raise TaskFormatError(path, 'must map "owner/name" to {"VERSION": {...}}')
    for repo, versions in data.items():
        if not isinstance(versions, dict):
            raise TaskFormatError(path, "must map versions to specs", field=repo)
        for version, spec in versions.items():
            where = f"{repo}.{version}"
            if not isinstance(spec, dict):
                raise TaskFormatError(path, "must be a mapping", field=where)
            packages = spec.get("pip_packages", [])
            if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
                raise TaskFormatError(path, "must be a list of requirement strings",
                                      field=f"{where}.pip_packages")  # fmt: skip
    return data


def spec_for(instance: SweInstance, specs: Mapping[str, Mapping[str, Any]]) -> EnvSpec:
    version = str(getattr(instance, "version", "") or "")
    raw = (specs.get(instance.repo) or {}).get(version)
    if raw is None:
        return EnvSpec()
    packages = tuple(dict.fromkeys(["pytest", *raw.get("pip_packages", [])]))
    return EnvSpec(
        python=str(raw.get("python") or EnvSpec().python),
        pip_packages=packages,
        ignored=tuple(sorted(k for k in raw if k not in APPLIED_KEYS)),
    )


def _interpreter(version: str) -> str:
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version == current:
        return sys.executable
    found = shutil.which(f"python{version}")
    if found is None:
        raise EnvBuildError(
            f"python{version} is not installed here (the spec asks for it); install it "
            f"(e.g. apt-get install python{version}-venv) or change the spec"
        )
    return found


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def instance_python(instance: SweInstance, spec: EnvSpec, cache: Path) -> Path:
    """The interpreter of the instance's (cached) environment, built on first use."""
    dest = cache / spec.key(instance)
    python = dest / "bin" / "python"
    marker = dest / ".complete"
    with _locked(dest):
        if marker.exists():
            return python
        shutil.rmtree(dest, ignore_errors=True)
        steps = [
            [_interpreter(spec.python), "-m", "venv", str(dest)],
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             *spec.pip_packages],
        ]  # fmt: skip
        for argv in steps:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
            if proc.returncode != 0:
                shutil.rmtree(dest, ignore_errors=True)
                raise EnvBuildError(
                    f"building the environment for {instance.instance_id} failed at "
                    f"`{' '.join(argv[1:4])}`: {proc.stderr.strip()[-800:]}"
                )
        (dest / "spec.json").write_text(
            json.dumps({"repo": instance.repo, "version": getattr(instance, "version", None),
                        "python": spec.python, "pip_packages": list(spec.pip_packages)},
                       indent=2) + "\n",
            encoding="utf-8",
        )  # fmt: skip
        marker.touch()
    return python


def default_cache() -> Path:
    from pycodex.testing.rust_oracle import cache_root

    return cache_root() / "swe-envs"
