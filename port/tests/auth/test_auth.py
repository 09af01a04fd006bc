"""``login``/``logout`` and ChatGPT token refresh, through the real CLI and a scripted token server."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from exec_harness import ExecHarness, ExecRun
from pycodex.auth.cli import safe_format_key
from pycodex.auth.manager import needs_refresh
from pycodex.auth.storage import AuthDotJson, TokenData, load_auth, save_auth
from pycodex.errors import AuthError
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_response_created,
)


def _jwt(payload: dict[str, object]) -> str:
    def b64(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none'})}.{b64(payload)}.c2ln"


CLAIMS = {
    "https://api.openai.com/auth": {"chatgpt_account_id": "acct-9", "chatgpt_plan_type": "plus"}
}
EXPIRED = _jwt({"exp": 1_000_000_000, **CLAIMS})
FRESH = _jwt({"exp": 4_102_444_800, **CLAIMS})
ID_TOKEN = _jwt({"email": "dev@example.com", **CLAIMS})


def _cli(home: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> ExecRun:
    proc = subprocess.run(
        [sys.executable, "-c", "from pycodex._entry import main; main()", *args],
        env={**os.environ, "CODEX_HOME": str(home), **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return ExecRun(proc.returncode, proc.stdout, proc.stderr)


def test_login_with_api_key_status_and_logout(tmp_path: Path) -> None:
    run = _cli(tmp_path, "login", "--with-api-key", stdin="sk-test-1234567890ABCDEFG\n")
    assert (run.returncode, run.stderr) == (
        0,
        "Reading API key from stdin...\nAPI key saved. Authentication is checked when you send a request.\n",
    )
    auth_json = tmp_path / "auth.json"
    assert auth_json.read_text() == (
        '{\n  "auth_mode": "apikey",\n  "OPENAI_API_KEY": "sk-test-1234567890ABCDEFG"\n}'
    )
    assert stat.S_IMODE(auth_json.stat().st_mode) == 0o600
    # codex's lock files around writes of auth.json and its login log, created empty
    for name in ("auth.lock", "auth.json.lock", "log/codex-login.log"):
        assert (tmp_path / name).read_text() == "", name
    assert stat.S_IMODE((tmp_path / "log/codex-login.log").stat().st_mode) == 0o600
    status = _cli(tmp_path, "login", "status")
    assert (status.returncode, status.stderr) == (
        0,
        "API key configured - sk-test-***CDEFG\nAuthentication is checked when you send a request.\n",
    )
    assert (_cli(tmp_path, "logout").stderr, _cli(tmp_path, "logout").stderr) == (
        "Successfully logged out\n",
        "Not logged in\n",
    )
    gone = _cli(tmp_path, "login", "status")
    assert (gone.returncode, gone.stderr) == (1, "Not logged in\n")


def test_login_refusals(tmp_path: Path) -> None:
    empty = _cli(tmp_path, "login", "--with-api-key", stdin="  \n")
    assert (empty.returncode, empty.stderr) == (
        1,
        "Reading API key from stdin...\nNo API key provided via stdin.\n",
    )
    (tmp_path / "config.toml").write_text('forced_login_method = "chatgpt"\n')
    forced = _cli(tmp_path, "login", "--with-api-key", stdin="sk-x\n")
    assert forced.returncode == 1 and "API key login is disabled" in forced.stderr
    assert not (tmp_path / "auth.json").exists()
    browser = _cli(tmp_path, "login")
    assert browser.returncode == 1 and "--with-api-key" in browser.stderr
    assert "not available in pycodex" in browser.stderr


def test_damaged_auth_file_is_reported_and_logout_removes_it(tmp_path: Path) -> None:
    (tmp_path / "auth.json").write_text("{bad")
    status = _cli(tmp_path, "login", "status")
    assert status.returncode == 1
    assert status.stderr.startswith("Error checking login status: failed to deserialize CLI auth")
    assert str(tmp_path / "auth.json") in status.stderr
    assert _cli(tmp_path, "logout").stderr == "Successfully logged out\n"


def test_key_masking() -> None:
    assert safe_format_key("sk-proj-1234567890ABCDE") == "sk-proj-***ABCDE"
    assert safe_format_key("sk-proj-12345") == "***"


def test_save_keeps_unknown_keys_and_mode(tmp_path: Path) -> None:
    (tmp_path / "auth.json").write_text('{"OPENAI_API_KEY": null, "agent_identity": {"x": 1}}')
    auth = load_auth(tmp_path)
    assert auth is not None and auth.resolved_mode == "chatgpt"
    save_auth(tmp_path, auth)
    assert json.loads((tmp_path / "auth.json").read_text()) == {
        "OPENAI_API_KEY": None,
        "agent_identity": {"x": 1},
    }
    assert stat.S_IMODE((tmp_path / "auth.json").stat().st_mode) == 0o600


def test_refresh_is_needed_when_expired_or_eight_days_old() -> None:
    tokens = TokenData(ID_TOKEN, EXPIRED, "rt")
    assert needs_refresh(AuthDotJson(tokens=tokens))
    assert not needs_refresh(AuthDotJson(tokens=TokenData(ID_TOKEN, FRESH, "rt")))
    no_exp = TokenData(ID_TOKEN, "opaque-token", "rt")
    assert needs_refresh(AuthDotJson(tokens=no_exp, last_refresh="2020-01-01T00:00:00.123456789Z"))
    assert not needs_refresh(AuthDotJson(tokens=no_exp))
    assert not needs_refresh(AuthDotJson(openai_api_key="sk", tokens=tokens))


def _chatgpt_harness(harness: ExecHarness, access_token: str) -> dict[str, str]:
    config = harness.home / "config.toml"
    config.write_text(
        'model = "gpt-5.5"\nmodel_provider = "chatgpt"\n[model_providers.chatgpt]\n'
        f'name = "chatgpt"\nbase_url = "{harness.server.base_url}"\nwire_api = "responses"\n'
        "requires_openai_auth = true\nrequest_max_retries = 0\nstream_max_retries = 0\n"
    )
    (harness.home / "auth.json").write_text(
        json.dumps(
            {
                "tokens": {
                    "id_token": ID_TOKEN,
                    "access_token": access_token,
                    "refresh_token": "rt-old",
                    "account_id": "acct-9",
                },
                "last_refresh": "2020-01-01T00:00:00Z",
            }
        )
    )
    origin = harness.server.base_url.removesuffix("/v1")
    return {"CODEX_REFRESH_TOKEN_URL_OVERRIDE": f"{origin}/oauth/token"}


def _answer() -> ScriptedResponse:
    return ScriptedResponse.sse(
        [
            ev_response_created("r"),
            ev_assistant_message("m", "hi"),
            ev_completed_with_tokens("r", 3),
        ]
    )


def test_expired_chatgpt_token_is_refreshed_before_the_request(harness: ExecHarness) -> None:
    env = _chatgpt_harness(harness, EXPIRED)
    refreshed = {"id_token": ID_TOKEN, "access_token": FRESH, "refresh_token": "rt-new"}
    harness.server.push(
        ScriptedResponse(body=json.dumps(refreshed), content_type="application/json"), _answer()
    )
    run = harness.run("--json", "hello", env=env)
    assert run.returncode == 0, run.stderr
    token_call, model_call = harness.server.requests
    assert token_call.path == "/oauth/token"
    assert token_call.json() == {
        "client_id": "app_EMoamEEZ73f0CkXaXp7hrann",
        "grant_type": "refresh_token",
        "refresh_reason": "proactive_expiry",
        "refresh_token": "rt-old",
    }
    assert model_call.header("authorization") == f"Bearer {FRESH}"
    assert model_call.header("chatgpt-account-id") == "acct-9"
    stored = json.loads((harness.home / "auth.json").read_text())
    assert stored["tokens"]["refresh_token"] == "rt-new"
    assert stored["tokens"]["access_token"] == FRESH
    assert stored["last_refresh"].endswith("Z") and not stored["last_refresh"].startswith("2020")
    assert stat.S_IMODE((harness.home / "auth.json").stat().st_mode) == 0o600
    status = _cli(harness.home, "login", "status")
    assert (status.returncode, status.stderr) == (0, "Logged in using ChatGPT\n")


def test_fresh_chatgpt_token_is_used_as_is(harness: ExecHarness) -> None:
    env = _chatgpt_harness(harness, FRESH)
    harness.server.push(_answer())
    run = harness.run("--json", "hello", env=env)
    assert run.returncode == 0, run.stderr
    (model_call,) = harness.server.requests
    assert model_call.path == "/v1/responses"
    assert model_call.header("authorization") == f"Bearer {FRESH}"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("refresh_token_expired", "refresh token has expired"),
        ("refresh_token_reused", "refresh token was already used"),
        ("whatever", "Your access token could not be refreshed. Please log out"),
    ],
)
def test_rejected_refresh_stops_the_run_with_codex_message(
    harness: ExecHarness, code: str, message: str
) -> None:
    env = _chatgpt_harness(harness, EXPIRED)
    harness.server.push(
        ScriptedResponse(
            body=json.dumps({"error": {"code": code}}), status=401, content_type="application/json"
        )
    )
    run = harness.run("--json", "hello", env=env)
    assert run.returncode == 1
    assert message in run.stderr
    assert [r.path for r in harness.server.requests] == ["/oauth/token"]  # no model request
    assert "rt-old" in (harness.home / "auth.json").read_text()  # tokens left as they were


def test_logout_revokes_the_refresh_token(harness: ExecHarness) -> None:
    env = _chatgpt_harness(harness, FRESH)
    harness.server.push(ScriptedResponse(body="{}", content_type="application/json"))
    run = _cli(harness.home, "logout", env=env)
    assert (run.returncode, run.stderr) == (0, "Successfully logged out\n")
    (revoke,) = harness.server.requests
    assert revoke.path == "/oauth/revoke"
    assert revoke.json() == {
        "token": "rt-old",
        "token_type_hint": "refresh_token",
        "client_id": "app_EMoamEEZ73f0CkXaXp7hrann",
    }
    assert not (harness.home / "auth.json").exists()


def test_bad_id_token_from_the_issuer_is_an_error(tmp_path: Path) -> None:
    from pycodex.auth.manager import jwt_claims

    with pytest.raises(AuthError, match="invalid ID token format"):
        jwt_claims("not-a-jwt")
