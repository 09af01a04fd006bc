"""Track's exceptions: each message names the file, key or command to fix."""

from __future__ import annotations


class TrackError(Exception):
    """Base class for problems with the upstream, its pin or the ledger."""


class ConfigError(TrackError):
    """``ferry.toml`` is missing, unreadable or has a bad ``[upstream]`` key."""


class UpstreamError(TrackError):
    """The upstream repository cannot be cloned, fetched or resolved."""


class LedgerError(TrackError):
    """The commit ledger was asked something it cannot answer (unknown sha, bad status)."""
