"""A small MCP server for tests and parity scenarios, written with the official ``mcp`` SDK.

Both the Rust ``codex`` and ``pycodex`` start it as an ordinary stdio server
(``python -m pycodex.testing.mcp_fixture``) or reach it over streamable HTTP
(``--http PORT``), so a scenario exercises the same server from both clients.

Tools: ``echo`` (read-only), ``shout`` (plain text result), ``add`` (structured result), ``fail`` (an error
result), ``write_note`` (writes a file; no read-only hint), ``whereami`` (cwd and
one environment variable), ``pixel`` (an image). Resources: ``fixture://readme``
and the template ``fixture://notes/{name}``.

Flags: ``--name NAME`` (server name), ``--exit-at-start`` (exit 3 before speaking),
``--sleep-at-start SECONDS`` (to trip a startup timeout), ``--http PORT`` and
``--token TOKEN`` (require ``Authorization: Bearer TOKEN`` on HTTP).
"""

# No ``from __future__ import annotations``: the SDK reads the tool functions' annotations
# at registration, and the image type is imported inside ``build_server``.
import argparse
import base64
import os
import sys
import time
from pathlib import Path
from typing import Any

#: A 1x1 transparent PNG.
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


# ferry: port-only -- test support: the MCP server scenarios start under both binaries
def build_server(name: str, instructions: bool = True) -> Any:
    """The fixture server (imported lazily: only tests and scenarios need the SDK's server side)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.server.mcpserver.utilities.types import Image
    from mcp_types import ToolAnnotations

    server = MCPServer(
        name,
        instructions="A fixture server for pycodex tests." if instructions else None,
        log_level="CRITICAL",
    )
    read_only = ToolAnnotations(read_only_hint=True)

    @server.tool(description="Echo the given text back.", annotations=read_only)
    def echo(text: str) -> str:
        return f"echo: {text}"

    @server.tool(
        description="Say the text loudly (plain text, no structured result).",
        annotations=read_only,
        structured_output=False,
    )
    def shout(text: str) -> str:
        return text.upper()

    @server.tool(description="Add two integers.", annotations=read_only)
    def add(a: int, b: int) -> dict[str, int]:
        return {"sum": a + b}

    @server.tool(description="Always fails with the given reason.", annotations=read_only)
    def fail(reason: str) -> str:
        raise ToolError(reason)

    @server.tool(description="Write a note file in the server's working directory.")
    def write_note(filename: str, text: str) -> str:
        Path(filename).write_text(text, encoding="utf-8")
        return f"wrote {filename}"

    @server.tool(
        description="Report the server's working directory and one environment variable.",
        annotations=read_only,
    )
    def whereami(variable: str) -> str:
        return f"cwd={Path.cwd().name} {variable}={os.environ.get(variable, '<unset>')}"

    @server.tool(description="Return a 1x1 PNG image.", annotations=read_only)
    def pixel() -> Image:
        return Image(data=PIXEL_PNG, format="png")

    @server.resource("fixture://readme", name="readme", description="About this fixture.")
    def readme() -> str:
        return "The fixture server's readme."

    @server.resource("fixture://notes/{name}", name="note", description="A note by name.")
    def note(name: str) -> str:
        return f"note {name}"

    return server


# ferry: port-only -- test support: command-line entry of the fixture MCP server
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mcp_fixture")
    parser.add_argument("--name", default="fixture")
    parser.add_argument("--exit-at-start", action="store_true")
    parser.add_argument("--no-instructions", action="store_true")
    parser.add_argument("--sleep-at-start", type=float, default=0.0)
    parser.add_argument("--http", type=int, default=None, metavar="PORT")
    parser.add_argument("--token", default=None)
    args = parser.parse_args(argv)
    if args.exit_at_start:
        sys.stderr.write("fixture: exiting at start as asked\n")
        sys.exit(3)
    if args.sleep_at_start:
        time.sleep(args.sleep_at_start)
    server = build_server(args.name, instructions=not args.no_instructions)
    if args.http is None:
        server.run()
        return
    server.run("streamable-http", host="127.0.0.1", port=args.http)


if __name__ == "__main__":
    main()
