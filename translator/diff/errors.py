"""The Diff stage's exceptions: bad input a user can act on, never bugs."""

from __future__ import annotations


class DiffError(Exception):
    """A range, repository or git invocation that cannot be diffed; the message says why."""
