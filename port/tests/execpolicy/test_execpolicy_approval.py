"""Approval decisions before running a shell command (upstream core's exec-policy step)."""

from __future__ import annotations

import pytest
from pycodex.execpolicy import (
    PROMPT_CONFLICT_REASON,
    AskForApproval,
    ExecAction,
    Forbidden,
    NeedsApproval,
    Policy,
    SandboxMode,
    SandboxPermissions,
    ShellTool,
    Skip,
    commands_for_exec_policy,
    create_exec_approval_requirement,
    decide_exec,
    parse_policy,
    render_decision_for_unmatched_command,
    wants_no_sandbox_approval,
)
from pycodex.execpolicy.decision import Decision

RO = SandboxMode.READ_ONLY
WW = SandboxMode.WORKSPACE_WRITE
FULL = SandboxMode.DANGER_FULL_ACCESS
ESCALATED = SandboxPermissions.REQUIRE_ESCALATED


def _policy(src: str | None) -> Policy:
    return Policy.empty() if src is None else parse_policy("test.rules", src)


def test_bash_lc_inner_commands_are_checked() -> None:
    policy = _policy('prefix_rule(pattern = ["rm"], decision = "forbidden")')
    command = ["bash", "-lc", "rm -rf /some/important/folder"]
    assert create_exec_approval_requirement(
        command, policy, AskForApproval.ON_REQUEST, FULL
    ) == Forbidden(
        "`bash -lc 'rm -rf /some/important/folder'` rejected: policy forbids commands starting with `rm`"
    )


def test_forbidden_reason_uses_justification() -> None:
    policy = _policy(
        'prefix_rule(pattern = ["rm", "-rf"], decision = "forbidden", justification = "destructive command")'
    )
    command = ["rm", "-rf", "/some/important/folder"]
    assert create_exec_approval_requirement(
        command, policy, AskForApproval.ON_REQUEST, FULL
    ) == Forbidden("`rm -rf /some/important/folder` rejected: destructive command")


def test_most_specific_forbidden_rule_gives_the_reason() -> None:
    policy = _policy(
        'prefix_rule(pattern = ["git"], decision = "forbidden", justification = "no git")\n'
        'prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "no pushing")\n'
    )
    req = create_exec_approval_requirement(["git", "push"], policy, AskForApproval.ON_REQUEST, WW)
    assert req == Forbidden("`git push` rejected: no pushing")


def test_prompt_rule_needs_approval_with_reason() -> None:
    policy = _policy('prefix_rule(pattern = ["rm"], decision = "prompt")')
    req = create_exec_approval_requirement(["rm"], policy, AskForApproval.ON_REQUEST, FULL)
    assert req == NeedsApproval("`rm` requires approval by policy", None)


def test_prompt_rule_with_justification() -> None:
    policy = _policy(
        'prefix_rule(pattern = ["curl"], decision = "prompt", justification = "network")'
    )
    req = create_exec_approval_requirement(["curl", "x y"], policy, AskForApproval.UNTRUSTED, RO)
    assert req == NeedsApproval("`curl 'x y'` requires approval: network", None)


def test_prompt_under_never_is_rejected_with_upstream_message() -> None:
    policy = _policy('prefix_rule(pattern = ["rm"], decision = "prompt")')
    req = create_exec_approval_requirement(["rm"], policy, AskForApproval.NEVER, FULL)
    assert req == Forbidden(PROMPT_CONFLICT_REASON)
    decision = decide_exec(["rm"], policy, AskForApproval.NEVER, FULL)
    assert decision.action is ExecAction.REJECT
    assert decision.message == (
        'exec_command failed: CreateProcess { message: "Rejected(\\"approval required by '
        'policy, but AskForApproval is set to Never\\")" }'
    )
    shell = decide_exec(["rm"], policy, AskForApproval.NEVER, FULL, tool=ShellTool.SHELL)
    assert shell.message == "approval required by policy, but AskForApproval is set to Never"


def test_allow_rule_bypasses_sandbox_for_heredoc_command() -> None:
    policy = _policy('prefix_rule(pattern = ["python3"], decision = "allow")')
    command = ["bash", "-lc", "python3 <<'PY'\nprint('hello')\nPY"]
    req = create_exec_approval_requirement(command, policy, AskForApproval.ON_REQUEST, RO)
    assert req == Skip(bypass_sandbox=True, proposed_amendment=None)
    assert (
        decide_exec(command, policy, AskForApproval.ON_REQUEST, RO).action
        is ExecAction.RUN_UNSANDBOXED
    )


def test_heredoc_fallback_prompt_has_no_auto_amendment() -> None:
    command = ["bash", "-lc", "python3 <<'PY'\nprint('hello')\nPY"]
    req = create_exec_approval_requirement(command, Policy.empty(), AskForApproval.UNTRUSTED, RO)
    assert req == NeedsApproval(None, None)


@pytest.mark.parametrize("script", ["", "  \n\t  "])
def test_empty_script_falls_back_to_the_original_command(script: str) -> None:
    command = ["bash", "-lc", script]
    assert commands_for_exec_policy(command) == ([command], False)
    req = create_exec_approval_requirement(command, Policy.empty(), AskForApproval.UNTRUSTED, RO)
    assert req == NeedsApproval(None, tuple(command))


def test_heuristics_fallback_proposes_the_command() -> None:
    req = create_exec_approval_requirement(
        ["cargo", "build"], Policy.empty(), AskForApproval.UNTRUSTED, RO
    )
    assert req == NeedsApproval(None, ("cargo", "build"))


def test_requested_prefix_rule_becomes_the_amendment() -> None:
    command = ["cargo", "install", "cargo-insta"]
    req = create_exec_approval_requirement(
        command, Policy.empty(), AskForApproval.ON_REQUEST, RO, ESCALATED, ["cargo", "install"]
    )
    assert req == NeedsApproval(None, ("cargo", "install"))


def test_requested_prefix_rule_dropped_when_it_does_not_cover_all_parts() -> None:
    command = ["bash", "-lc", "cargo install cargo-insta && rm -rf /tmp/codex"]
    req = create_exec_approval_requirement(
        command, Policy.empty(), AskForApproval.ON_REQUEST, FULL, ESCALATED, ["cargo", "install"]
    )
    assert req == NeedsApproval(None, ("rm", "-rf", "/tmp/codex"))


def test_banned_prefix_suggestions_are_ignored() -> None:
    req = create_exec_approval_requirement(
        ["python3", "-c", "print(1)"],
        Policy.empty(),
        AskForApproval.UNTRUSTED,
        RO,
        prefix_rule=["python3", "-c"],
    )
    assert req == NeedsApproval(None, ("python3", "-c", "print(1)"))


def test_host_executable_rules_apply_to_absolute_paths() -> None:
    policy = _policy(
        'prefix_rule(pattern = ["git", "status"], decision = "allow")\n'
        'host_executable(name = "git", paths = ["/usr/bin/git"])\n'
    )
    allowed = create_exec_approval_requirement(
        ["/usr/bin/git", "status"], policy, AskForApproval.UNTRUSTED, RO
    )
    assert allowed == Skip(bypass_sandbox=True, proposed_amendment=None)
    # A path not listed in host_executable() falls back to the heuristics (git status is safe).
    other = create_exec_approval_requirement(
        ["/tmp/git", "status"], policy, AskForApproval.UNTRUSTED, RO
    )
    assert other == Skip(bypass_sandbox=False, proposed_amendment=("/tmp/git", "status"))


def test_known_safe_command_runs_in_sandbox_with_amendment() -> None:
    req = create_exec_approval_requirement(
        ["ls", "-la"], Policy.empty(), AskForApproval.UNTRUSTED, WW
    )
    assert req == Skip(bypass_sandbox=False, proposed_amendment=("ls", "-la"))
    decision = decide_exec(["ls", "-la"], Policy.empty(), AskForApproval.UNTRUSTED, WW)
    assert decision.action is ExecAction.RUN_SANDBOXED


def test_mixed_script_bypasses_sandbox_only_if_every_part_is_allowed_by_rule() -> None:
    policy = _policy('prefix_rule(pattern = ["apple"], decision = "allow")')
    command = ["bash", "-lc", "apple && ls"]
    req = create_exec_approval_requirement(command, policy, AskForApproval.UNTRUSTED, FULL)
    assert req == Skip(bypass_sandbox=False, proposed_amendment=None)


@pytest.mark.parametrize(
    ("approval", "sandbox", "permissions", "command", "expected"),
    [
        (
            AskForApproval.NEVER,
            RO,
            SandboxPermissions.USE_DEFAULT,
            ["cargo", "build"],
            Decision.ALLOW,
        ),
        (
            AskForApproval.ON_FAILURE,
            WW,
            SandboxPermissions.USE_DEFAULT,
            ["cargo", "build"],
            Decision.ALLOW,
        ),
        (
            AskForApproval.UNTRUSTED,
            WW,
            SandboxPermissions.USE_DEFAULT,
            ["cargo", "build"],
            Decision.PROMPT,
        ),
        (AskForApproval.UNTRUSTED, WW, SandboxPermissions.USE_DEFAULT, ["ls"], Decision.ALLOW),
        (
            AskForApproval.ON_REQUEST,
            WW,
            SandboxPermissions.USE_DEFAULT,
            ["cargo", "build"],
            Decision.ALLOW,
        ),
        (AskForApproval.ON_REQUEST, WW, ESCALATED, ["cargo", "build"], Decision.PROMPT),
        (AskForApproval.ON_REQUEST, FULL, ESCALATED, ["cargo", "build"], Decision.ALLOW),
        (
            AskForApproval.NEVER,
            WW,
            SandboxPermissions.USE_DEFAULT,
            ["rm", "-rf", "x"],
            Decision.FORBIDDEN,
        ),
        (
            AskForApproval.NEVER,
            FULL,
            SandboxPermissions.USE_DEFAULT,
            ["rm", "-rf", "x"],
            Decision.ALLOW,
        ),
        (
            AskForApproval.ON_REQUEST,
            FULL,
            SandboxPermissions.USE_DEFAULT,
            ["rm", "-f", "x"],
            Decision.PROMPT,
        ),
        (
            AskForApproval.ON_FAILURE,
            WW,
            SandboxPermissions.USE_DEFAULT,
            ["sudo", "rm", "-rf", "/"],
            Decision.PROMPT,
        ),
    ],
)
def test_unmatched_command_decisions(
    approval: AskForApproval,
    sandbox: SandboxMode,
    permissions: SandboxPermissions,
    command: list[str],
    expected: Decision,
) -> None:
    assert (
        render_decision_for_unmatched_command(approval, sandbox, command, permissions) is expected
    )


@pytest.mark.parametrize("sandbox", [RO, WW, FULL])
def test_force_delete_is_refused_whatever_the_sandbox(sandbox: SandboxMode) -> None:
    command = ["/bin/bash", "-lc", "ls && rm -rf build"]
    decision = decide_exec(
        command, Policy.empty(), AskForApproval.NEVER, sandbox, tool=ShellTool.SHELL
    )
    assert decision.action is ExecAction.REJECT
    assert decision.message == (
        "`/bin/bash -lc 'ls && rm -rf build'` rejected: rm -f style commands are not permitted. "
        "Use a safer approach"
    )


def test_hand_written_allow_rule_licenses_force_delete() -> None:
    policy = _policy('prefix_rule(pattern = ["rm"], decision = "allow")')
    req = create_exec_approval_requirement(["rm", "-f", "x"], policy, AskForApproval.NEVER, RO)
    assert req == Skip(bypass_sandbox=True, proposed_amendment=None)


def test_saved_approval_licenses_force_delete_only_for_its_own_rm_f_prefix() -> None:
    # Lines in exactly the format "always allow" appends are saved approvals.
    broad = _policy('prefix_rule(pattern=["rm"], decision="allow")')
    req = create_exec_approval_requirement(["rm", "-f", "x"], broad, AskForApproval.NEVER, FULL)
    assert req == Forbidden(
        "`rm -f x` rejected: rm -f style commands are not permitted. Use a safer approach"
    )
    exact = _policy('prefix_rule(pattern=["rm", "-f"], decision="allow")')
    req = create_exec_approval_requirement(["rm", "-f", "x"], exact, AskForApproval.NEVER, RO)
    assert req == Skip(bypass_sandbox=True, proposed_amendment=None)


def test_rules_decide_before_the_force_delete_check() -> None:
    forbid = _policy(
        'prefix_rule(pattern = ["rm"], decision = "forbidden", justification = "mine")'
    )
    req = create_exec_approval_requirement(["rm", "-rf", "x"], forbid, AskForApproval.NEVER, FULL)
    assert req == Forbidden("`rm -rf x` rejected: mine")
    prompt = _policy('prefix_rule(pattern = ["rm"], decision = "prompt")')
    req = create_exec_approval_requirement(["rm", "-rf", "x"], prompt, AskForApproval.NEVER, FULL)
    assert req == Forbidden(PROMPT_CONFLICT_REASON)


def test_escalation_outside_on_request_is_rejected() -> None:
    decision = decide_exec(
        ["cargo", "build"], Policy.empty(), AskForApproval.NEVER, WW, sandbox_permissions=ESCALATED
    )
    assert decision.action is ExecAction.REJECT
    assert decision.message == (
        "approval policy is Never; reject command — you cannot ask for escalated "
        "permissions if the approval policy is Never"
    )
    shell = decide_exec(
        ["cargo", "build"],
        Policy.empty(),
        AskForApproval.NEVER,
        WW,
        sandbox_permissions=ESCALATED,
        tool=ShellTool.SHELL,
    )
    assert shell.message == (
        "approval policy is Never; reject command — you should not ask for escalated "
        "permissions if the approval policy is Never"
    )


def test_escalation_under_on_request_asks_the_user() -> None:
    decision = decide_exec(
        ["cargo", "build"],
        Policy.empty(),
        AskForApproval.ON_REQUEST,
        WW,
        sandbox_permissions=ESCALATED,
    )
    assert decision.action is ExecAction.ASK_USER


def test_full_access_runs_unsandboxed() -> None:
    decision = decide_exec(["cargo", "build"], Policy.empty(), AskForApproval.NEVER, FULL)
    assert decision.action is ExecAction.RUN_UNSANDBOXED


def test_enum_values_match_cli_spelling() -> None:
    assert [a.value for a in AskForApproval] == ["untrusted", "on-failure", "on-request", "never"]
    assert [m.value for m in SandboxMode] == ["read-only", "workspace-write", "danger-full-access"]


def test_retry_without_sandbox_only_under_on_failure_and_untrusted() -> None:
    assert [wants_no_sandbox_approval(a) for a in AskForApproval] == [True, True, False, False]
