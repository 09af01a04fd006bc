"""The exception tree of pycodex. Every message is meant to be read by a user.

PycodexError
├── ConfigError            bad config.toml, -c override, profile or CLI combination
│   └── ConfigLoadError    config.toml/-c cannot be loaded (syntax, unknown field, type)
├── ModelClientError       the model endpoint failed for good (after retries)
│   ├── AuthError          missing or rejected API key
│   └── StreamError        stream ended before ``response.completed`` / idle timeout
└── SessionError           a rollout to resume cannot be found or read
"""

from __future__ import annotations


# ferry: codex_protocol::error::CodexErr @ 1d092cb66
class PycodexError(Exception):
    """Base class: anything pycodex reports to the user as an error."""


# ferry: codex_config::diagnostics::ConfigLoadError @ 1d092cb66
class ConfigError(PycodexError):
    pass


# ferry: codex_config::diagnostics::ConfigLoadError @ 1d092cb66
class ConfigLoadError(ConfigError):
    """config.toml (or a -c override) could not be loaded; exec prints it as upstream does:
    ``Error loading config.toml: <message>``, or the message on its own lines when it is a
    ``path:line:col`` snippet."""

    def __init__(self, message: str, *, snippet: bool = False, plain: bool = False) -> None:
        super().__init__(message)
        self.snippet = snippet
        #: reported later by upstream, as a plain ``Error: <message>``.
        self.plain = plain

    # ferry: codex_exec::run_main @ 1d092cb66 -- how exec prints a config load error
    def render(self) -> str:
        if self.plain:
            return f"Error: {self}"
        separator = "\n" if self.snippet else " "
        return f"Error loading config.toml:{separator}{self}"


# ferry: codex_protocol::error::CodexErr @ 1d092cb66 -- the errors of a model request
class ModelClientError(PycodexError):
    pass


# ferry: codex_protocol::error::EnvVarError @ 1d092cb66
class AuthError(ModelClientError):
    pass


# ferry: codex_protocol::error::CodexErr::is_retryable @ 1d092cb66
class RetryableError(ModelClientError):
    """A failure worth re-sending the whole request for, after ``delay`` seconds if given."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


# ferry: codex_protocol::error::CodexErr::Stream @ 1d092cb66
class StreamError(RetryableError):
    """The response stream broke after the handshake (message says how)."""

    def __init__(self, detail: str, delay: float | None = None) -> None:
        super().__init__(f"stream disconnected before completion: {detail}", delay)
        self.detail = detail


# ferry: codex_protocol::error::RetryLimitReachedError @ 1d092cb66
class RetryLimit(RetryableError):
    pass


# ferry: codex_protocol::error::CodexErr::InternalServerError @ 1d092cb66
class InternalServerError(RetryableError):
    MESSAGE = "We\u2019re currently experiencing high demand, which may cause temporary errors."

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


# ferry: codex_protocol::error::UnexpectedResponseError @ 1d092cb66
class UnexpectedStatus(RetryableError):
    pass


# ferry: codex_protocol::error::CodexErr::InvalidRequest @ 1d092cb66
class InvalidRequest(ModelClientError):
    pass


# ferry: codex_protocol::error::CodexErr::ServerOverloaded @ 1d092cb66
class ServerOverloaded(ModelClientError):
    def __init__(self) -> None:
        super().__init__("Selected model is at capacity. Please try a different model.")


# ferry: codex_protocol::error::CodexErr::ContextWindowExceeded @ 1d092cb66
class ContextWindowExceeded(ModelClientError):
    pass


# ferry: codex_protocol::error::UsageLimitReachedError @ 1d092cb66
class UsageLimitReached(ModelClientError):
    pass


# ferry: codex_protocol::error::CodexErr::ThreadNotFound @ 1d092cb66 -- a session that cannot be resumed
class SessionError(PycodexError):
    pass
