"""Prefix rules, rule matches and network rules: the values a policy is made of."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pycodex.execpolicy.decision import Decision
from pycodex.execpolicy.errors import PolicyError


# ferry: port-only -- Python glue: Rust's `{:?}` string quoting, reproduced for byte-identical messages
def rust_debug_str(value: str) -> str:
    """Render a string like Rust's ``{:?}``: quotes and backslashes escaped, Unicode kept."""
    out = []
    for ch in value:
        if ch in _RUST_ESCAPES:
            out.append(_RUST_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_RUST_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}
_rust_str = rust_debug_str


def _rust_opt_str(value: str | None) -> str:
    return "None" if value is None else f"Some({_rust_str(value)})"


# ferry: codex_execpolicy::rule::PatternToken @ 1d092cb66
@dataclass(frozen=True, slots=True)
class PatternToken:
    """One position of a pattern: a single literal or a set of alternatives."""

    alternatives: tuple[str, ...]

    # ferry: codex_execpolicy::rule::PatternToken::matches @ 1d092cb66
    def matches(self, token: str) -> bool:
        return token in self.alternatives

    # ferry: codex_execpolicy::rule::PatternToken @ 1d092cb66 -- its derived Debug
    def debug(self) -> str:
        if len(self.alternatives) == 1:
            return f"Single({_rust_str(self.alternatives[0])})"
        return "Alts([" + ", ".join(_rust_str(a) for a in self.alternatives) + "])"

    # ferry: codex_execpolicy::policy::render_pattern_token @ 1d092cb66
    def render(self) -> str:
        if len(self.alternatives) == 1:
            return self.alternatives[0]
        return "[" + "|".join(self.alternatives) + "]"


# ferry: codex_execpolicy::rule::PrefixPattern @ 1d092cb66
@dataclass(frozen=True, slots=True)
class PrefixPattern:
    """A fixed program name followed by tokens that must match argv positionally."""

    first: str
    rest: tuple[PatternToken, ...]
    canonical_matching: bool = False

    # ferry: codex_execpolicy::rule::PrefixPattern::matches_prefix @ 1d092cb66
    def matches_prefix(self, cmd: Sequence[str]) -> tuple[str, ...] | None:
        """The matched prefix of ``cmd``, or ``None``. Hot path: kept deliberately plain."""
        rest = self.rest
        length = len(rest) + 1
        if len(cmd) < length or cmd[0] != self.first:
            return None
        i = 1
        for token in rest:
            if cmd[i] not in token.alternatives:
                return None
            i += 1
        return tuple(cmd[:length])


# ferry: codex_execpolicy::rule::RuleMatch::PrefixRuleMatch @ 1d092cb66
@dataclass(frozen=True, slots=True)
class PrefixRuleMatch:
    """A prefix rule matched; ``resolved_program`` is set after basename fallback."""

    matched_prefix: tuple[str, ...]
    decision: Decision
    resolved_program: str | None = None
    justification: str | None = None
    #: From a rule saved by an "always allow" approval (not part of the JSON output).
    persisted: bool = False

    # ferry: codex_execpolicy::rule::RuleMatch @ 1d092cb66 -- its serde form
    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "matchedPrefix": list(self.matched_prefix),
            "decision": self.decision.value,
        }
        if self.resolved_program is not None:
            body["resolvedProgram"] = self.resolved_program
        if self.justification is not None:
            body["justification"] = self.justification
        return {"prefixRuleMatch": body}

    # ferry: codex_execpolicy::rule::RuleMatch @ 1d092cb66 -- its derived Debug
    def debug(self) -> str:
        prefix = ", ".join(_rust_str(t) for t in self.matched_prefix)
        program = (
            "None"
            if self.resolved_program is None
            else f"Some(AbsolutePathBuf({_rust_str(self.resolved_program)}))"
        )
        return (
            f"PrefixRuleMatch {{ matched_prefix: [{prefix}], decision: {self.decision.debug_name}, "
            f"resolved_program: {program}, justification: {_rust_opt_str(self.justification)} }}"
        )


# ferry: codex_execpolicy::rule::RuleMatch::HeuristicsRuleMatch @ 1d092cb66
@dataclass(frozen=True, slots=True)
class HeuristicsRuleMatch:
    """No rule matched; the caller's fallback (safe-command heuristics) decided."""

    command: tuple[str, ...]
    decision: Decision

    # ferry: codex_execpolicy::rule::RuleMatch @ 1d092cb66 -- its serde form
    def to_json(self) -> dict[str, Any]:
        return {
            "heuristicsRuleMatch": {"command": list(self.command), "decision": self.decision.value}
        }


RuleMatch = PrefixRuleMatch | HeuristicsRuleMatch


# ferry: codex_execpolicy::rule::PrefixRule @ 1d092cb66
@dataclass(frozen=True, slots=True)
class PrefixRule:
    """``prefix_rule(...)`` after expansion: one rule per alternative of the first token.

    When no position has alternatives every match is identical, so the match value
    is built once and shared (it is immutable); this keeps matching near 1 µs.
    """

    pattern: PrefixPattern
    decision: Decision
    justification: str | None = None
    #: Written by an "always allow" approval (the exact line ``amend`` appends). Such a rule
    #: does not license ``rm -f`` style commands unless its own prefix is one.
    persisted: bool = False
    _fixed_match: PrefixRuleMatch | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if all(len(t.alternatives) == 1 for t in self.pattern.rest):
            prefix = (self.pattern.first, *(t.alternatives[0] for t in self.pattern.rest))
            fixed = PrefixRuleMatch(prefix, self.decision, None, self.justification, self.persisted)
            object.__setattr__(self, "_fixed_match", fixed)

    # ferry: codex_execpolicy::rule::PrefixRule::program @ 1d092cb66
    @property
    def program(self) -> str:
        return self.pattern.first

    # ferry: codex_execpolicy::rule::PrefixRule::matches @ 1d092cb66
    def matches(self, cmd: Sequence[str]) -> PrefixRuleMatch | None:
        prefix = self.pattern.matches_prefix(cmd)
        if prefix is None:
            return None
        fixed = self._fixed_match
        if fixed is not None:
            return fixed
        return PrefixRuleMatch(prefix, self.decision, None, self.justification, self.persisted)

    # ferry: codex_execpolicy::rule::PrefixRule @ 1d092cb66 -- its derived Debug
    def debug(self) -> str:
        rest = ", ".join(t.debug() for t in self.pattern.rest)
        return (
            "PrefixRule { pattern: PrefixPattern { "
            f"canonical_matching: {str(self.pattern.canonical_matching).lower()}, "
            f"first: {_rust_str(self.pattern.first)}, rest: [{rest}] }}, "
            f"decision: {self.decision.debug_name}, justification: {_rust_opt_str(self.justification)} }}"
        )


# ferry: codex_execpolicy::rule::RuleMatch::with_resolved_program @ 1d092cb66
def with_resolved_program(match: PrefixRuleMatch, program: str) -> PrefixRuleMatch:
    return replace(match, resolved_program=program)


# ferry: codex_execpolicy::rule::NetworkRuleProtocol @ 1d092cb66
class NetworkRuleProtocol(enum.Enum):
    HTTP = "http"
    HTTPS = "https"
    SOCKS5_TCP = "socks5_tcp"
    SOCKS5_UDP = "socks5_udp"

    # ferry: codex_execpolicy::rule::NetworkRuleProtocol::parse @ 1d092cb66
    @classmethod
    def parse(cls, raw: str) -> NetworkRuleProtocol:
        aliases = {"https_connect": "https", "http-connect": "https"}
        try:
            return cls(aliases.get(raw, raw))
        except ValueError:
            raise PolicyError(
                "invalid rule: network_rule protocol must be one of http, https, socks5_tcp, "
                f"socks5_udp (got {raw})"
            ) from None


# ferry: codex_execpolicy::rule::NetworkRule @ 1d092cb66
@dataclass(frozen=True, slots=True)
class NetworkRule:
    host: str
    protocol: NetworkRuleProtocol
    decision: Decision
    justification: str | None = None


def _invalid_rule(message: str) -> PolicyError:
    return PolicyError(f"invalid rule: {message}")


# ferry: codex_execpolicy::rule::normalize_network_rule_host @ 1d092cb66
def normalize_network_rule_host(raw: str) -> str:
    """Lower-case a host, strip a port and trailing dot; reject URLs and wildcards."""
    host = raw.strip()
    if not host:
        raise _invalid_rule("network_rule host cannot be empty")
    if "://" in host or any(c in host for c in "/?#"):
        raise _invalid_rule(
            "network_rule host must be a hostname or IP literal (without scheme or path)"
        )
    if host.startswith("["):
        inside, sep, rest = host[1:].partition("]")
        if not sep:
            raise _invalid_rule("network_rule host has an invalid bracketed IPv6 literal")
        port_ok = rest.startswith(":") and rest[1:].isdigit() and rest[1:].isascii()
        if rest and not port_ok:
            raise _invalid_rule(f"network_rule host contains an unsupported suffix: {raw}")
        host = inside
    elif host.count(":") == 1:
        candidate, _, port = host.rpartition(":")
        if candidate and port and port.isascii() and port.isdigit():
            host = candidate
    normalized = "".join(c.lower() if c.isascii() else c for c in host.rstrip(".").strip())
    if not normalized:
        raise _invalid_rule("network_rule host cannot be empty")
    if "*" in normalized:
        raise _invalid_rule("network_rule host must be a specific host; wildcards are not allowed")
    if any(c.isspace() for c in normalized):
        raise _invalid_rule("network_rule host cannot contain whitespace")
    return normalized
