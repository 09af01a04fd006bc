"""The harness's exception tree: bad input a user can fix, never expected run failures.

Expected failures of a run (an agent timing out, tests failing) are values on a
result record; these exceptions are for input the harness cannot work with.
"""

from __future__ import annotations

from pathlib import Path


class HarnessError(Exception):
    """Base class for every error the harness raises on purpose."""


class TaskFormatError(HarnessError):
    """A benchmark task (or instance) file is missing, malformed or has a bad field."""

    def __init__(self, path: Path | str, message: str, *, field: str | None = None) -> None:
        self.path = Path(path)
        self.field = field
        where = f"{self.path}" + (f": field '{field}'" if field else "")
        super().__init__(f"{where}: {message}")


class ConfigError(HarnessError):
    """``ferry.toml`` or a command-line option names something the harness does not know."""


class EnvironmentUnavailable(HarnessError):
    """The execution environment (bwrap, Docker engine) is not usable on this machine."""


class EnvironmentStartError(HarnessError):
    """A task's environment could not be built or started (recorded as ``environment_error``)."""
