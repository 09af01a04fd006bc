"""Validate app-server messages against JSON Schema bundles with ``jsonschema``.

A bundle is ``codex_app_server_protocol.schemas.json`` as ``generate-json-schema`` writes
it: top-level definitions plus a nested ``v2`` table. A response is checked against the
response type of the request it answers (from the generated method table), a
notification against ``ServerNotification``, a server request against ``ServerRequest``,
an error against ``JSONRPCError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
from pycodex.app_server.protocol.methods import CLIENT_REQUESTS

JsonObject = dict[str, Any]


def load_bundle(directory: Path) -> JsonObject:
    data: JsonObject = json.loads(
        (directory / "codex_app_server_protocol.schemas.json").read_text(encoding="utf-8")
    )
    return data


def _definition(bundle: Mapping[str, Any], name: str) -> Any:
    defs = bundle["definitions"]
    if name in defs.get("v2", {}):
        return defs["v2"][name]
    return defs.get(name)


def _ref(bundle: Mapping[str, Any], name: str) -> str:
    return (
        f"#/definitions/v2/{name}"
        if name in bundle["definitions"].get("v2", {})
        else f"#/definitions/{name}"
    )


def inlined(bundle: Mapping[str, Any], name: str) -> str:
    """The definition with every reference inlined (cycles named), as canonical JSON."""

    def expand(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = str(node["$ref"]).rsplit("/", 1)[-1]
                if target in stack:
                    return {"$cycle": target}
                return expand(_definition(bundle, target), (*stack, target))
            return {
                k: expand(v, stack)
                for k, v in node.items()
                if k not in ("description", "title", "$schema")
            }
        if isinstance(node, list):
            return [expand(v, stack) for v in node]
        return node

    return json.dumps(expand(_definition(bundle, name), (name,)), sort_keys=True)


class WireSchemas:
    """One bundle's validators, built on first use."""

    def __init__(self, bundle: JsonObject) -> None:
        self.bundle = bundle
        self._validators: dict[str, jsonschema.Draft7Validator] = {}

    def has(self, name: str) -> bool:
        return _definition(self.bundle, name) is not None

    def validator(self, name: str) -> jsonschema.Draft7Validator:
        found = self._validators.get(name)
        if found is None:
            schema = {
                "definitions": self.bundle["definitions"],
                "allOf": [{"$ref": _ref(self.bundle, name)}],
            }
            found = jsonschema.Draft7Validator(schema)
            self._validators[name] = found
        return found

    def errors(self, name: str, value: Any) -> list[str]:
        return [
            f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:300]}"
            for e in self.validator(name).iter_errors(value)
        ]


def message_type(message: Mapping[str, Any], requests: Mapping[Any, str]) -> tuple[str, Any] | None:
    """(schema definition, value to check) for one server message; ``None`` if untyped."""
    if "error" in message:
        return "JSONRPCError", message
    if "method" in message and "id" in message:
        return "ServerRequest", message
    if "method" in message:
        return "ServerNotification", message
    method = requests.get(message.get("id"))
    if method is None:
        return None
    response = CLIENT_REQUESTS.get(method, (None, None))[1]
    return (response, message["result"]) if response else None
