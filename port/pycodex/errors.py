"""The exception tree of pycodex. Every message is meant to be read by a user.

PycodexError
├── ConfigError            bad config.toml, -c override, profile or CLI combination
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


class ModelClientError(PycodexError):
    pass


class AuthError(ModelClientError):
    pass


class StreamError(ModelClientError):
    """Retryable transport failure of a streamed response."""


class ContextWindowExceeded(ModelClientError):
    pass


class UsageLimitReached(ModelClientError):
    pass


class SessionError(PycodexError):
    pass
