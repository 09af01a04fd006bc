"""Shell snapshots: a login shell's state, captured once per session and reused by commands.

Starting a login shell for every command is slow and re-reads the profile each time, so
codex runs the user's login shell once when a session starts, dumps its functions, ``set -o``
options, aliases and exported variables into ``$CODEX_HOME/shell_snapshots/<thread>.<ns>.sh``,
and then runs each ``<shell> -lc SCRIPT`` of the session as a *non-login* shell that
sources the snapshot first::

    <user shell> -c "if . 'SNAPSHOT' >/dev/null 2>&1; then :; fi
    exec '<shell>' -c 'SCRIPT'"

The model still sees ``/bin/bash -lc SCRIPT`` as the command; what it observes is a
non-login shell (``shopt login_shell`` is off) with the login environment. Only commands
in the session's cwd use the snapshot (``workdir`` elsewhere runs the login shell itself),
and the file is removed when the session ends.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pycodex.shell import Shell

SNAPSHOT_DIR = "shell_snapshots"
SNAPSHOT_TIMEOUT_S = 10.0
MARKER = "# Snapshot file"
#: variables that describe where the snapshot was taken, not the environment to restore.
EXCLUDED_EXPORTS = ("PWD", "OLDPWD")
#: variables the session sets for its commands that must survive sourcing the snapshot.
RUNTIME_VARS = ("CODEX_THREAD_ID",)

# What a sourced snapshot must restore: no aliases first (they could shadow functions), then
# functions, the options that are on, aliases, and the exported variables (all but
# EXCLUDED_EXPORTS, and only names a shell can assign).
_BASH_SCRIPT = r"""[ -z "$BASH_ENV" ] && [ -r "$HOME/.bashrc" ] && . "$HOME/.bashrc"
echo '# Snapshot file'
echo 'unalias -a 2>/dev/null || true'
declare -f
set -o | while read -r opt state; do
  [ "$state" = on ] && printf 'set -o %s\n' "$opt"
done
alias -p
for name in $(compgen -e); do
  case "$name" in EXCLUDED_EXPORTS) continue ;; esac
  [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
  declare -xp "$name" 2>/dev/null
done
true
"""

_SH_SCRIPT = r"""[ -n "$ENV" ] && [ -r "$ENV" ] && . "$ENV"
echo '# Snapshot file'
echo 'unalias -a 2>/dev/null || true'
set -o 2>/dev/null | awk '$2 == "on" { print "set -o " $1 }'
alias 2>/dev/null
export -p | awk '{
  name = $0
  sub(/^(export|declare -x|typeset -x) /, "", name)
  sub(/=.*/, "", name)
  if (name !~ /^(EXCLUDED_EXPORTS)$/ && name ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print
}'
true
"""


def _script(shell: Shell) -> str | None:
    excluded = "|".join(EXCLUDED_EXPORTS)
    if shell.name == "bash":
        return _BASH_SCRIPT.replace("EXCLUDED_EXPORTS", excluded)
    if shell.name == "sh":
        return _SH_SCRIPT.replace("EXCLUDED_EXPORTS", excluded)
    return None


def _run(shell: Shell, script: str, cwd: Path, *, login: bool) -> str | None:
    """Run ``script`` detached from any terminal; its stdout, or ``None`` if it failed."""
    try:
        proc = subprocess.run(
            [shell.path, "-lc" if login else "-c", script],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=SNAPSHOT_TIMEOUT_S,
            start_new_session=True,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace")


def _quote(text: str) -> str:
    return text.replace("'", "'\"'\"'")


# ferry: codex_core::shell_snapshot::ShellSnapshot @ 1d092cb66
@dataclass
class ShellSnapshot:
    """One session's snapshot file and the cwd it was taken in."""

    path: Path
    cwd: Path
    shell: Shell

    # ferry: codex_core::shell_snapshot::ShellSnapshot::try_new @ 1d092cb66
    @classmethod
    def create(
        cls, codex_home: Path, thread_id: str, cwd: Path, shell: Shell
    ) -> ShellSnapshot | None:
        """Capture the login shell's state; ``None`` when the shell cannot be snapshotted."""
        script = _script(shell)
        if script is None:
            return None
        raw = _run(shell, script, cwd, login=True)
        if raw is None or MARKER not in raw:
            return None
        snapshot = raw[raw.index(MARKER) :]
        nonce = time.time_ns()
        directory = codex_home / SNAPSHOT_DIR
        temp = directory / f"{thread_id}.tmp-{nonce}"
        final = directory / f"{thread_id}.{nonce}.sh"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            temp.write_text(snapshot, encoding="utf-8")
        except OSError:
            return None
        if _run(shell, f'set -e; . "{temp}"', cwd, login=False) is None:
            temp.unlink(missing_ok=True)
            return None
        try:
            os.replace(temp, final)
        except OSError:
            temp.unlink(missing_ok=True)
            return None
        return cls(final, cwd, shell)

    # ferry: codex_core::tools::runtimes::maybe_wrap_shell_lc_with_snapshot @ 1d092cb66
    def wrap(self, argv: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
        """``[shell, -lc, script, ...]`` in the snapshot's cwd becomes a non-login shell that
        sources the snapshot and then execs the original shell with ``-c``."""
        if len(argv) < 3 or argv[1] != "-lc" or not self.path.exists():
            return argv
        if os.path.normpath(cwd) != os.path.normpath(self.cwd):
            return argv
        trailing = "".join(f" '{_quote(arg)}'" for arg in argv[3:])
        source = f"if . '{_quote(str(self.path))}' >/dev/null 2>&1; then :; fi"
        run = f"exec '{_quote(argv[0])}' -c '{_quote(argv[2])}'{trailing}"
        keys = sorted(k for k in RUNTIME_VARS if k in env)
        if not keys:
            return [self.shell.path, "-c", f"{source}\n\n{run}"]
        prefix = "__CODEX_SNAPSHOT_OVERRIDE"
        captures = "\n".join(
            f'{prefix}_SET_{i}="${{{k}+x}}"\n{prefix}_{i}="${{{k}-}}"' for i, k in enumerate(keys)
        )
        restores = "\n".join(
            f'if [ -n "${{{prefix}_SET_{i}}}" ]; then export {k}="${{{prefix}_{i}}}"; '
            f"else unset {k}; fi"
            for i, k in enumerate(keys)
        )
        return [self.shell.path, "-c", f"{captures}\n\n{source}\n\n{restores}\n\n{run}"]

    # ferry: codex_core::shell_snapshot::ShellSnapshot::drop @ 1d092cb66
    def remove(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            return
