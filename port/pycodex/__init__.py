"""pycodex: a Python port of OpenAI's Codex CLI (codex-rs), drop-in for ``codex exec``."""

__version__ = "0.1.0"
#: The upstream ``codex-cli`` release whose behaviour this port follows.
UPSTREAM_VERSION = "0.169.0"
