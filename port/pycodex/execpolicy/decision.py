"""The three verdicts a rule can give, ordered from most to least permissive."""

from __future__ import annotations

import enum

from pycodex.execpolicy.errors import PolicyError


class Decision(enum.Enum):
    """``allow`` < ``prompt`` < ``forbidden``; the strictest matching rule wins."""

    ALLOW = "allow"
    PROMPT = "prompt"
    FORBIDDEN = "forbidden"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def debug_name(self) -> str:
        """The Rust ``Debug`` spelling (``Allow``), used in upstream error texts."""
        return self.value.capitalize()

    @classmethod
    def parse(cls, raw: str) -> Decision:
        try:
            return cls(raw)
        except ValueError:
            raise PolicyError(f"invalid decision: {raw}") from None

    @staticmethod
    def strictest(decisions: list[Decision]) -> Decision | None:
        return max(decisions, key=_SEVERITY.__getitem__, default=None)


_SEVERITY = {Decision.ALLOW: 0, Decision.PROMPT: 1, Decision.FORBIDDEN: 2}
