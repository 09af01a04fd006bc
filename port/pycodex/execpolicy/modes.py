"""The settings an approval decision depends on: approval policy, sandbox mode, tool."""

from __future__ import annotations

import enum


class AskForApproval(enum.Enum):
    """When the user is asked before a command runs (``--ask-for-approval``)."""

    UNTRUSTED = "untrusted"
    ON_FAILURE = "on-failure"
    ON_REQUEST = "on-request"
    NEVER = "never"

    @property
    def debug_name(self) -> str:
        """Rust's ``Debug`` spelling, which appears in messages sent to the model."""
        return {
            AskForApproval.UNTRUSTED: "UnlessTrusted",
            AskForApproval.ON_FAILURE: "OnFailure",
            AskForApproval.ON_REQUEST: "OnRequest",
            AskForApproval.NEVER: "Never",
        }[self]


class SandboxMode(enum.Enum):
    READ_ONLY = "read-only"
    WORKSPACE_WRITE = "workspace-write"
    DANGER_FULL_ACCESS = "danger-full-access"

    @property
    def restricted(self) -> bool:
        return self is not SandboxMode.DANGER_FULL_ACCESS


class SandboxPermissions(enum.Enum):
    """What the model asked for on this call (``sandbox_permissions`` tool argument)."""

    USE_DEFAULT = "use_default"
    REQUIRE_ESCALATED = "require_escalated"
    WITH_ADDITIONAL_PERMISSIONS = "with_additional_permissions"

    @property
    def requests_override(self) -> bool:
        return self is not SandboxPermissions.USE_DEFAULT

    @property
    def requires_escalation(self) -> bool:
        return self is SandboxPermissions.REQUIRE_ESCALATED


class ShellTool(enum.Enum):
    """The model-facing tool that asked to run the command; rejections are worded per tool."""

    #: ``exec_command`` (unified exec), the shell tool of 0.169 models.
    EXEC_COMMAND = "exec_command"
    #: The older ``shell`` tool taking an argv.
    SHELL = "shell"
