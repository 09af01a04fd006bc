"""MCP client: connect to the configured ``mcp_servers`` and expose their tools and resources.

Only :mod:`pycodex.mcp.config` is light; the connection code imports the ``mcp`` SDK,
so it is loaded only when a run has MCP servers configured.
"""
