"""The ``<environment_context>`` user message: cwd, shell, date, timezone and filesystem view."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from pycodex.config.model import SandboxSettings
from pycodex.sandbox_roots import PROTECTED_SUBDIRS


def _timezone_name() -> str:
    tz = os.environ.get("TZ")
    if tz:
        return tz.lstrip(":")
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            name = link.split("zoneinfo/", 1)[1]
            return "Etc/UTC" if name == "UTC" else name
    except OSError:
        pass
    return "Etc/UTC"


def _filesystem(sandbox: SandboxSettings, cwd: Path) -> str:
    roots = [cwd, *sandbox.writable_roots] if sandbox.mode == "workspace-write" else [cwd]
    workspace_roots = "".join(f"<root>{root}</root>" for root in roots)
    workspace = f"<workspace_roots>{workspace_roots}</workspace_roots>"
    if sandbox.mode == "danger-full-access":
        profile = '<permission_profile type="disabled"><file_system type="unrestricted" /></permission_profile>'
        return f"<filesystem>{workspace}{profile}</filesystem>"
    entries = ['<entry access="read"><special>:root</special></entry>']
    if sandbox.mode == "workspace-write":
        entries.extend(f'<entry access="write"><path>{root}</path></entry>' for root in roots)
        if not sandbox.exclude_slash_tmp:
            entries.append('<entry access="write"><special>:slash_tmp</special></entry>')
        if not sandbox.exclude_tmpdir_env_var:
            entries.append('<entry access="write"><special>:tmpdir</special></entry>')
        entries.extend(
            f'<entry access="read"><path>{root / sub}</path></entry>'
            for sub in PROTECTED_SUBDIRS
            for root in roots
        )
    profile = (
        '<permission_profile type="managed"><file_system type="restricted">'
        + "".join(entries)
        + "</file_system></permission_profile>"
    )
    return f"<filesystem>{workspace}{profile}</filesystem>"


# ferry: codex_core::context::environment_context::EnvironmentContext::body @ 1d092cb66
def environment_context_text(
    cwd: Path, sandbox: SandboxSettings, shell: str = "bash", today: dt.date | None = None
) -> str:
    date = (today or dt.date.today()).isoformat()
    lines = [
        "<environment_context>",
        f"  <cwd>{cwd}</cwd>",
        f"  <shell>{shell}</shell>",
        f"  <current_date>{date}</current_date>",
        f"  <timezone>{_timezone_name()}</timezone>",
        f"  {_filesystem(sandbox, cwd)}",
        "</environment_context>",
    ]
    return "\n".join(lines)
