"""The Translate stage's exception tree: bad input and bugs raise these, with actionable text.

Expected failures (a candidate that fails a check, a model that answers badly) are values
(:class:`translator.cst.check.CheckReport`, an attempt record), not exceptions.
"""

from __future__ import annotations


class TranslateError(Exception):
    """Base class of every error raised by the Translate stage."""


class ConfigError(TranslateError):
    """``ferry.toml`` (or a CLI option) is missing a value or holds a wrong one."""


class InputError(TranslateError):
    """A ChangeSet, Plan or other JSON input is unreadable or malformed."""


class RustParseError(TranslateError):
    """A Rust declaration could not be turned into the mechanical backend's model."""


class MergeError(TranslateError):
    """A candidate could not be merged into its target module."""


class BackendError(TranslateError):
    """A model backend failed (HTTP error, missing replay answer, unusable answer)."""


class BudgetExceeded(TranslateError):
    """The run's cost cap would be exceeded by the next model call."""
