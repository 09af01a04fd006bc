"""The credentials one model request carries (kept apart so the client imports little)."""

from __future__ import annotations

from dataclasses import dataclass

#: where ChatGPT-authenticated requests go when the OpenAI provider has no explicit base URL.
CHATGPT_CODEX_BASE_URL = "https://chatgpt.com/backend-api/codex"


# ferry: codex_login::auth::manager::CodexAuth @ 1d092cb66
@dataclass(frozen=True)
class Credentials:
    """What a request needs: the bearer token, any account header and the login kind."""

    bearer: str
    headers: tuple[tuple[str, str], ...] = ()
    mode: str = "apikey"
