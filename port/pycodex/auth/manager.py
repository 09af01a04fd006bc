"""Credentials for OpenAI-authenticated providers: an API key or ChatGPT OAuth tokens.

With ChatGPT tokens in ``auth.json`` the bearer is the access token and requests carry
``ChatGPT-Account-ID``. Before it is used, a token that has expired (its JWT ``exp``) or
was last refreshed more than 8 days ago is refreshed at the issuer's token endpoint
(``https://auth.openai.com/oauth/token``, or ``$CODEX_REFRESH_TOKEN_URL_OVERRIDE``) and
the new tokens are written back, as codex does.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from pycodex.auth.credentials import Credentials
from pycodex.auth.storage import (
    AuthDotJson,
    TokenData,
    load_auth,
    parse_rfc3339,
    save_auth,
    utc_now_rfc3339,
)
from pycodex.errors import AuthError

CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"
REFRESH_TOKEN_URL = "https://auth.openai.com/oauth/token"
REFRESH_TOKEN_URL_OVERRIDE_ENV_VAR = "CODEX_REFRESH_TOKEN_URL_OVERRIDE"
REVOKE_TOKEN_URL_OVERRIDE_ENV_VAR = "CODEX_REVOKE_TOKEN_URL_OVERRIDE"
TOKEN_REFRESH_INTERVAL = dt.timedelta(days=8)
REFRESH_TIMEOUT_S = 30.0

REFRESH_TOKEN_EXPIRED_MESSAGE = (
    "Your access token could not be refreshed because your refresh token has expired. "
    "Please log out and sign in again."
)
REFRESH_TOKEN_REUSED_MESSAGE = (
    "Your access token could not be refreshed because your refresh token was already used. "
    "Please log out and sign in again."
)
REFRESH_TOKEN_INVALIDATED_MESSAGE = (
    "Your access token could not be refreshed because your refresh token was revoked. "
    "Please log out and sign in again."
)
REFRESH_TOKEN_UNKNOWN_MESSAGE = (
    "Your access token could not be refreshed. Please log out and sign in again."
)


# ferry: codex_login::token_data::decode_jwt_payload @ 1d092cb66
def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT (not verified: the issuer's signature is the server's business)."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise AuthError("invalid ID token format")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError as exc:
        raise AuthError(f"invalid ID token format: {exc}") from exc
    if not isinstance(claims, dict):
        raise AuthError("invalid ID token format")
    return claims


# ferry: codex_login::token_data::parse_jwt_expiration @ 1d092cb66
def jwt_expiration(token: str) -> dt.datetime | None:
    try:
        exp = jwt_claims(token).get("exp")
    except AuthError:
        return None
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return dt.datetime.fromtimestamp(exp, dt.UTC)
    return None


# ferry: codex_login::token_data::IdTokenInfo @ 1d092cb66
def account_id_of(tokens: TokenData) -> str | None:
    """``account_id`` from the file, else the ``chatgpt_account_id`` claim of the id token."""
    if tokens.account_id:
        return tokens.account_id
    try:
        auth = jwt_claims(tokens.id_token).get("https://api.openai.com/auth")
    except AuthError:
        return None
    value = auth.get("chatgpt_account_id") if isinstance(auth, dict) else None
    return value if isinstance(value, str) else None


# ferry: codex_login::auth::manager::AuthManager::is_stale_for_proactive_refresh @ 1d092cb66
def needs_refresh(auth: AuthDotJson, now: dt.datetime | None = None) -> bool:
    if auth.resolved_mode != "chatgpt" or auth.tokens is None:
        return False
    now = now or dt.datetime.now(dt.UTC)
    expires = jwt_expiration(auth.tokens.access_token)
    if expires is not None:
        return expires <= now
    if auth.last_refresh is None:
        return False
    refreshed = parse_rfc3339(auth.last_refresh)
    return refreshed is not None and refreshed < now - TOKEN_REFRESH_INTERVAL


# ferry: codex_login::auth::manager::refresh_token_endpoint @ 1d092cb66
def refresh_token_endpoint() -> str:
    return os.environ.get(REFRESH_TOKEN_URL_OVERRIDE_ENV_VAR) or REFRESH_TOKEN_URL


def _refresh_failure(body: str) -> str:
    code: Any = None
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            code = error.get("code")
        elif isinstance(error, str):
            code = error
        code = code or data.get("code")
    return {
        "refresh_token_expired": REFRESH_TOKEN_EXPIRED_MESSAGE,
        "refresh_token_reused": REFRESH_TOKEN_REUSED_MESSAGE,
        "refresh_token_invalidated": REFRESH_TOKEN_INVALIDATED_MESSAGE,
    }.get(str(code).lower() if code else "", REFRESH_TOKEN_UNKNOWN_MESSAGE)


# ferry: codex_login::auth::manager::request_chatgpt_token_refresh @ 1d092cb66 -- 0.169.0: refresh_reason
def refresh_tokens(
    codex_home: Path,
    auth: AuthDotJson,
    *,
    reason: str = "proactive_expiry",
    user_agent: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> AuthDotJson:
    """Exchange the refresh token for new tokens and store them; errors say what to do."""
    if auth.tokens is None:
        raise AuthError("Token data is not available.")
    request = {
        "client_id": CLIENT_ID,
        "grant_type": "refresh_token",
        "refresh_reason": reason,
        "refresh_token": auth.tokens.refresh_token,
    }
    headers = {"content-type": "application/json", "originator": "codex_exec", "accept": "*/*"}
    if user_agent:
        headers["user-agent"] = user_agent
    endpoint = refresh_token_endpoint()
    try:
        with httpx.Client(timeout=REFRESH_TIMEOUT_S, transport=transport) as client:
            response = client.post(endpoint, content=json.dumps(request), headers=headers)
    except httpx.HTTPError as exc:
        raise AuthError(f"Failed to refresh token: {exc} (token endpoint {endpoint})") from exc
    if response.status_code == 401:
        raise AuthError(_refresh_failure(response.text))
    if response.status_code >= 300:
        raise AuthError(f"Failed to refresh token: {response.status_code}: {response.text.strip()}")
    try:
        data = response.json()
    except ValueError as exc:
        raise AuthError(
            f"Failed to refresh token: the token endpoint sent invalid JSON: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise AuthError("Failed to refresh token: the token endpoint sent no token object")
    tokens = auth.tokens
    if isinstance(data.get("id_token"), str):
        jwt_claims(data["id_token"])  # codex refuses an unparsable id token
        tokens = replace(tokens, id_token=data["id_token"])
    if isinstance(data.get("access_token"), str):
        tokens = replace(tokens, access_token=data["access_token"])
    if isinstance(data.get("refresh_token"), str):
        tokens = replace(tokens, refresh_token=data["refresh_token"])
    updated = replace(auth, tokens=tokens, last_refresh=utc_now_rfc3339())
    save_auth(codex_home, updated)
    return updated


# ferry: codex_login::auth::manager::AuthManager::auth @ 1d092cb66
def openai_credentials(
    codex_home: Path, *, user_agent: str | None = None, transport: httpx.BaseTransport | None = None
) -> Credentials | None:
    """Credentials from ``auth.json`` (refreshed first when stale), ``None`` without a login."""
    auth = load_auth(codex_home)
    if auth is None:
        return None
    if auth.resolved_mode == "apikey":
        return Credentials(bearer=auth.openai_api_key) if auth.openai_api_key else None
    if needs_refresh(auth):
        auth = refresh_tokens(codex_home, auth, user_agent=user_agent, transport=transport)
    if auth.tokens is None or not auth.tokens.access_token:
        return None
    account = account_id_of(auth.tokens)
    headers = (("chatgpt-account-id", account),) if account else ()
    return Credentials(bearer=auth.tokens.access_token, headers=headers, mode="chatgpt")


# ferry: codex_login::auth::revoke::revoke_token_endpoint @ 1d092cb66
def revoke_token_endpoint() -> str:
    explicit = os.environ.get(REVOKE_TOKEN_URL_OVERRIDE_ENV_VAR)
    if explicit:
        return explicit
    refresh = os.environ.get(REFRESH_TOKEN_URL_OVERRIDE_ENV_VAR)
    if refresh:
        url = httpx.URL(refresh)
        return str(url.copy_with(path="/oauth/revoke", query=None))
    return "https://auth.openai.com/oauth/revoke"


# ferry: codex_login::auth::revoke::revoke_auth_tokens @ 1d092cb66
def revoke_tokens(auth: AuthDotJson, transport: httpx.BaseTransport | None = None) -> str | None:
    """Best effort: revoke the refresh (else access) token; the failure text, or ``None``."""
    if auth.resolved_mode != "chatgpt" or auth.tokens is None:
        return None
    if auth.tokens.refresh_token:
        body = {
            "token": auth.tokens.refresh_token,
            "token_type_hint": "refresh_token",
            "client_id": CLIENT_ID,
        }
    elif auth.tokens.access_token:
        body = {"token": auth.tokens.access_token, "token_type_hint": "access_token"}
    else:
        return None
    try:
        with httpx.Client(timeout=10.0, transport=transport) as client:
            response = client.post(
                revoke_token_endpoint(),
                content=json.dumps(body),
                headers={"content-type": "application/json"},
            )
    except httpx.HTTPError as exc:
        return str(exc)
    if response.status_code >= 300:
        return f"failed to revoke {body['token_type_hint']}: {response.status_code}"
    return None
