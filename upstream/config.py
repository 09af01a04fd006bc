"""The ``[upstream]`` section of ``ferry.toml``.

``url`` is a git URL or a local path; ``checkout`` is where the clone (or the
project's git submodule) lives; ``tag_pattern`` makes the sync point the merge
base of the newest matching tag and ``branch``. Relative paths are resolved
against the directory holding ``ferry.toml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ferry.fsutil import read_text
from upstream.errors import ConfigError

CONFIG_NAME = "ferry.toml"
LOCK_NAME = "ferry.lock"


class UpstreamConfig(BaseModel):
    """Where upstream lives and which part of it is ported."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    branch: str = "main"
    subtree: str = "codex-rs"
    tag_pattern: str | None = None
    checkout: str = ".ferry/upstream"
    ledger: str = ".ferry/ledger.sqlite"
    lock: str = LOCK_NAME

    @field_validator("url", "branch", "checkout", "ledger", "lock")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("subtree")
    @classmethod
    def _relative(cls, value: str) -> str:
        value = value.strip().strip("/")
        if value.startswith("..") or Path(value).is_absolute():
            raise ValueError("must be a path inside the upstream repository")
        return value


class Project:
    """A loaded ``ferry.toml``: the upstream settings plus the paths they resolve to."""

    def __init__(self, root: Path, upstream: UpstreamConfig, config_file: Path) -> None:
        self.root = root
        self.upstream = upstream
        self.config_file = config_file

    def _path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def checkout(self) -> Path:
        return self._path(self.upstream.checkout)

    @property
    def lock_file(self) -> Path:
        return self._path(self.upstream.lock)

    @property
    def ledger_file(self) -> Path:
        return self._path(self.upstream.ledger)

    def local_url(self) -> Path | None:
        """The upstream as a local directory, when ``url`` names one."""
        url = self.upstream.url
        if url.startswith("file://"):
            return Path(url[len("file://") :])
        if "://" in url or (":" in url.split("/")[0] and not Path(url).exists()):
            return None
        path = self._path(url)
        return path if path.exists() else None


def find_config(start: Path | None = None) -> Path:
    """The nearest ``ferry.toml`` at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_NAME
        if candidate.exists():  # a directory or unreadable file here is reported, not skipped
            return candidate
    raise ConfigError(
        f"no {CONFIG_NAME} found in {here} or its parents; create one with an [upstream] "
        "section (url, branch, subtree) or pass --config"
    )


def load_project(config_file: Path | None = None) -> Project:
    """Read and validate ``ferry.toml``; errors name the file and the key."""
    path = config_file if config_file is not None else find_config()
    try:
        data = tomllib.loads(read_text(path))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{exc}; ferry.toml must be a UTF-8 TOML file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    section = data.get("upstream")
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: missing [upstream] table (keys: url, branch, subtree)")
    try:
        upstream = UpstreamConfig.model_validate(section)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "?"
        message = first["msg"]
        if first["type"] == "missing":
            message = "required key is missing"
        elif first["type"] == "extra_forbidden":
            message = "unknown key (allowed: " + ", ".join(UpstreamConfig.model_fields) + ")"
        raise ConfigError(f"{path}: [upstream] {key}: {message}") from exc
    return Project(path.resolve().parent, upstream, path.resolve())
