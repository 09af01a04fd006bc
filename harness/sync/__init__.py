"""``ferry sync``: the nightly Track -> Diff -> Plan -> Translate -> Validate -> merge job."""

from harness.sync.cli import sync

__all__ = ["sync"]
