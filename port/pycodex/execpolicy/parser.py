"""Turn ``.rules`` files into a :class:`Policy`: the builtins and example validation.

Each ``prefix_rule``/``network_rule``/``host_executable`` call is checked the way
upstream checks it (same messages); ``match``/``not_match`` examples are validated
once the whole file has been evaluated, so ``host_executable`` calls later in the
file still count.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pycodex.execpolicy import shlex_compat
from pycodex.execpolicy.amend import allow_prefix_rule_line
from pycodex.execpolicy.decision import Decision
from pycodex.execpolicy.errors import ErrorLocation, PolicyError, PolicyLoadError
from pycodex.execpolicy.policy import MatchOptions, Policy
from pycodex.execpolicy.rules import (
    NetworkRuleProtocol,
    PatternToken,
    PrefixPattern,
    PrefixRule,
    PrefixRuleMatch,
    rust_debug_str,
)
from pycodex.execpolicy.starlark import (
    Builtin,
    CallSite,
    Interpreter,
    Value,
    bind_arguments,
    is_missing,
    starlark_repr,
    type_name,
)

_EXPECTED_NAME = {str: "str", list: "list", bool: "bool"}


def _typed(fn: str, param: str, value: Value, expected: type, *, optional: bool) -> Value:
    if is_missing(value):
        if optional:
            return None
        raise PolicyError(f"Missing parameter `{param}` for call to `{fn}`")
    ok = isinstance(value, expected) and (expected is not int or not isinstance(value, bool))
    if not ok:
        raise PolicyError(
            f"Type of parameter `{param}` doesn't match, expected `{_EXPECTED_NAME[expected]}`, "
            f"actual `{type_name(value)} (repr: {starlark_repr(value)})`"
        )
    return value


def _justification(raw: str | None) -> str | None:
    if raw is not None and not raw.strip():
        raise PolicyError("invalid rule: justification cannot be empty")
    return raw


def _pattern_token(value: Value) -> PatternToken:
    if isinstance(value, str):
        return PatternToken((value,))
    if isinstance(value, list):
        alternatives: list[str] = []
        for alt in value:
            if not isinstance(alt, str):
                raise PolicyError(
                    "invalid pattern element: pattern alternative must be a string "
                    f"(got {type_name(alt)})"
                )
            alternatives.append(alt)
        if not alternatives:
            raise PolicyError("invalid pattern element: pattern alternatives cannot be empty")
        return PatternToken(tuple(alternatives))
    raise PolicyError(
        "invalid pattern element: pattern element must be a string or list of strings "
        f"(got {type_name(value)})"
    )


def _example(value: Value) -> list[str]:
    if isinstance(value, str):
        tokens = shlex_compat.split(value)
        if tokens is None:
            raise PolicyError("invalid example: example string has invalid shell syntax")
        if not tokens:
            raise PolicyError("invalid example: example cannot be an empty string")
        return tokens
    if isinstance(value, list):
        words: list[str] = []
        for token in value:
            if not isinstance(token, str):
                raise PolicyError(
                    f"invalid example: example tokens must be strings (got {type_name(token)})"
                )
            words.append(token)
        if not words:
            raise PolicyError("invalid example: example cannot be an empty list")
        return words
    raise PolicyError(
        f"invalid example: example must be a string or list of strings (got {type_name(value)})"
    )


def _is_bare_name(name: str) -> bool:
    return bool(name) and "/" not in name and name not in (".", "..")


@dataclass(frozen=True)
class _PendingValidation:
    rules: tuple[PrefixRule, ...]
    matches: tuple[tuple[str, ...], ...]
    not_matches: tuple[tuple[str, ...], ...]
    location: ErrorLocation


def _render_example(example: Sequence[str]) -> str:
    try:
        return shlex_compat.join(example)
    except shlex_compat.QuoteError:
        return "unable to render example"


def _rust_vec(items: Iterable[str]) -> str:
    return "[" + ", ".join(rust_debug_str(i) for i in items) + "]"


# ferry: codex_execpolicy::parser::PolicyParser @ 1d092cb66
# ferry: codex_execpolicy::parser::PolicyBuilder @ 1d092cb66
class PolicyParser:
    """Accumulates rules from one or more files; call :meth:`build` at the end."""

    def __init__(self) -> None:
        self._policy = Policy()
        self._pending: list[_PendingValidation] = []
        self._builtins = {
            "prefix_rule": Builtin("prefix_rule", self._prefix_rule),
            "network_rule": Builtin("network_rule", self._network_rule),
            "host_executable": Builtin("host_executable", self._host_executable),
        }

    # ferry: codex_execpolicy::parser::PolicyParser::parse @ 1d092cb66
    def parse(self, identifier: str, contents: str) -> None:
        """Evaluate one file; raises :class:`PolicyError` with a location on bad input."""
        start = len(self._pending)
        Interpreter(identifier, contents, self._builtins).run()
        for pending in self._pending[start:]:
            try:
                self._validate(pending)
            except PolicyError as exc:
                raise exc.with_location(pending.location) from None

    # ferry: codex_execpolicy::parser::PolicyParser::build @ 1d092cb66
    # ferry: codex_execpolicy::parser::PolicyBuilder::validate_pending_examples_from @ 1d092cb66
    def build(self) -> Policy:
        return self._policy

    # -- builtins
    def _prefix_rule(self, args: list[Value], kwargs: dict[str, Value], site: CallSite) -> None:
        fn = "prefix_rule"
        params = [
            "pattern",
            "decision",
            "match",
            "not_match",
            "justification",
            "canonical_matching",
        ]
        bound = bind_arguments(fn, params, {"pattern"}, args, kwargs)
        pattern = _typed(fn, "pattern", bound["pattern"], list, optional=False)
        raw_decision = _typed(fn, "decision", bound["decision"], str, optional=True)
        match = _typed(fn, "match", bound["match"], list, optional=True)
        not_match = _typed(fn, "not_match", bound["not_match"], list, optional=True)
        raw_just = _typed(fn, "justification", bound["justification"], str, optional=True)
        canonical = _typed(
            fn, "canonical_matching", bound["canonical_matching"], bool, optional=True
        )

        decision = Decision.ALLOW if raw_decision is None else Decision.parse(raw_decision)
        justification = _justification(raw_just)
        tokens = [_pattern_token(v) for v in pattern]
        if not tokens:
            raise PolicyError("invalid pattern element: pattern cannot be empty")
        matches = tuple(tuple(_example(v)) for v in (match or []))
        not_matches = tuple(tuple(_example(v)) for v in (not_match or []))
        rest = tuple(tokens[1:])
        persisted = all(len(t.alternatives) == 1 for t in tokens) and site.text == (
            allow_prefix_rule_line([t.alternatives[0] for t in tokens])
        )
        rules = tuple(
            PrefixRule(
                PrefixPattern(head, rest, bool(canonical)), decision, justification, persisted
            )
            for head in tokens[0].alternatives
        )
        self._pending.append(_PendingValidation(rules, matches, not_matches, site.location))
        for rule in rules:
            self._policy.add_rule(rule)

    def _network_rule(self, args: list[Value], kwargs: dict[str, Value], site: CallSite) -> None:
        fn = "network_rule"
        params = ["host", "protocol", "decision", "justification"]
        bound = bind_arguments(fn, params, {"host", "protocol", "decision"}, args, kwargs)
        host = _typed(fn, "host", bound["host"], str, optional=False)
        raw_protocol = _typed(fn, "protocol", bound["protocol"], str, optional=False)
        raw_decision = _typed(fn, "decision", bound["decision"], str, optional=False)
        raw_just = _typed(fn, "justification", bound["justification"], str, optional=True)
        protocol = NetworkRuleProtocol.parse(raw_protocol)
        decision = Decision.FORBIDDEN if raw_decision == "deny" else Decision.parse(raw_decision)
        self._policy.add_network_rule(host, protocol, decision, _justification(raw_just))

    def _host_executable(self, args: list[Value], kwargs: dict[str, Value], site: CallSite) -> None:
        fn = "host_executable"
        bound = bind_arguments(fn, ["name", "paths"], {"name", "paths"}, args, kwargs)
        name = _typed(fn, "name", bound["name"], str, optional=False)
        paths = _typed(fn, "paths", bound["paths"], list, optional=False)
        if not name:
            raise PolicyError("invalid rule: host_executable name cannot be empty")
        if not _is_bare_name(name):
            raise PolicyError(
                f"invalid rule: host_executable name must be a bare executable name (got {name})"
            )
        parsed: list[str] = []
        for value in paths:
            if not isinstance(value, str):
                raise PolicyError(
                    f"invalid rule: host_executable paths must be strings (got {type_name(value)})"
                )
            if not os.path.isabs(value):
                raise PolicyError(
                    f"invalid rule: host_executable paths must be absolute (got {value})"
                )
            normalized = os.path.normpath(value).replace("//", "/")
            if os.path.basename(normalized) != name:
                raise PolicyError(
                    f"invalid rule: host_executable path `{value}` must have basename `{name}`"
                )
            if normalized not in parsed:
                parsed.append(normalized)
        self._policy.set_host_executable_paths(name, parsed)

    # -- examples
    def _validate(self, pending: _PendingValidation) -> None:
        scoped = Policy(host_executables=dict(self._policy.host_executables))
        for rule in pending.rules:
            scoped.add_rule(rule)
        options = MatchOptions(resolve_host_executables=True)
        for example in pending.not_matches:
            found = scoped.matches_for_command(example, None, options)
            if found:
                first = found[0]
                debug = first.debug() if isinstance(first, PrefixRuleMatch) else repr(first)
                raise PolicyError(
                    f"expected example to not match rule `{debug}`: {_render_example(example)}"
                )
        unmatched = [
            _render_example(example)
            for example in pending.matches
            if not scoped.matches_for_command(example, None, options)
        ]
        if unmatched:
            rules = _rust_vec(rule.debug() for rule in pending.rules)
            raise PolicyError(
                "expected every example to match at least one rule. "
                f"rules: {rules}; unmatched examples: {_rust_vec(unmatched)}"
            )


# ferry: codex_execpolicy::parser::PolicyParser::parse @ 1d092cb66 -- one text into a policy
def parse_policy(identifier: str, contents: str) -> Policy:
    """Parse a single policy text (``identifier`` is used in error locations)."""
    parser = PolicyParser()
    parser.parse(identifier, contents)
    return parser.build()


# ferry: codex_execpolicy::execpolicycheck::load_policies @ 1d092cb66
def load_policies(paths: Iterable[str | os.PathLike[str]]) -> Policy:
    """Read and parse files in order; failures raise :class:`PolicyLoadError` naming the file."""
    parser = PolicyParser()
    for path in paths:
        display = os.fspath(path)
        try:
            contents = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyLoadError(display, exc, read=True) from exc
        except UnicodeDecodeError as exc:
            raise PolicyLoadError(display, exc, read=True) from exc
        try:
            parser.parse(display, contents)
        except PolicyError as exc:
            raise PolicyLoadError(display, exc) from exc
    return parser.build()
