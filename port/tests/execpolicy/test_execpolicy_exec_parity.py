"""Approval decisions against the Rust binary itself: ``codex exec`` runs scripted ``exec_command``
calls (the model is a scripted server on 127.0.0.1) and we compare what it sends back to the
model with what ``decide_exec`` says. ``codex exec`` forces the ``never`` approval policy.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from execpolicy_oracle import rust_binary
from pycodex.execpolicy import (
    AskForApproval,
    ExecAction,
    SandboxMode,
    SandboxPermissions,
    decide_exec,
    parse_policy,
)
from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_function_call,
    ev_response_created,
)
from pycodex.testing.rust_oracle import oracle_home_root

RULES = """
prefix_rule(pattern = ["git", "push"], decision = "prompt", justification = "pushes code")
prefix_rule(pattern = ["curl"], decision = "forbidden", justification = "no network")
prefix_rule(pattern = ["echo", "forbidden"], decision = "forbidden")
prefix_rule(pattern = ["env"], decision = "allow")
prefix_rule(pattern=["rm"], decision="allow")
prefix_rule(pattern=["rm", "-rf", "build"], decision="allow")
"""

# (script given to exec_command, sandbox mode, extra tool arguments)
SCENARIOS: list[tuple[str, str, dict[str, str]]] = [
    ("git push origin main", "read-only", {}),
    ("curl https://example.com", "workspace-write", {}),
    ("true && echo forbidden now", "read-only", {}),
    ("rm -rf build", "read-only", {}),
    ("rm -rf other", "danger-full-access", {}),
    ("env rm -f other", "workspace-write", {}),
    ("ls && sudo rm -f x", "read-only", {}),
    ("echo $(rm -rf x)", "danger-full-access", {}),
    (
        "cargo --version",
        "read-only",
        {"sandbox_permissions": "require_escalated", "justification": "x"},
    ),
    ("ls -la", "read-only", {}),
    ("rm -r nothing-here", "workspace-write", {}),
]


def _login_shell() -> str:
    shell = pwd.getpwuid(os.getuid()).pw_shell
    if os.path.basename(shell) not in ("bash", "zsh", "sh"):
        pytest.skip(f"login shell {shell} is not bash/zsh/sh")
    return shell


def _run_codex_exec(script: str, sandbox: str, extra: dict[str, str]) -> str:
    binary = rust_binary()
    call = json.dumps({"cmd": script, **extra})
    home = Path(tempfile.mkdtemp(prefix="execpolicy-", dir=oracle_home_root()))
    work = home / "work"
    work.mkdir()
    try:
        (home / "rules").mkdir()
        (home / "rules" / "default.rules").write_text(RULES, encoding="utf-8")
        with MockResponsesServer(
            [
                ScriptedResponse.sse(
                    [
                        ev_response_created("r1"),
                        ev_function_call("c1", "exec_command", call),
                        ev_completed("r1"),
                    ]
                ),
                ScriptedResponse.sse(
                    [
                        ev_response_created("r2"),
                        ev_assistant_message("m1", "done"),
                        ev_completed("r2"),
                    ]
                ),
            ]
        ) as server:
            (home / "config.toml").write_text(
                f'model = "gpt-5.5"\nmodel_provider = "mock"\nsandbox_mode = "{sandbox}"\n'
                f'[model_providers.mock]\nname = "mock"\nbase_url = "{server.base_url}"\n'
                'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n',
                encoding="utf-8",
            )
            env = {
                **os.environ,
                "CODEX_HOME": str(home),
                "MOCK_API_KEY": "test",
                "RUST_BACKTRACE": "0",
            }
            proc = subprocess.run(
                [str(binary), "exec", "--json", "--skip-git-repo-check", "-C", str(work), "go"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            requests = server.model_requests()
            if proc.returncode != 0 or len(requests) < 2:
                pytest.skip(
                    f"codex exec did not complete a turn (exit {proc.returncode}): {proc.stderr[-300:]}"
                )
            output = requests[1].function_call_output_text("c1")
            assert output is not None
            return output
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("script", "sandbox", "extra"), SCENARIOS, ids=[s for s, _, _ in SCENARIOS]
)
def test_decide_exec_matches_codex_exec(script: str, sandbox: str, extra: dict[str, str]) -> None:
    command = [_login_shell(), "-lc", script]
    permissions = SandboxPermissions(extra.get("sandbox_permissions", "use_default"))
    ours = decide_exec(
        command,
        parse_policy("default.rules", RULES),
        AskForApproval.NEVER,
        SandboxMode(sandbox),
        sandbox_permissions=permissions,
    )
    theirs = _run_codex_exec(script, sandbox, extra)
    if ours.action is ExecAction.REJECT:
        assert theirs == ours.message
    else:
        assert ours.action in (ExecAction.RUN_SANDBOXED, ExecAction.RUN_UNSANDBOXED)
        assert theirs.startswith("Chunk ID: "), theirs
