"""The settings an approval decision depends on: approval policy, sandbox mode, tool."""

from __future__ import annotations

import enum


# ferry: codex_protocol::protocol::AskForApproval @ 1d092cb66
class AskForApproval(enum.Enum):
    """When the user is asked before a command runs (``--ask-for-approval``)."""

    UNTRUSTED = "untrusted"
    ON_FAILURE = "on-failure"
    ON_REQUEST = "on-request"
    NEVER = "never"

    # ferry: codex_protocol::protocol::AskForApproval @ 1d092cb66 -- its derived Debug spelling
    @property
    def debug_name(self) -> str:
        """Rust's ``Debug`` spelling, which appears in messages sent to the model."""
        return {
            AskForApproval.UNTRUSTED: "UnlessTrusted",
            AskForApproval.ON_FAILURE: "OnFailure",
            AskForApproval.ON_REQUEST: "OnRequest",
            AskForApproval.NEVER: "Never",
        }[self]


# ferry: codex_protocol::config_types::SandboxMode @ 1d092cb66
class SandboxMode(enum.Enum):
    READ_ONLY = "read-only"
    WORKSPACE_WRITE = "workspace-write"
    DANGER_FULL_ACCESS = "danger-full-access"

    # ferry: codex_protocol::config_types::SandboxMode @ 1d092cb66 -- every mode but DangerFullAccess
    @property
    def restricted(self) -> bool:
        return self is not SandboxMode.DANGER_FULL_ACCESS


# ferry: codex_protocol::models::SandboxPermissions @ 1d092cb66
class SandboxPermissions(enum.Enum):
    """What the model asked for on this call (``sandbox_permissions`` tool argument)."""

    USE_DEFAULT = "use_default"
    REQUIRE_ESCALATED = "require_escalated"
    WITH_ADDITIONAL_PERMISSIONS = "with_additional_permissions"

    # ferry: codex_protocol::models::SandboxPermissions::requests_sandbox_override @ 1d092cb66
    @property
    def requests_override(self) -> bool:
        return self is not SandboxPermissions.USE_DEFAULT

    # ferry: codex_protocol::models::SandboxPermissions::requires_escalated_permissions @ 1d092cb66
    @property
    def requires_escalation(self) -> bool:
        return self is SandboxPermissions.REQUIRE_ESCALATED


# ferry: port-only -- port-only: which model-facing shell tool asked (upstream has one handler type per tool)
class ShellTool(enum.Enum):
    """The model-facing tool that asked to run the command; rejections are worded per tool."""

    #: ``exec_command`` (unified exec), the shell tool of 0.169 models.
    EXEC_COMMAND = "exec_command"
    #: The older ``shell`` tool taking an argv.
    SHELL = "shell"
