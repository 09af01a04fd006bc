"""A loaded policy: prefix rules keyed by program, network rules, host executables."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pycodex.execpolicy.decision import Decision
from pycodex.execpolicy.errors import PolicyError
from pycodex.execpolicy.rules import (
    HeuristicsRuleMatch,
    NetworkRule,
    NetworkRuleProtocol,
    PatternToken,
    PrefixPattern,
    PrefixRule,
    PrefixRuleMatch,
    RuleMatch,
    normalize_network_rule_host,
    with_resolved_program,
)

#: Decides a command no rule matched (upstream's "heuristics fallback").
HeuristicsFallback = Callable[[Sequence[str]], Decision]


# ferry: codex_execpolicy::policy::MatchOptions @ 1d092cb66
@dataclass(frozen=True)
class MatchOptions:
    """``resolve_host_executables``: let ``/usr/bin/git`` fall back to rules for ``git``."""

    resolve_host_executables: bool = False


# ferry: codex_execpolicy::policy::Evaluation @ 1d092cb66
@dataclass(frozen=True)
class Evaluation:
    """The strictest decision over ``matched_rules`` (never empty)."""

    decision: Decision
    matched_rules: tuple[RuleMatch, ...]

    # ferry: codex_execpolicy::policy::Evaluation::is_match @ 1d092cb66
    @property
    def is_match(self) -> bool:
        return any(isinstance(m, PrefixRuleMatch) for m in self.matched_rules)

    # ferry: codex_execpolicy::policy::Evaluation::from_matches @ 1d092cb66
    @classmethod
    def from_matches(cls, matches: Sequence[RuleMatch]) -> Evaluation:
        decision = Decision.strictest([m.decision for m in matches])
        if decision is None:
            raise ValueError("an evaluation needs at least one matched rule")
        return cls(decision, tuple(matches))


def _basename(path: str) -> str | None:
    name = os.path.basename(path.rstrip("/")) if path not in ("/", "") else ""
    if name in ("", ".", ".."):
        return None
    return name


def _absolutize(path: str) -> str | None:
    """Like ``AbsolutePathBuf::try_from``: relative paths join the cwd; ``.``/``..`` fold."""
    if not path:
        return None
    joined = path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
    normalized = os.path.normpath(joined)
    return "/" + normalized.lstrip("/")


_DEFAULT_OPTIONS = MatchOptions()


# ferry: codex_execpolicy::policy::Policy @ 1d092cb66
@dataclass
class Policy:
    """Rules grouped by program name, in the order they were added."""

    rules_by_program: dict[str, list[PrefixRule]] = field(default_factory=dict)
    network_rules: list[NetworkRule] = field(default_factory=list)
    host_executables: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # ferry: codex_execpolicy::policy::Policy::empty @ 1d092cb66
    @classmethod
    def empty(cls) -> Policy:
        return cls()

    # -- building
    # ferry: codex_execpolicy::parser::PolicyBuilder::add_rule @ 1d092cb66
    def add_rule(self, rule: PrefixRule) -> None:
        self.rules_by_program.setdefault(rule.program, []).append(rule)

    # ferry: codex_execpolicy::policy::Policy::add_prefix_rule @ 1d092cb66
    def add_prefix_rule(self, prefix: Sequence[str], decision: Decision) -> None:
        if not prefix:
            raise PolicyError("invalid pattern element: prefix cannot be empty")
        rest = tuple(PatternToken((token,)) for token in prefix[1:])
        persisted = decision is Decision.ALLOW
        self.add_rule(PrefixRule(PrefixPattern(prefix[0], rest), decision, None, persisted))

    # ferry: codex_execpolicy::policy::Policy::add_network_rule @ 1d092cb66
    def add_network_rule(
        self,
        host: str,
        protocol: NetworkRuleProtocol,
        decision: Decision,
        justification: str | None = None,
    ) -> None:
        normalized = normalize_network_rule_host(host)
        if justification is not None and not justification.strip():
            raise PolicyError("invalid rule: justification cannot be empty")
        self.network_rules.append(NetworkRule(normalized, protocol, decision, justification))

    # ferry: codex_execpolicy::policy::Policy::set_host_executable_paths @ 1d092cb66
    def set_host_executable_paths(self, name: str, paths: Iterable[str]) -> None:
        self.host_executables[name] = tuple(paths)

    # ferry: codex_execpolicy::policy::Policy::merge_overlay @ 1d092cb66
    def merge_overlay(self, overlay: Policy) -> Policy:
        merged = Policy(
            {k: list(v) for k, v in self.rules_by_program.items()},
            [*self.network_rules, *overlay.network_rules],
            {**self.host_executables, **overlay.host_executables},
        )
        for rules in overlay.rules_by_program.values():
            for rule in rules:
                merged.add_rule(rule)
        return merged

    # ferry: port-only -- Python glue: Policy derives Clone upstream; this is the explicit copy
    def copy(self) -> Policy:
        return Policy(
            {k: list(v) for k, v in self.rules_by_program.items()},
            list(self.network_rules),
            dict(self.host_executables),
        )

    # -- queries
    # ferry: codex_execpolicy::policy::Policy::rules @ 1d092cb66
    def rules(self) -> Mapping[str, Sequence[PrefixRule]]:
        return self.rules_by_program

    # ferry: codex_execpolicy::policy::Policy::get_allowed_prefixes @ 1d092cb66
    def get_allowed_prefixes(self) -> list[list[str]]:
        prefixes = {
            (rule.pattern.first, *(t.render() for t in rule.pattern.rest))
            for rules in self.rules_by_program.values()
            for rule in rules
            if rule.decision is Decision.ALLOW
        }
        return [list(p) for p in sorted(prefixes)]

    # ferry: codex_execpolicy::policy::Policy::compiled_network_domains @ 1d092cb66
    def compiled_network_domains(self) -> tuple[list[str], list[str]]:
        allowed: list[str] = []
        denied: list[str] = []
        for rule in self.network_rules:
            if rule.decision is Decision.ALLOW:
                denied = [h for h in denied if h != rule.host]
                allowed = [h for h in allowed if h != rule.host] + [rule.host]
            elif rule.decision is Decision.FORBIDDEN:
                allowed = [h for h in allowed if h != rule.host]
                denied = [h for h in denied if h != rule.host] + [rule.host]
        return allowed, denied

    # -- matching
    # ferry: codex_execpolicy::policy::Policy::matches_for_command_with_options @ 1d092cb66
    # ferry: codex_execpolicy::policy::Policy::match_exact_rules @ 1d092cb66
    # ferry: codex_execpolicy::policy::Policy::match_host_executable_rules @ 1d092cb66
    def matches_for_command(
        self,
        cmd: Sequence[str],
        heuristics_fallback: HeuristicsFallback | None = None,
        options: MatchOptions = _DEFAULT_OPTIONS,
    ) -> list[RuleMatch]:
        """Every rule whose prefix matches ``cmd`` (exact program first, then basename)."""
        matched: list[RuleMatch] = []
        if cmd:
            rules = self.rules_by_program.get(cmd[0])
            if rules:
                for rule in rules:
                    m = rule.matches(cmd)
                    if m is not None:
                        matched.append(m)
        if not matched and options.resolve_host_executables:
            matched.extend(self._match_host_executable(cmd))
        if not matched and heuristics_fallback is not None:
            return [HeuristicsRuleMatch(tuple(cmd), heuristics_fallback(cmd))]
        return matched

    # ferry: codex_execpolicy::policy::Policy::check_with_options @ 1d092cb66
    def check(
        self,
        cmd: Sequence[str],
        heuristics_fallback: HeuristicsFallback,
        options: MatchOptions = _DEFAULT_OPTIONS,
    ) -> Evaluation:
        return Evaluation.from_matches(self.matches_for_command(cmd, heuristics_fallback, options))

    # ferry: codex_execpolicy::policy::Policy::check_multiple_with_options @ 1d092cb66
    def check_multiple(
        self,
        commands: Iterable[Sequence[str]],
        heuristics_fallback: HeuristicsFallback,
        options: MatchOptions = _DEFAULT_OPTIONS,
    ) -> Evaluation:
        matches: list[RuleMatch] = []
        for cmd in commands:
            matches.extend(self.matches_for_command(cmd, heuristics_fallback, options))
        return Evaluation.from_matches(matches)

    def _match_host_executable(self, cmd: Sequence[str]) -> list[PrefixRuleMatch]:
        if not cmd:
            return []
        program = _absolutize(cmd[0])
        if program is None:
            return []
        basename = _basename(program)
        if basename is None:
            return []
        rules = self.rules_by_program.get(basename)
        if not rules:
            return []
        allowed_paths = self.host_executables.get(basename)
        if allowed_paths is not None and program not in allowed_paths:
            return []
        renamed = [basename, *cmd[1:]]
        out: list[PrefixRuleMatch] = []
        for rule in rules:
            m = rule.matches(renamed)
            if m is not None:
                out.append(with_resolved_program(m, program))
        return out


# ferry: codex_execpolicy::execpolicycheck::format_matches_json @ 1d092cb66
def matches_to_json(matches: Sequence[RuleMatch], *, pretty: bool = False) -> str:
    """The JSON ``codex execpolicy check`` prints for ``matches``."""
    output: dict[str, Any] = {"matchedRules": [m.to_json() for m in matches]}
    decision = Decision.strictest([m.decision for m in matches])
    if decision is not None:
        output["decision"] = decision.value
    if pretty:
        return json.dumps(output, ensure_ascii=False, indent=2)
    return json.dumps(output, ensure_ascii=False, separators=(",", ":"))
