"""The parity oracle's exception tree: bad input names the file and field to fix."""

from __future__ import annotations


class ParityError(Exception):
    """Base class for every error the parity oracle raises on purpose."""


class ScenarioError(ParityError):
    """A scenario file is missing, unreadable or does not match the scenario schema."""


class AllowlistError(ParityError):
    """The allow-list file is unreadable or an entry is malformed."""
