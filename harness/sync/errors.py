"""Sync's exceptions; each message says what to do. Failed commits are values, not errors."""

from __future__ import annotations


class SyncError(Exception):
    """Base class: the sync cannot start or continue (exit status 2)."""


class SyncConfigError(SyncError):
    """``ferry.toml`` has a bad ``[sync]`` key, or a stage's section is unusable."""


class SyncBusy(SyncError):
    """Another ``ferry sync`` holds the run lock (exit status 3)."""


class GitError(SyncError):
    """A git command on the port repository failed."""
