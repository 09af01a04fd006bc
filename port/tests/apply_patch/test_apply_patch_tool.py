"""The ``apply_patch`` tool definition sent to the model."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import uuid

import pytest
from pycodex.apply_patch import APPLY_PATCH_LARK_GRAMMAR, APPLY_PATCH_TOOL, apply_patch_tool

EXPECTED_GRAMMAR = """start: begin_patch hunk+ end_patch
begin_patch: "*** Begin Patch" LF
end_patch: "*** End Patch" LF?

hunk: add_hunk | delete_hunk | update_hunk
add_hunk: "*** Add File: " filename LF add_line+
delete_hunk: "*** Delete File: " filename LF
update_hunk: "*** Update File: " filename LF change_move? change?

filename: /(.+)/
add_line: "+" /(.*)/ LF -> line

change_move: "*** Move to: " filename LF
change: (change_context | change_line)+ eof_line?
change_context: ("@@" | "@@ " /(.+)/) LF
change_line: ("+" | "-" | " ") /(.*)/ LF
eof_line: "*** End of File" LF

%import common.LF
"""


def test_tool_definition_shape() -> None:
    assert APPLY_PATCH_TOOL == {
        "type": "custom",
        "name": "apply_patch",
        "description": "The `apply_patch` tool can be used to edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.",
        "format": {"type": "grammar", "syntax": "lark", "definition": EXPECTED_GRAMMAR},
    }
    assert list(APPLY_PATCH_TOOL) == ["type", "name", "description", "format"]
    assert list(APPLY_PATCH_TOOL["format"]) == ["type", "syntax", "definition"]
    assert APPLY_PATCH_LARK_GRAMMAR == EXPECTED_GRAMMAR


def test_apply_patch_tool_returns_a_fresh_copy() -> None:
    copy = apply_patch_tool()
    copy["format"]["definition"] = "x"
    assert APPLY_PATCH_TOOL["format"]["definition"] == EXPECTED_GRAMMAR


def test_json_serialisation_matches_the_rust_wire_form() -> None:
    # serde_json keeps field order; the grammar travels as one string.
    text = json.dumps(APPLY_PATCH_TOOL, separators=(",", ":"))
    assert text.startswith('{"type":"custom","name":"apply_patch","description":')


@pytest.mark.oracle
def test_tool_matches_what_the_rust_binary_sends() -> None:
    from pycodex.testing import (
        MockResponsesServer,
        ev_assistant_message,
        ev_completed,
        ev_response_created,
        sse,
    )
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

    try:
        codex = codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"Rust oracle unavailable: {exc}")
    body = sse([ev_response_created("r1"), ev_assistant_message("m1", "done"), ev_completed("r1")])
    with MockResponsesServer([body]) as server:
        home = oracle_home_root() / f"apply-patch-tool-{uuid.uuid4().hex[:8]}"
        home.mkdir(parents=True)
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
            f'base_url = "{server.base_url}"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
        )
        with tempfile.TemporaryDirectory() as ws:
            env = dict(os.environ, CODEX_HOME=str(home), MOCK_API_KEY="x")
            subprocess.run(
                [str(codex), "exec", "--skip-git-repo-check", "--json", "hi"],
                cwd=ws,
                env=env,
                capture_output=True,
                timeout=180,
                stdin=subprocess.DEVNULL,
                check=True,
            )
        requests = server.model_requests()
    assert requests, "the Rust binary sent no model request"
    tools = requests[0].json()["tools"]
    (tool,) = [t for t in tools if t.get("name") == "apply_patch"]
    assert tool == APPLY_PATCH_TOOL
    assert json.dumps(tool) == json.dumps(APPLY_PATCH_TOOL)
