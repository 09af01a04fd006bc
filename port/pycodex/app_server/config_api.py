"""``config/read``, ``config/value/write`` and ``config/batchWrite`` over ``$CODEX_HOME/config.toml``.

Writes change the parsed table and rewrite the file atomically (comments are not kept, as
with ``pycodex mcp add``); a value of the wrong type for a known key is refused with
codex's ``configValidationError``. Every answer names the file's version: ``sha256:`` of
its bytes, which a client passes back as ``expectedVersion`` to avoid lost updates.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pycodex.app_server.wire import RpcError, invalid_request, unexpected
from pycodex.fsutil import write_text_atomic
from pycodex.mcp.toml_write import dumps

JsonObject = dict[str, Any]

#: keys of config.toml whose values must be strings (the ones clients write most).
_STRING_KEYS = frozenset(
    {
        "model",
        "model_provider",
        "approval_policy",
        "sandbox_mode",
        "model_reasoning_effort",
        "model_reasoning_summary",
        "model_verbosity",
        "instructions",
        "developer_instructions",
        "profile",
        "review_model",
        "file_opener",
        "service_tier",
        "personality",
    }
)
_BOOL_KEYS = frozenset(
    {"hide_agent_reasoning", "show_raw_agent_reasoning", "include_permissions_instructions"}
)


# ferry: codex_config::fingerprint::version_for_toml @ 1d092cb66 -- the version a config layer carries
def table_version(table: Mapping[str, Any]) -> str:
    """A layer's version: sha256 of its table as compact JSON with sorted keys."""
    canonical = json.dumps(table, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


# ferry: codex_config::fingerprint::version_for_toml @ 1d092cb66 -- of a config file's table
def file_version(path: Path) -> str:
    return table_version(_read_table(path))


def _read_table(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise invalid_request(f"Invalid configuration: {path}: {exc}") from exc


def _validate(name: str, value: Any) -> None:
    if name in _STRING_KEYS and not isinstance(value, str):
        raise _validation_error(
            f"invalid type: {unexpected(value)}, expected a string\nin `{name}`\n"
        )
    if name in _BOOL_KEYS and not isinstance(value, bool):
        raise _validation_error(
            f"invalid type: {unexpected(value)}, expected a boolean\nin `{name}`\n"
        )


def _validation_error(detail: str) -> RpcError:
    return invalid_request(
        f"Invalid configuration: {detail}", {"config_write_error_code": "configValidationError"}
    )


def _apply(table: dict[str, Any], key_path: str, value: Any, strategy: str) -> None:
    parts = [p for p in key_path.split(".") if p]
    if not parts:
        raise invalid_request("Invalid request: keyPath must not be empty")
    node = table
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    leaf = parts[-1]
    current = node.get(leaf)
    if value is None:
        node.pop(leaf, None)
    elif strategy == "upsert" and isinstance(current, dict) and isinstance(value, Mapping):
        current.update(value)
    else:
        node[leaf] = value


# ferry: codex_app_server::config_api::ConfigApi::batch_write @ 1d092cb66
def write_values(
    codex_home: Path, edits: Sequence[Mapping[str, Any]], file_path: str | None
) -> JsonObject:
    """Apply ``edits`` (``keyPath``, ``value``, ``mergeStrategy``) and rewrite the file."""
    path = Path(file_path) if file_path else codex_home / "config.toml"
    table = _read_table(path)
    for edit in edits:
        key_path = str(edit.get("keyPath", ""))
        value = edit.get("value")
        _validate(key_path, value)
        _apply(table, key_path, value, str(edit.get("mergeStrategy", "replace")))
    write_text_atomic(path, dumps(table))
    path.chmod(0o600)
    return {
        "status": "ok",
        "version": file_version(path),
        "filePath": str(path),
        "overriddenMetadata": None,
    }


def _origins(table: Mapping[str, Any], meta: JsonObject, prefix: str = "") -> dict[str, JsonObject]:
    out: dict[str, JsonObject] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_origins(value, meta, f"{name}."))
        else:
            out[name] = meta
    return out


@cache
def _defaults() -> JsonObject:
    """codex 0.169.0's configuration with nothing set (``config_defaults.json``)."""
    text = resources.files("pycodex.app_server").joinpath("config_defaults.json").read_text("utf-8")
    data: JsonObject = json.loads(text)
    return data


def _merged(defaults: Any, value: Any) -> Any:
    if isinstance(defaults, dict) and isinstance(value, Mapping):
        out = dict(defaults)
        for key, item in value.items():
            out[key] = _merged(defaults.get(key), item)
        return out
    return value


# ferry: codex_config::config_toml::ConfigToml @ 1d092cb66 -- 0.169.0: every key, defaults filled in
def effective_config(table: Mapping[str, Any]) -> JsonObject:
    """The configuration as codex serializes it: its defaults overlaid with ``table``."""
    defaults = _defaults()
    config: JsonObject = _merged(json.loads(json.dumps(defaults["config"])), table)
    features = table.get("features")
    if isinstance(features, Mapping):
        config["features"] = _merged(dict(defaults["features"]), features)
    providers = table.get("model_providers")
    if isinstance(providers, Mapping):
        config["model_providers"] = {
            name: _merged(dict(defaults["model_provider"]), entry)
            for name, entry in providers.items()
            if isinstance(entry, Mapping)
        }
    return config


# ferry: codex_app_server::config_api::ConfigApi::read @ 1d092cb66 -- 0.169.0 layers
def read_config(codex_home: Path, include_layers: bool) -> JsonObject:
    """The effective configuration, each user key's origin and (optionally) the layers."""
    path = codex_home / "config.toml"
    table = _read_table(path)
    version = table_version(table)
    meta: JsonObject = {
        "name": {"type": "user", "file": str(path), "profile": None},
        "version": version,
    }
    result: JsonObject = {"config": effective_config(table), "origins": _origins(table, meta)}
    if include_layers:
        result["layers"] = [
            {"name": meta["name"], "version": version, "config": table},
            {
                "name": {"type": "system", "file": "/etc/codex/config.toml"},
                "version": table_version({}),
                "config": {},
            },
        ]
    return result
