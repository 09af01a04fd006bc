"""The three verdicts a rule can give, ordered from most to least permissive."""

from __future__ import annotations

import enum

from pycodex.execpolicy.errors import PolicyError


# ferry: codex_execpolicy::decision::Decision @ 1d092cb66
class Decision(enum.Enum):
    """``allow`` < ``prompt`` < ``forbidden``; the strictest matching rule wins."""

    ALLOW = "allow"
    PROMPT = "prompt"
    FORBIDDEN = "forbidden"

    # ferry: codex_execpolicy::decision::Decision @ 1d092cb66 -- its derived Ord (Allow < Prompt < Forbidden)
    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    # ferry: codex_execpolicy::decision::Decision @ 1d092cb66 -- its derived Debug spelling
    @property
    def debug_name(self) -> str:
        """The Rust ``Debug`` spelling (``Allow``), used in upstream error texts."""
        return self.value.capitalize()

    # ferry: codex_execpolicy::decision::Decision::parse @ 1d092cb66
    @classmethod
    def parse(cls, raw: str) -> Decision:
        try:
            return cls(raw)
        except ValueError:
            raise PolicyError(f"invalid decision: {raw}") from None

    # ferry: codex_execpolicy::policy::Evaluation::from_matches @ 1d092cb66 -- the max over matched decisions
    @staticmethod
    def strictest(decisions: list[Decision]) -> Decision | None:
        return max(decisions, key=_SEVERITY.__getitem__, default=None)


_SEVERITY = {Decision.ALLOW: 0, Decision.PROMPT: 1, Decision.FORBIDDEN: 2}
