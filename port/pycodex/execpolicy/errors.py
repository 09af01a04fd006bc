"""Errors raised while loading ``.rules`` files; each can carry a file location."""

from __future__ import annotations

from dataclasses import dataclass


# ferry: codex_execpolicy::error::ErrorLocation @ 1d092cb66
# ferry: codex_execpolicy::error::TextRange @ 1d092cb66
@dataclass(frozen=True)
class ErrorLocation:
    """Where in a policy file an error happened (1-based line and column)."""

    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    #: Upstream points syntax errors found at end of file at ``1:1`` with no source line.
    at_eof: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


# ferry: codex_execpolicy::error::Error @ 1d092cb66
class PolicyError(Exception):
    """A policy file could not be loaded; ``str()`` gives upstream's message.

    ``location`` is set once the error is attached to a call or statement in a file.
    """

    def __init__(self, message: str, location: ErrorLocation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    # ferry: codex_execpolicy::error::Error::with_location @ 1d092cb66
    def with_location(self, location: ErrorLocation) -> PolicyError:
        if self.location is None:
            self.location = location
        return self

    def __str__(self) -> str:
        return self.message

    # ferry: codex_execpolicy::error::Error @ 1d092cb66 -- its Display with the location prefix
    def render(self) -> str:
        """``path:line:col: message`` when a location is known, else the message."""
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


# ferry: port-only -- reimplements the starlark crate's call-stack frames (a Rust dependency, not codex-rs) for its error traceback
@dataclass(frozen=True)
class TraceFrame:
    """One active call when an error happened: where it was made and from which function."""

    path: str
    line: int
    function: str
    code: str


# ferry: codex_execpolicy::error::Error::Starlark @ 1d092cb66 -- the starlark crate's error text is reproduced
class StarlarkError(PolicyError):
    """Bad syntax or a failing call while evaluating a file (upstream's ``starlark error``).

    ``str()`` is the one-line message; :meth:`detail` renders upstream's full report
    (traceback of active calls, then the message and the source snippet).
    """

    def __init__(
        self,
        message: str,
        location: ErrorLocation | None = None,
        *,
        traceback: tuple[TraceFrame, ...] = (),
        source: str | None = None,
    ) -> None:
        super().__init__(message, location)
        self.traceback = traceback
        self.source = source

    def __str__(self) -> str:
        return f"starlark error: {self.message}"

    # ferry: port-only -- reimplements the starlark crate's multi-line diagnostic (a Rust dependency, not codex-rs)
    def detail(self) -> str:
        lines: list[str] = []
        if self.traceback:
            lines.append("Traceback (most recent call last):")
            for frame in self.traceback:
                lines.append(f"  * {frame.path}:{frame.line}, in {frame.function}")
                lines.append(f"      {frame.code.strip()}")
        lines.append(self.message)
        if self.location is not None:
            lines.extend(render_snippet(self.location, self.source))
        return "starlark error: " + "\n".join(lines)


# ferry: port-only -- reimplements the starlark crate's annotate-snippets excerpt (a Rust dependency, not codex-rs)
def render_snippet(location: ErrorLocation, source: str | None) -> list[str]:
    """A rustc-style source excerpt under ``--> path:line:col`` with the span marked."""
    if location.at_eof:
        return [f"--> {location}", " |", " |"]
    end_line = location.end_line or location.line
    width = len(str(end_line))
    pad = " " * width
    out = [f"{pad}--> {location}", f"{pad} |"]
    src = (source or "").splitlines()
    if not 1 <= location.line <= len(src) or end_line > len(src):
        out.append(f"{pad} |")
        return out
    start_col = location.column
    end_col = location.end_column or start_col + 1
    if end_line == location.line and location.end_line is not None and location.end_column is None:
        end_col = len(src[end_line - 1]) + 1
    if end_line == location.line:
        out.append(f"{location.line:>{width}} | {src[location.line - 1]}".rstrip())
        out.append(f"{pad} | {' ' * (start_col - 1)}{'^' * max(1, end_col - start_col)}")
    else:
        for number in range(location.line, end_line + 1):
            text = src[number - 1]
            first = number == location.line
            marker = "| " if not first else ("/ " if start_col == 1 else "  ")
            out.append(f"{number:>{width}} | {marker}{text}".rstrip())
            if number == location.line and start_col > 1:
                out.append(f"{pad} |  {'_' * start_col}^")
        if location.end_column is not None:
            out.append(f"{pad} | |{'_' * (end_col - 1)}^")
    out.append(f"{pad} |")
    return out


# ferry: codex_execpolicy::execpolicycheck::load_policies @ 1d092cb66 -- the anyhow context it adds when a file fails
class PolicyLoadError(Exception):
    """A policy file could not be read or parsed; names the file and the cause."""

    def __init__(self, path: str, cause: Exception, *, read: bool = False) -> None:
        verb = "read" if read else "parse"
        super().__init__(f"failed to {verb} policy at {path}")
        self.path = path
        self.cause = cause

    # ferry: codex_execpolicy::error::Error::location @ 1d092cb66
    @property
    def location(self) -> ErrorLocation | None:
        return self.cause.location if isinstance(self.cause, PolicyError) else None

    # ferry: codex_execpolicy::execpolicycheck::load_policies @ 1d092cb66 -- anyhow's `Caused by:` report
    def render(self) -> str:
        """The anyhow-style report upstream prints: context, blank line, ``Caused by:``."""
        cause = self.cause
        if isinstance(cause, StarlarkError):
            detail = cause.detail() + "\n"
        elif isinstance(cause, PolicyError):
            detail = str(cause)
        elif isinstance(cause, UnicodeDecodeError):
            detail = "stream did not contain valid UTF-8"
        elif isinstance(cause, OSError):
            detail = f"{cause.strerror or cause} (os error {cause.errno})"
        else:
            detail = str(cause)
        body = "\n".join("    " + line for line in detail.split("\n"))
        return f"{self}\n\nCaused by:\n{body}"
