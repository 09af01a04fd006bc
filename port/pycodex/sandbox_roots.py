"""The sandbox policy of a run, shared by the prompt (which describes it) and the tools (which run under it)."""

from __future__ import annotations

from pathlib import Path

from pycodex.config.model import SandboxSettings
from pycodex.sandbox import SandboxPolicy

#: Sub-directories of every writable root that stay read-only (as upstream).
PROTECTED_SUBDIRS = (".git", ".agents", ".codex", ".aws")


# ferry: codex_core::config::Config::load_config_with_layer_stack @ 1d092cb66 -- the sandbox policy it derives from the settings
def sandbox_policy(sandbox: SandboxSettings) -> SandboxPolicy:
    """The sandbox policy for the configured settings (what commands actually run under)."""
    return SandboxPolicy.from_config(
        sandbox.mode,
        {
            "network_access": sandbox.network_access,
            "exclude_tmpdir_env_var": sandbox.exclude_tmpdir_env_var,
            "exclude_slash_tmp": sandbox.exclude_slash_tmp,
        },
        add_dirs=sandbox.writable_roots,
    )


# ferry: codex_protocol::protocol::SandboxPolicy::get_writable_roots_with_cwd @ 1d092cb66 -- as the permissions prompt lists them
def effective_writable_roots(sandbox: SandboxSettings, cwd: Path) -> list[Path]:
    """The roots the sandbox makes writable for ``cwd``, sorted, as the model is told them."""
    return sorted({root.root for root in sandbox_policy(sandbox).writable_roots_for(cwd)})
