"""AGENTS.md discovery and the permissions text."""

from __future__ import annotations

from pathlib import Path

from pycodex.config.model import SandboxSettings
from pycodex.prompt.agents_md import user_instructions
from pycodex.prompt.permissions import permissions_text


def test_agents_md_from_root_to_cwd_with_override_and_cap(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "AGENTS.md").write_text("root doc")
    nested = repo / "a" / "b"
    nested.mkdir(parents=True)
    (repo / "a" / "AGENTS.md").write_text("a doc")
    (repo / "a" / "AGENTS.override.md").write_text("a override")
    (nested / "AGENTS.md").write_text("b doc")
    text = user_instructions(home, nested, ["AGENTS.md"], [".git"], 32 * 1024)
    assert text == "root doc\n\na override\n\nb doc"
    assert user_instructions(home, nested, ["AGENTS.md"], [".git"], 12) == "root doc\n\na ov"
    assert user_instructions(home, nested, ["AGENTS.md"], [".git"], 0) is None


def test_agents_md_fallback_names_and_no_repo(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "CLAUDE.md").write_text("fallback")
    assert user_instructions(home, plain, ["AGENTS.md", "CLAUDE.md"], [".git"], 1000) == "fallback"
    assert user_instructions(home, plain, ["AGENTS.md"], [".git"], 1000) is None


def test_permissions_text_for_each_mode(tmp_path: Path, monkeypatch: object) -> None:
    ro = permissions_text(SandboxSettings(mode="read-only"), "never", tmp_path)
    assert ro == (
        "<permissions instructions>\nFilesystem sandboxing defines which files can be read or written. "
        "`sandbox_mode` is `read-only`: The sandbox only permits reading files. Network access is restricted.\n"
        "Approval policy is currently never. Do not provide the `sandbox_permissions` for any reason, commands will be rejected.\n"
        "</permissions instructions>"
    )
    ww = permissions_text(
        SandboxSettings(mode="workspace-write", network_access=True, exclude_tmpdir_env_var=True),
        "never",
        tmp_path,
    )
    assert "Network access is enabled." in ww
    assert (
        f"The writable roots are `/tmp`, `{tmp_path}`." in ww
        or f"The writable roots are `{tmp_path}`, `/tmp`." in ww
    )
    full = permissions_text(SandboxSettings(mode="danger-full-access"), "never", tmp_path)
    assert (
        "No filesystem sandboxing - all commands are permitted. Network access is enabled." in full
    )
