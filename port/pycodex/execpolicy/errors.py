"""Errors raised while loading ``.rules`` files; each can carry a file location."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorLocation:
    """Where in a policy file an error happened (1-based line and column)."""

    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class PolicyError(Exception):
    """A policy file could not be loaded; ``str()`` gives upstream's message.

    ``location`` is set once the error is attached to a call or statement in a file.
    """

    def __init__(self, message: str, location: ErrorLocation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def with_location(self, location: ErrorLocation) -> PolicyError:
        if self.location is None:
            self.location = location
        return self

    def __str__(self) -> str:
        return self.message

    def render(self) -> str:
        """``path:line:col: message`` when a location is known, else the message."""
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class StarlarkError(PolicyError):
    """Bad syntax or a failing call while evaluating a file (upstream's ``starlark error``)."""

    def __str__(self) -> str:
        return f"starlark error: {self.message}"


class PolicyLoadError(Exception):
    """A policy file could not be read or parsed; names the file and the cause."""

    def __init__(self, path: str, cause: Exception, *, read: bool = False) -> None:
        verb = "read" if read else "parse"
        super().__init__(f"failed to {verb} policy at {path}")
        self.path = path
        self.cause = cause

    @property
    def location(self) -> ErrorLocation | None:
        return self.cause.location if isinstance(self.cause, PolicyError) else None

    def render(self) -> str:
        """The anyhow-style report upstream prints: context, blank line, ``Caused by:``."""
        cause = self.cause
        if isinstance(cause, PolicyError):
            detail = str(cause)
            if cause.location is not None:
                detail += f"\n --> {cause.location}"
        elif isinstance(cause, UnicodeDecodeError):
            detail = "stream did not contain valid UTF-8"
        elif isinstance(cause, OSError):
            detail = f"{cause.strerror or cause} (os error {cause.errno})"
        else:
            detail = str(cause)
        body = "\n".join("    " + line for line in detail.splitlines())
        return f"{self}\n\nCaused by:\n{body}"
