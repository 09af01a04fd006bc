"""The ``<permissions instructions>`` developer message (sandbox mode, approvals, writable roots)."""

from __future__ import annotations

from pathlib import Path

from pycodex.config.model import ApprovalPolicy, SandboxSettings
from pycodex.sandbox_roots import effective_writable_roots

_SANDBOX_TEXT = {
    "read-only": "Filesystem sandboxing defines which files can be read or written. `sandbox_mode` is `read-only`: The sandbox only permits reading files. Network access is {network}.",
    "workspace-write": "Filesystem sandboxing defines which files can be read or written. `sandbox_mode` is `workspace-write`: The sandbox permits reading files, and editing files in `cwd` and `writable_roots`. Editing files in other directories requires approval. Network access is {network}.",
    "danger-full-access": "Filesystem sandboxing defines which files can be read or written. `sandbox_mode` is `danger-full-access`: No filesystem sandboxing - all commands are permitted. Network access is {network}.",
}

_APPROVAL_TEXT = {
    "never": "Approval policy is currently never. Do not provide the `sandbox_permissions` for any reason, commands will be rejected.",
    "on-failure": "Approvals are your mechanism to get user consent to run shell commands without the sandbox. `approval_policy` is `on-failure`: The harness will allow all commands to run in the sandbox (if enabled), and failures will be escalated to the user for approval to run again without the sandbox.",
    "untrusted": " `approval_policy` is `unless-trusted`: The harness will require user approval before running commands unless an explicit exec policy rule allows them.",
}


def _approval_text(approval: ApprovalPolicy) -> str:
    """The approval half of the message; ``on-request`` is upstream's long template, shipped
    as ``approval_on_request.md`` (codex 0.169.0 sends it verbatim)."""
    if approval == "on-request":
        from importlib import resources

        text = (
            resources.files("pycodex.prompt")
            .joinpath("approval_on_request.md")
            .read_text(encoding="utf-8")
        )
        return text.rstrip("\n")
    return _APPROVAL_TEXT[approval]


# ferry: codex_protocol::protocol::SandboxPolicy::has_full_network_access @ 1d092cb66
def network_enabled(sandbox: SandboxSettings) -> bool:
    if sandbox.mode == "danger-full-access":
        return True
    return sandbox.mode == "workspace-write" and sandbox.network_access


# ferry: codex_core::context::permissions_instructions::PermissionsInstructions::from_policy @ 1d092cb66
# ferry: codex_core::context::permissions_instructions::PermissionsInstructions::body @ 1d092cb66
def permissions_text(sandbox: SandboxSettings, approval: ApprovalPolicy, cwd: Path) -> str:
    network = "enabled" if network_enabled(sandbox) else "restricted"
    text = _SANDBOX_TEXT[sandbox.mode].format(network=network)
    text += "\n" + _approval_text(approval)
    if sandbox.mode == "workspace-write":
        roots = [f"`{root}`" for root in effective_writable_roots(sandbox, cwd)]
        if len(roots) == 1:
            text += f"\n The writable root is {roots[0]}."
        elif roots:
            text += f"\n The writable roots are {', '.join(roots)}."
    if not text.endswith("\n"):
        text += "\n"
    return f"<permissions instructions>\n{text}</permissions instructions>"
