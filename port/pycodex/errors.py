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


class PycodexError(Exception):
    """Base class: anything pycodex reports to the user as an error."""


class ConfigError(PycodexError):
    pass


# ferry: codex_config::config_loader::ConfigLoadError @ 1d092cb66
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


class ModelClientError(PycodexError):
    pass


class AuthError(ModelClientError):
    pass


class RetryableError(ModelClientError):
    """A failure worth re-sending the whole request for, after ``delay`` seconds if given."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class StreamError(RetryableError):
    """The response stream broke after the handshake (message says how)."""

    def __init__(self, detail: str, delay: float | None = None) -> None:
        super().__init__(f"stream disconnected before completion: {detail}", delay)
        self.detail = detail


class RetryLimit(RetryableError):
    pass


class InternalServerError(RetryableError):
    MESSAGE = "We\u2019re currently experiencing high demand, which may cause temporary errors."

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class UnexpectedStatus(RetryableError):
    pass


class InvalidRequest(ModelClientError):
    pass


class ServerOverloaded(ModelClientError):
    def __init__(self) -> None:
        super().__init__("Selected model is at capacity. Please try a different model.")


class ContextWindowExceeded(ModelClientError):
    pass


class UsageLimitReached(ModelClientError):
    pass


class SessionError(PycodexError):
    pass
