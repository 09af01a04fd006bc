"""Approval decisions for shell commands: run sandboxed, run unsandboxed, ask, or reject.

Ports upstream core's exec-policy step: the command (or each part of a plain
``bash -lc`` script) is checked against the loaded rules; commands no rule
matches are decided by the safe/dangerous heuristics together with the approval
policy and sandbox mode. Rejections carry the exact text upstream returns to the
model (``codex exec`` runs with ``never``, so a ``prompt`` becomes a rejection).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from pycodex.execpolicy import shlex_compat
from pycodex.execpolicy.dangerous import RM_FORCE_REASON, command_might_be_dangerous, is_rm_force
from pycodex.execpolicy.decision import Decision
from pycodex.execpolicy.heredoc import parse_shell_lc_single_command_prefix
from pycodex.execpolicy.modes import AskForApproval, SandboxMode, SandboxPermissions, ShellTool
from pycodex.execpolicy.policy import Evaluation, HeuristicsFallback, MatchOptions, Policy
from pycodex.execpolicy.rules import (
    HeuristicsRuleMatch,
    PrefixRuleMatch,
    RuleMatch,
    rust_debug_str,
)
from pycodex.execpolicy.safety import is_known_safe_command
from pycodex.execpolicy.shell import parse_shell_lc_plain_commands

__all__ = [
    "PROMPT_CONFLICT_REASON",
    "AskForApproval",
    "ExecAction",
    "ExecApprovalRequirement",
    "ExecDecision",
    "Forbidden",
    "NeedsApproval",
    "SandboxMode",
    "SandboxPermissions",
    "ShellTool",
    "Skip",
    "commands_for_exec_policy",
    "create_exec_approval_requirement",
    "decide_exec",
    "escalation_rejection",
    "rejection_output",
    "render_decision_for_unmatched_command",
    "wants_no_sandbox_approval",
]

PROMPT_CONFLICT_REASON = "approval required by policy, but AskForApproval is set to Never"

#: Prefixes the model may not ask to persist (too broad to allow wholesale).
BANNED_PREFIX_SUGGESTIONS: frozenset[tuple[str, ...]] = frozenset(
    tuple(p.split(" "))
    for p in [
        "python3",
        "python3 -",
        "python3 -c",
        "python",
        "python -",
        "python -c",
        "py",
        "py -3",
        "pythonw",
        "pyw",
        "pypy",
        "pypy3",
        "git",
        "bash",
        "bash -lc",
        "sh",
        "sh -c",
        "sh -lc",
        "zsh",
        "zsh -lc",
        "/bin/zsh",
        "/bin/zsh -lc",
        "/bin/bash",
        "/bin/bash -lc",
        "pwsh",
        "pwsh -Command",
        "pwsh -c",
        "powershell",
        "powershell -Command",
        "powershell -c",
        "powershell.exe",
        "powershell.exe -Command",
        "powershell.exe -c",
        "env",
        "sudo",
        "node",
        "node -e",
        "perl",
        "perl -e",
        "ruby",
        "ruby -e",
        "php",
        "php -r",
        "lua",
        "lua -e",
        "osascript",
    ]
)


# ferry: codex_core::tools::sandboxing::ExecApprovalRequirement::Skip @ 1d092cb66
@dataclass(frozen=True)
class Skip:
    """No approval needed; ``bypass_sandbox`` when every part is explicitly allowed by a rule."""

    bypass_sandbox: bool
    proposed_amendment: tuple[str, ...] | None = None


# ferry: codex_core::tools::sandboxing::ExecApprovalRequirement::NeedsApproval @ 1d092cb66
@dataclass(frozen=True)
class NeedsApproval:
    reason: str | None
    proposed_amendment: tuple[str, ...] | None = None


# ferry: codex_core::tools::sandboxing::ExecApprovalRequirement::Forbidden @ 1d092cb66
@dataclass(frozen=True)
class Forbidden:
    reason: str


ExecApprovalRequirement = Skip | NeedsApproval | Forbidden


# ferry: port-only -- port-only: names what pycodex's single-shot exec does with a call (run sandboxed/unsandboxed, ask, reject); upstream spreads it over the tool orchestrator
class ExecAction(enum.Enum):
    RUN_SANDBOXED = "run_sandboxed"
    RUN_UNSANDBOXED = "run_unsandboxed"
    ASK_USER = "ask_user"
    REJECT = "reject"


# ferry: port-only -- port-only: the result of decide_exec, see ExecAction
@dataclass(frozen=True)
class ExecDecision:
    """What the agent does with one shell call; ``message`` is sent to the model on reject."""

    action: ExecAction
    requirement: ExecApprovalRequirement | None
    message: str | None = None


# ferry: codex_core::exec_policy::render_shlex_command @ 1d092cb66
def render_shlex_command(args: Sequence[str]) -> str:
    return shlex_compat.join_or_spaces(args)


# ferry: codex_core::exec_policy::commands_for_exec_policy @ 1d092cb66
def commands_for_exec_policy(command: Sequence[str]) -> tuple[list[list[str]], bool]:
    """The commands to check and whether the heredoc fallback parser produced them."""
    plain = parse_shell_lc_plain_commands(command)
    if plain:
        return plain, False
    single = parse_shell_lc_single_command_prefix(command)
    if single is not None:
        return [single], True
    return [list(command)], False


# ferry: codex_core::exec_policy::render_decision_for_unmatched_command @ 1d092cb66
def render_decision_for_unmatched_command(
    approval_policy: AskForApproval,
    sandbox_mode: SandboxMode,
    command: Sequence[str],
    sandbox_permissions: SandboxPermissions = SandboxPermissions.USE_DEFAULT,
    used_complex_parsing: bool = False,
) -> Decision:
    """Decide a command no rule matched, from the heuristics and the policies."""
    if is_known_safe_command(command) and not used_complex_parsing:
        return Decision.ALLOW
    if command_might_be_dangerous(command):
        if approval_policy is AskForApproval.NEVER:
            return Decision.ALLOW if not sandbox_mode.restricted else Decision.FORBIDDEN
        return Decision.PROMPT
    if approval_policy in (AskForApproval.NEVER, AskForApproval.ON_FAILURE):
        return Decision.ALLOW
    if approval_policy is AskForApproval.UNTRUSTED:
        return Decision.PROMPT
    if not sandbox_mode.restricted:
        return Decision.ALLOW
    return Decision.PROMPT if sandbox_permissions.requests_override else Decision.ALLOW


def _is_rule(m: RuleMatch) -> bool:
    return isinstance(m, PrefixRuleMatch)


def _derive_prompt_reason(command: Sequence[str], evaluation: Evaluation) -> str | None:
    prompts = [
        m
        for m in evaluation.matched_rules
        if isinstance(m, PrefixRuleMatch) and m.decision is Decision.PROMPT
    ]
    if not prompts:
        return None
    best = _most_specific(prompts)
    rendered = render_shlex_command(command)
    if best.justification is not None:
        return f"`{rendered}` requires approval: {best.justification}"
    return f"`{rendered}` requires approval by policy"


def _most_specific(matches: Sequence[PrefixRuleMatch]) -> PrefixRuleMatch:
    """Longest matched prefix; the last one wins ties, like Rust's ``max_by_key``."""
    best = matches[0]
    for m in matches[1:]:
        if len(m.matched_prefix) >= len(best.matched_prefix):
            best = m
    return best


def _derive_forbidden_reason(command: Sequence[str], evaluation: Evaluation) -> str:
    rendered = render_shlex_command(command)
    forbidden = [
        m
        for m in evaluation.matched_rules
        if isinstance(m, PrefixRuleMatch) and m.decision is Decision.FORBIDDEN
    ]
    if not forbidden:
        if command_might_be_dangerous(command):
            return f"`{rendered}` rejected: {RM_FORCE_REASON}"
        return f"`{rendered}` rejected: blocked by policy"
    best = _most_specific(forbidden)
    if best.justification is not None:
        return f"`{rendered}` rejected: {best.justification}"
    prefix = render_shlex_command(best.matched_prefix)
    return f"`{rendered}` rejected: policy forbids commands starting with `{prefix}`"


def _amendment_for_prompt(matches: Sequence[RuleMatch]) -> tuple[str, ...] | None:
    if any(_is_rule(m) and m.decision is Decision.PROMPT for m in matches):
        return None
    for m in matches:
        if isinstance(m, HeuristicsRuleMatch) and m.decision is Decision.PROMPT:
            return m.command
    return None


def _amendment_for_allow(matches: Sequence[RuleMatch]) -> tuple[str, ...] | None:
    if any(_is_rule(m) for m in matches):
        return None
    for m in matches:
        if isinstance(m, HeuristicsRuleMatch) and m.decision is Decision.ALLOW:
            return m.command
    return None


# ferry: codex_core::exec_policy::ExecPolicyManager::create_exec_approval_requirement_for_command @ 1d092cb66
# ferry: codex_core::exec_policy::derive_requested_execpolicy_amendment_from_prefix_rule @ 1d092cb66
def create_exec_approval_requirement(
    command: Sequence[str],
    policy: Policy,
    approval_policy: AskForApproval,
    sandbox_mode: SandboxMode,
    sandbox_permissions: SandboxPermissions = SandboxPermissions.USE_DEFAULT,
    prefix_rule: Sequence[str] | None = None,
) -> ExecApprovalRequirement:
    """Upstream's ``create_exec_approval_requirement_for_command``."""
    commands, complex_parsing = commands_for_exec_policy(command)

    def fallback(cmd: Sequence[str]) -> Decision:
        return render_decision_for_unmatched_command(
            approval_policy, sandbox_mode, cmd, sandbox_permissions, complex_parsing
        )

    options = MatchOptions(resolve_host_executables=True)
    evaluation = policy.check_multiple(commands, fallback, options)
    requested = _requested_amendment(prefix_rule, evaluation, policy, commands, fallback, options)

    if evaluation.decision is Decision.FORBIDDEN:
        return Forbidden(_derive_forbidden_reason(command, evaluation))
    if evaluation.decision is Decision.PROMPT:
        if approval_policy is AskForApproval.NEVER:
            return Forbidden(PROMPT_CONFLICT_REASON)
        amendment = requested
        if amendment is None and not complex_parsing:
            amendment = _amendment_for_prompt(evaluation.matched_rules)
        return NeedsApproval(_derive_prompt_reason(command, evaluation), amendment)
    if command_might_be_dangerous(command) and not _force_delete_allowed_by_rules(
        commands, policy, options
    ):
        # 0.169 refuses force-deletes that no hand-written rule (or a saved approval of
        # that very `rm -f` prefix) allows, whatever the sandbox mode.
        return Forbidden(f"`{render_shlex_command(command)}` rejected: {RM_FORCE_REASON}")
    bypass = all(
        any(
            _is_rule(m) and m.decision is Decision.ALLOW
            for m in policy.matches_for_command(cmd, None, options)
        )
        for cmd in commands
    )
    allow_amendment = None if complex_parsing else _amendment_for_allow(evaluation.matched_rules)
    return Skip(bypass, allow_amendment)


def _force_delete_allowed_by_rules(
    commands: Sequence[Sequence[str]], policy: Policy, options: MatchOptions
) -> bool:
    dangerous = [cmd for cmd in commands if command_might_be_dangerous(cmd)] or list(commands)
    return all(
        any(
            isinstance(m, PrefixRuleMatch)
            and m.decision is Decision.ALLOW
            and (not m.persisted or is_rm_force(m.matched_prefix))
            for m in policy.matches_for_command(cmd, None, options)
        )
        for cmd in dangerous
    )


def _requested_amendment(
    prefix_rule: Sequence[str] | None,
    evaluation: Evaluation,
    policy: Policy,
    commands: Sequence[Sequence[str]],
    fallback: HeuristicsFallback,
    options: MatchOptions,
) -> tuple[str, ...] | None:
    if not prefix_rule or tuple(prefix_rule) in BANNED_PREFIX_SUGGESTIONS:
        return None
    if any(_is_rule(m) for m in evaluation.matched_rules):
        return None
    trial = policy.copy()
    trial.add_prefix_rule(list(prefix_rule), Decision.ALLOW)
    if all(trial.check(cmd, fallback, options).decision is Decision.ALLOW for cmd in commands):
        return tuple(prefix_rule)
    return None


# ferry: codex_core::tools::sandboxing::Approvable::wants_no_sandbox_approval @ 1d092cb66
def wants_no_sandbox_approval(approval_policy: AskForApproval) -> bool:
    """After a sandbox denial, may the user be asked to rerun without the sandbox?

    Upstream: yes under ``on-failure`` and ``untrusted``; under ``never`` and ``on-request``
    the denial goes straight back to the model.
    """
    return approval_policy in (AskForApproval.ON_FAILURE, AskForApproval.UNTRUSTED)


# ferry: codex_core::tools::handlers::unified_exec::UnifiedExecHandler::handle @ 1d092cb66 -- its escalation-outside-on-request rejection
# ferry: codex_core::tools::handlers::shell::ShellHandler::run_exec_like @ 1d092cb66 -- the shell tool's wording
def escalation_rejection(
    approval_policy: AskForApproval, tool: ShellTool = ShellTool.EXEC_COMMAND
) -> str:
    """The text sent when the model asks for escalation outside ``on-request``."""
    name = approval_policy.debug_name
    verb = "cannot" if tool is ShellTool.EXEC_COMMAND else "should not"
    return (
        f"approval policy is {name}; reject command — you {verb} ask for escalated "
        f"permissions if the approval policy is {name}"
    )


# ferry: codex_core::unified_exec::errors::UnifiedExecError::create_process @ 1d092cb66 -- its Debug text is the tool output
def rejection_output(reason: str, tool: ShellTool = ShellTool.EXEC_COMMAND) -> str:
    """The tool output the model receives when the command is rejected with ``reason``.

    ``exec_command`` reports the failed process creation with Rust ``Debug`` quoting,
    e.g. ``exec_command failed: CreateProcess { message: "Rejected(\\"...\\")" }``; the
    ``shell`` tool returns the reason itself.
    """
    if tool is ShellTool.SHELL:
        return reason
    inner = f"Rejected({rust_debug_str(reason)})"
    return f"exec_command failed: CreateProcess {{ message: {rust_debug_str(inner)} }}"


# ferry: codex_core::tools::handlers::unified_exec::UnifiedExecHandler::handle @ 1d092cb66 -- the approval half, before running
# ferry: codex_core::tools::sandboxing::sandbox_override_for_first_attempt @ 1d092cb66
def decide_exec(
    command: Sequence[str],
    policy: Policy,
    approval_policy: AskForApproval,
    sandbox_mode: SandboxMode,
    *,
    sandbox_permissions: SandboxPermissions = SandboxPermissions.USE_DEFAULT,
    prefix_rule: Sequence[str] | None = None,
    tool: ShellTool = ShellTool.EXEC_COMMAND,
) -> ExecDecision:
    """What to do with one shell tool call before running it.

    On ``REJECT``, ``message`` is exactly the tool output upstream returns to the model.
    """
    if sandbox_permissions.requests_override and approval_policy is not AskForApproval.ON_REQUEST:
        return ExecDecision(ExecAction.REJECT, None, escalation_rejection(approval_policy, tool))
    requirement = create_exec_approval_requirement(
        command, policy, approval_policy, sandbox_mode, sandbox_permissions, prefix_rule
    )
    if isinstance(requirement, Forbidden):
        return ExecDecision(
            ExecAction.REJECT, requirement, rejection_output(requirement.reason, tool)
        )
    if isinstance(requirement, NeedsApproval):
        return ExecDecision(ExecAction.ASK_USER, requirement, requirement.reason)
    unsandboxed = (
        requirement.bypass_sandbox
        or sandbox_permissions.requires_escalation
        or not sandbox_mode.restricted
    )
    action = ExecAction.RUN_UNSANDBOXED if unsandboxed else ExecAction.RUN_SANDBOXED
    return ExecDecision(action, requirement)
