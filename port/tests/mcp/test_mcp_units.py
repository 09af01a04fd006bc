"""MCP config parsing, tool_search ranking and the ``pycodex mcp`` CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pycodex.errors import ConfigError
from pycodex.mcp.config import parse_servers
from pycodex.tools.bm25 import tokenize
from pycodex.tools.tool_search import (
    ToolSearch,
    deferred_mcp_tool,
    mcp_namespace,
    multi_agent_entries,
    tools_fragment,
)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"x": {"args": []}}, "set `command` (stdio) or `url`"),
        ({"x": {"command": "a", "url": "http://h"}}, "cannot both be set"),
        ({"x": {"command": "a", "args": "b"}}, "mcp_servers.x.args: expected a list of strings"),
        ({"x": {"command": "a", "env": {"K": 1}}}, "mcp_servers.x.env.K: expected a string"),
        ({"x": {"url": "http://h", "cwd": "/"}}, "mcp_servers.x.cwd: only valid for stdio"),
        ({"x": {"command": "a", "startup_timeout_sec": -1}}, "non-negative number"),
        ({"x": {"command": "a", "required": "yes"}}, "mcp_servers.x.required: expected true"),
        ({"x": "nope"}, "mcp_servers.x: expected a table"),
    ],
)
def test_bad_server_tables_are_rejected(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_servers(table)


def test_tool_filters_and_defaults() -> None:
    server = parse_servers(
        {"s": {"command": "a", "enabled_tools": ["x", "y"], "disabled_tools": ["y"]}}
    )["s"]
    assert server.allows_tool("x") and not server.allows_tool("y") and not server.allows_tool("z")
    assert server.startup_timeout == 10.0 and server.tool_timeout == 60.0
    assert (
        parse_servers({"s": {"command": "a", "startup_timeout_ms": 2500}})["s"].startup_timeout
        == 2.5
    )


def test_tokenizer_matches_the_bm25_crate() -> None:
    # underscores join words (UAX #29), NLTK stop words go, Snowball stems remain
    assert tokenize("spawn_agent: Spawning the sub-agents, you're 3.14") == [
        "spawn_ag",
        "spawn",
        "sub",
        "agent",
        "3.14",
    ]


def test_multi_agent_search_ranks_as_codex() -> None:
    search = ToolSearch(multi_agent_entries())

    def names(query: str, limit: int | None = None) -> list[str]:
        return [t["name"] for ns in search.search(query, limit) for t in ns["tools"]]

    # orders observed from codex 0.169.0
    assert names("wait") == ["wait_agent"]
    assert names("final status") == ["wait_agent", "close_agent"]
    assert names("resume closed") == ["resume_agent", "close_agent"]
    assert names("agent", 1) == ["spawn_agent"]
    assert names("nothing here") == []
    with pytest.raises(ValueError, match="query must not be empty"):
        search.search("  ", None)
    with pytest.raises(ValueError, match="limit must be greater than zero"):
        search.search("wait", 0)


def test_names_schemas_and_fragment() -> None:
    assert mcp_namespace("Weird-Name.x") == "mcp__Weird_Name_x"
    tool = deferred_mcp_tool(
        {
            "name": "echo",
            "description": "Echo.",
            "inputSchema": {
                "type": "object",
                "title": "echoArguments",
                "properties": {"text": {"type": "string", "title": "Text"}},
                "required": ["text"],
            },
        }
    )
    assert tool["parameters"] == {
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
    }
    assert tools_fragment({"multi_agent_v1": "Sub-agents.", "mcp__b": None, "mcp__A": "x"}) == (
        "<tools>\nDeferred tool namespaces:\n- mcp__A: x\n- mcp__b\n- multi_agent_v1: Sub-agents.\n</tools>"
    )
    assert tools_fragment({}) is None


def _pycodex(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CODEX_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-c", "from pycodex._entry import main; main()", "mcp", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_mcp_cli_add_list_get_remove(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert _pycodex(home, "list").stdout.startswith("No MCP servers configured yet.")
    added = _pycodex(home, "add", "fix", "--env", "A=1", "--", "python3", "-m", "fixture")
    assert added.stdout == "Added global MCP server 'fix'.\n"
    listed = json.loads(_pycodex(home, "list", "--json").stdout)
    assert listed[0]["transport"] == {
        "type": "stdio",
        "command": "python3",
        "args": ["-m", "fixture"],
        "env": {"A": "1"},
        "env_vars": [],
        "cwd": None,
    }
    assert "  env: A=*****" in _pycodex(home, "get", "fix").stdout
    missing = _pycodex(home, "get", "nope")
    assert missing.returncode == 1 and "No MCP server named 'nope' found." in missing.stderr
    bad = _pycodex(home, "add", "bad name", "--", "x")
    assert bad.returncode == 1 and "invalid server name 'bad name'" in bad.stderr
    assert _pycodex(home, "add", "nocmd").returncode == 2
    assert _pycodex(home, "remove", "fix").stdout == "Removed global MCP server 'fix'.\n"
    assert "mcp_servers" not in (home / "config.toml").read_text()
