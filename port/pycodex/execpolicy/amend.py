"""Append approved rules to a rules file (``$CODEX_HOME/rules/default.rules``).

When the user answers "always allow", upstream appends one
``prefix_rule(pattern=[...], decision="allow")`` line. The Rust binary may share the
same ``CODEX_HOME``, so this follows its protocol exactly: take an exclusive
``flock`` on the file, skip the line if it is already present, and append in place.
(A temp-file-and-rename would let a writer blocked on the old inode append to an
unlinked file and lose its rule; a single appended line under the lock cannot tear.)
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Sequence
from pathlib import Path

from pycodex.execpolicy.decision import Decision
from pycodex.execpolicy.errors import PolicyError
from pycodex.execpolicy.rules import NetworkRuleProtocol, normalize_network_rule_host


# ferry: codex_execpolicy::amend::AmendError @ 1d092cb66
class AmendError(Exception):
    """The rule could not be appended; the message names the file and the cause."""


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


# ferry: codex_execpolicy::amend::blocking_append_allow_prefix_rule @ 1d092cb66 -- the rule line it builds
def allow_prefix_rule_line(prefix: Sequence[str]) -> str:
    if not prefix:
        raise AmendError("prefix rule requires at least one token")
    pattern = "[" + ", ".join(_quote(t) for t in prefix) + "]"
    return f'prefix_rule(pattern={pattern}, decision="allow")'


# ferry: codex_execpolicy::amend::blocking_append_network_rule @ 1d092cb66 -- the rule line it builds
def network_rule_line(
    host: str,
    protocol: NetworkRuleProtocol,
    decision: Decision,
    justification: str | None = None,
) -> str:
    try:
        normalized = normalize_network_rule_host(host)
    except PolicyError as exc:
        raise AmendError(f"invalid network rule: {exc}") from None
    if justification is not None and not justification.strip():
        raise AmendError("invalid network rule: justification cannot be empty")
    spelled = {Decision.ALLOW: "allow", Decision.PROMPT: "prompt", Decision.FORBIDDEN: "deny"}
    args = [
        f"host={_quote(normalized)}",
        f"protocol={_quote(protocol.value)}",
        f"decision={_quote(spelled[decision])}",
    ]
    if justification is not None:
        args.append(f"justification={_quote(justification)}")
    return f"network_rule({', '.join(args)})"


# ferry: codex_execpolicy::amend::append_rule_line @ 1d092cb66
# ferry: codex_execpolicy::amend::append_locked_line @ 1d092cb66
def append_rule_line(policy_path: Path, line: str) -> None:
    """Append ``line`` once (no duplicate lines), creating the rules folder if needed."""
    directory = policy_path.parent
    try:
        directory.mkdir(exist_ok=True)
    except OSError as exc:
        raise AmendError(f"failed to create policy directory {directory}: {exc}") from exc
    try:
        fd = os.open(policy_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError as exc:
        raise AmendError(f"failed to open policy file {policy_path}: {exc}") from exc
    with os.fdopen(fd, "r+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except OSError as exc:
            raise AmendError(f"failed to lock policy file {policy_path}: {exc}") from exc
        try:
            handle.seek(0)
            contents = handle.read().decode("utf-8")
            if line in contents.splitlines():
                return
            prefix = "\n" if contents and not contents.endswith("\n") else ""
            handle.write(f"{prefix}{line}\n".encode())
            handle.flush()
            os.fsync(handle.fileno())
        except (OSError, UnicodeDecodeError) as exc:
            raise AmendError(f"failed to write to policy file {policy_path}: {exc}") from exc


# ferry: codex_execpolicy::amend::blocking_append_allow_prefix_rule @ 1d092cb66
def append_allow_prefix_rule(policy_path: Path, prefix: Sequence[str]) -> None:
    """Persist "always allow commands starting with ``prefix``"."""
    append_rule_line(policy_path, allow_prefix_rule_line(prefix))


# ferry: codex_execpolicy::amend::blocking_append_network_rule @ 1d092cb66
def append_network_rule(
    policy_path: Path,
    host: str,
    protocol: NetworkRuleProtocol,
    decision: Decision,
    justification: str | None = None,
) -> None:
    append_rule_line(policy_path, network_rule_line(host, protocol, decision, justification))
