"""``$CODEX_HOME/auth.json``: the credentials ``login`` stores, in codex's format.

The file is JSON pretty-printed with two-space indents, no trailing newline, mode 0600:
``auth_mode`` (``apikey``, ``chatgpt``...; left out when absent), ``OPENAI_API_KEY``,
``tokens`` (``id_token``, ``access_token``, ``refresh_token``, ``account_id``) and
``last_refresh`` (RFC 3339, UTC). It is replaced atomically (a 0600 temporary file in
the same directory, then a rename), so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycodex.errors import AuthError

AUTH_FILE = "auth.json"

#: the lock files codex takes (creating them) around every change of auth.json.
AUTH_LOCK_FILES = ("auth.lock", "auth.json.lock")


# ferry: codex_login::auth::storage::FileAuthStorage @ 1d092cb66 -- 0.169.0: auth.lock and auth.json.lock
@contextlib.contextmanager
def auth_locks(codex_home: Path) -> Iterator[None]:
    """Hold codex's two exclusive locks on auth.json while it is written or removed, so a
    pycodex and a codex process sharing CODEX_HOME never interleave (the files stay, empty)."""
    codex_home.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        for name in AUTH_LOCK_FILES:
            fd = os.open(codex_home / name, os.O_RDWR | os.O_CREAT, 0o600)
            stack.callback(os.close, fd)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield


# ferry: codex_login::token_data::TokenData @ 1d092cb66
@dataclass(frozen=True)
class TokenData:
    id_token: str
    access_token: str
    refresh_token: str
    account_id: str | None = None


# ferry: codex_login::auth::storage::AuthDotJson @ 1d092cb66
@dataclass(frozen=True)
class AuthDotJson:
    """The parsed file; ``extra`` keeps keys pycodex does not use, so saving loses nothing."""

    auth_mode: str | None = None
    openai_api_key: str | None = None
    tokens: TokenData | None = None
    last_refresh: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()

    # ferry: codex_login::auth::revoke::resolved_auth_mode @ 1d092cb66
    @property
    def resolved_mode(self) -> str:
        """``apikey`` or ``chatgpt`` (an explicit ``auth_mode`` wins, as in codex)."""
        if self.auth_mode:
            return self.auth_mode
        return "apikey" if self.openai_api_key is not None else "chatgpt"

    # ferry: codex_login::auth::storage::AuthDotJson @ 1d092cb66 -- serde field order
    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.auth_mode is not None:
            data["auth_mode"] = self.auth_mode
        data["OPENAI_API_KEY"] = self.openai_api_key
        if self.tokens is not None:
            data["tokens"] = {
                "id_token": self.tokens.id_token,
                "access_token": self.tokens.access_token,
                "refresh_token": self.tokens.refresh_token,
                "account_id": self.tokens.account_id,
            }
        if self.last_refresh is not None:
            data["last_refresh"] = self.last_refresh
        data.update(self.extra)
        return data


# ferry: codex_login::auth::storage::get_auth_file @ 1d092cb66
def auth_file(codex_home: Path) -> Path:
    return codex_home / AUTH_FILE


# ferry: codex_login::auth::storage::FileAuthStorage::load @ 1d092cb66
def load_auth(codex_home: Path) -> AuthDotJson | None:
    """The stored credentials, ``None`` without a file; a damaged file is an error naming it."""
    path = auth_file(codex_home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuthError(f"{path}: cannot read credentials: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AuthError(
            f"failed to deserialize CLI auth from file: {path}: {exc}; "
            "run `pycodex logout` and log in again"
        ) from exc
    if not isinstance(data, dict):
        raise AuthError(f"failed to deserialize CLI auth from file: {path}: expected an object")
    tokens = data.get("tokens")
    token_data = None
    if isinstance(tokens, dict):
        token_data = TokenData(
            id_token=str(tokens.get("id_token") or ""),
            access_token=str(tokens.get("access_token") or ""),
            refresh_token=str(tokens.get("refresh_token") or ""),
            account_id=tokens.get("account_id")
            if isinstance(tokens.get("account_id"), str)
            else None,
        )
    known = {"auth_mode", "OPENAI_API_KEY", "tokens", "last_refresh"}
    key = data.get("OPENAI_API_KEY")
    mode = data.get("auth_mode")
    refreshed = data.get("last_refresh")
    return AuthDotJson(
        auth_mode=mode if isinstance(mode, str) else None,
        openai_api_key=key if isinstance(key, str) else None,
        tokens=token_data,
        last_refresh=refreshed if isinstance(refreshed, str) else None,
        extra=tuple((k, v) for k, v in data.items() if k not in known),
    )


# ferry: codex_login::auth::storage::FileAuthStorage::save @ 1d092cb66
def save_auth(codex_home: Path, auth: AuthDotJson) -> Path:
    """Write ``auth.json`` atomically with mode 0600 (never readable by others, even briefly)."""
    path = auth_file(codex_home)
    text = json.dumps(auth.to_json(), indent=2, ensure_ascii=False)
    with auth_locks(codex_home):
        fd, tmp = tempfile.mkstemp(prefix=".auth.json.", dir=codex_home)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return path


# ferry: codex_login::auth::storage::delete_file_if_exists @ 1d092cb66
def delete_auth(codex_home: Path) -> bool:
    """Remove ``auth.json``; whether there was one."""
    with auth_locks(codex_home):
        try:
            auth_file(codex_home).unlink()
        except FileNotFoundError:
            return False
    return True


# ferry: codex_login::auth::manager::persist_tokens @ 1d092cb66 -- the last_refresh timestamp
def utc_now_rfc3339() -> str:
    """``2026-01-02T03:04:05.123456789Z`` as chrono prints ``Utc::now()``."""
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}000Z"


# ferry: codex_login::auth::manager::TOKEN_REFRESH_INTERVAL @ 1d092cb66
def parse_rfc3339(value: str) -> dt.datetime | None:
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:  # Python parses at most microseconds
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
