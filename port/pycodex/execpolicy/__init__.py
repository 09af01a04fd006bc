"""Exec policy: Starlark ``.rules`` files, safe-command heuristics and approval decisions.

A port of upstream ``codex-execpolicy`` plus the command-safety and approval logic
of ``codex-shell-command`` and ``codex-core``.
"""

from pycodex.execpolicy.approval import (
    PROMPT_CONFLICT_REASON,
    AskForApproval,
    ExecAction,
    ExecApprovalRequirement,
    ExecDecision,
    Forbidden,
    NeedsApproval,
    SandboxMode,
    SandboxPermissions,
    ShellTool,
    Skip,
    commands_for_exec_policy,
    create_exec_approval_requirement,
    decide_exec,
    rejection_output,
    render_decision_for_unmatched_command,
    wants_no_sandbox_approval,
)
from pycodex.execpolicy.decision import Decision
from pycodex.execpolicy.errors import ErrorLocation, PolicyError, PolicyLoadError, StarlarkError
from pycodex.execpolicy.loader import LoadedPolicy, load_exec_policy
from pycodex.execpolicy.parser import PolicyParser, load_policies, parse_policy
from pycodex.execpolicy.policy import Evaluation, MatchOptions, Policy, matches_to_json
from pycodex.execpolicy.rules import HeuristicsRuleMatch, PrefixRule, PrefixRuleMatch, RuleMatch
from pycodex.execpolicy.safety import command_might_be_dangerous, is_known_safe_command
from pycodex.execpolicy.shell import parse_shell_lc_plain_commands

__all__ = [
    "PROMPT_CONFLICT_REASON",
    "AskForApproval",
    "Decision",
    "ErrorLocation",
    "Evaluation",
    "ExecAction",
    "ExecApprovalRequirement",
    "ExecDecision",
    "Forbidden",
    "HeuristicsRuleMatch",
    "LoadedPolicy",
    "MatchOptions",
    "NeedsApproval",
    "Policy",
    "PolicyError",
    "PolicyLoadError",
    "PolicyParser",
    "PrefixRule",
    "PrefixRuleMatch",
    "RuleMatch",
    "SandboxMode",
    "SandboxPermissions",
    "ShellTool",
    "Skip",
    "StarlarkError",
    "command_might_be_dangerous",
    "commands_for_exec_policy",
    "create_exec_approval_requirement",
    "decide_exec",
    "is_known_safe_command",
    "load_exec_policy",
    "load_policies",
    "matches_to_json",
    "parse_policy",
    "parse_shell_lc_plain_commands",
    "rejection_output",
    "render_decision_for_unmatched_command",
    "wants_no_sandbox_approval",
]
