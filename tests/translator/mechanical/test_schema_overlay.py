"""The schema overlay: pinned Rust declarations brought to a newer binary's wire shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from translator.diff.rust_items import extract
from translator.mechanical.emit import Emitter
from translator.mechanical.module import render_module
from translator.mechanical.overlay import overlay_protocol
from translator.mechanical.parse import parse_source
from translator.mechanical.protocol_gen import _merge_order, parse_macro_methods
from translator.mechanical.registry import Registry
from translator.mechanical.schema_bundle import SchemaBundle, parse_bundle
from translator.mechanical.schema_check import load_module, schema_of
from translator.mechanical.schema_compare import Canonicalizer, schema_shape
from translator.provenance import Link, parse_marker

V2 = "codex_app_server_protocol::protocol::v2"
COMMON = "codex_app_server_protocol::protocol::common"

RUST = r"""
use serde::{Deserialize, Serialize};

/// A thread.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    pub id: String,
    pub preview: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: ThreadStatus,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ThreadStatus {
    Idle,
    Active,
}

v2_enum_from_core! {
    pub enum Source from CoreSource {
        Agent, User
    }
}

v2_enum_from_core!(
    pub enum Scope from CoreScope {
        Thread, Turn
    }
);
"""


def _registry() -> Registry:
    registry = Registry()
    module = "codex_app_server_protocol::protocol::v2"
    registry.add_file(
        parse_source(RUST, file="v2.rs", crate="codex_app_server_protocol", module=module), "v2.rs"
    )
    return registry


def _bundle(definitions: dict[str, Any]) -> SchemaBundle:
    return parse_bundle(
        json.dumps({"definitions": {"v2": definitions}}).encode(), "codex-cli 9.9.9"
    )


THREAD_NOW = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "preview": {"type": "string"},
        "name": {"type": ["string", "null"]},
        "status": {"$ref": "#/definitions/v2/ThreadStatus"},
        "projectId": {"type": ["string", "null"]},
        "historyMode": {"allOf": [{"$ref": "#/definitions/v2/HistoryMode"}], "default": "legacy"},
    },
    "required": ["id", "preview", "projectId", "status"],
}
STATUS = {"type": "string", "enum": ["idle", "active"]}
HISTORY = {"type": "string", "enum": ["legacy", "paginated"]}


def _generate(definitions: dict[str, Any]) -> tuple[Any, Any, SchemaBundle]:
    bundle = _bundle(definitions)
    result = overlay_protocol(_registry(), bundle, "9.9.9")
    text = render_module(result.defs, commit="1" * 40, docstring="test", notes=result.notes)
    return result, load_module(text, f"overlay_{abs(hash(text))}"), bundle


def test_unchanged_types_stay_rust_and_changed_ones_follow_the_schema() -> None:
    result, module, bundle = _generate(
        {"Thread": THREAD_NOW, "ThreadStatus": STATUS, "HistoryMode": HISTORY}
    )
    assert "ThreadStatus" in result.from_rust
    assert "Thread" in result.overlaid and "HistoryMode" in result.schema_only
    canon = Canonicalizer(bundle.definitions)
    for name in ("Thread", "ThreadStatus", "HistoryMode"):
        expected = canon.shape(bundle.get(name), frozenset({name}))
        assert schema_shape(schema_of(getattr(module, name))) == expected, name


def test_overlaid_fields_keep_rust_serialization_rules() -> None:
    _, module, _ = _generate({"Thread": THREAD_NOW, "ThreadStatus": STATUS, "HistoryMode": HISTORY})
    thread = module.Thread.model_validate(
        {"id": "t", "preview": "", "status": "idle", "projectId": None}
    )
    wire = thread.model_dump(mode="json", by_alias=True)
    assert "name" not in wire  # Rust's skip_serializing_if survives the overlay
    assert wire["projectId"] is None  # a required nullable field is always sent
    assert wire["historyMode"] == "legacy"  # the schema's default
    with pytest.raises(ValidationError):
        module.Thread.model_validate({"id": "t", "preview": "", "status": "idle"})


def test_markers_say_what_the_newer_binary_changed() -> None:
    result, _, _ = _generate({"Thread": THREAD_NOW, "ThreadStatus": STATUS, "HistoryMode": HISTORY})
    text = render_module(
        result.defs, commit="1" * 40, docstring="t", notes=result.notes, port_only=result.port_only
    )
    thread_marker = next(line for line in text.splitlines() if "v2::Thread @" in line)
    assert thread_marker.endswith("-- 9.9.9: fields +historyMode +projectId")
    status_marker = next(line for line in text.splitlines() if "v2::ThreadStatus @" in line)
    assert " -- " not in status_marker
    history_marker = _marker_above(text, "class HistoryMode(")
    assert history_marker == (
        "# ferry: port-only -- generated from codex 9.9.9's JSON Schema; newer than the pinned "
        "sources (would be codex_app_server_protocol::protocol::v2::HistoryMode)"
    )


def _marker_above(text: str, definition: str) -> str:
    lines = text.splitlines()
    return lines[lines.index(next(line for line in lines if line.startswith(definition))) - 1]


def test_every_marker_links_an_item_the_diff_extractor_names_or_says_port_only() -> None:
    """Links name what Diff calls the item: macro entries, whole ``mac!(...)`` calls, tables."""
    definitions = {
        "Thread": THREAD_NOW,
        "ThreadStatus": STATUS,
        "HistoryMode": HISTORY,
        "Source": {"type": "string", "enum": ["agent", "user"]},
        "Scope": {"type": "string", "enum": ["thread", "turn", "session"]},
        "Wrapper": {
            "type": "object",
            "properties": {"inner": {"type": "object", "properties": {"x": {"type": "string"}}}},
            "required": ["inner"],
        },
        "ClientNotification": {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {"method": {"type": "string", "enum": ["initialized"]}},
                    "required": ["method"],
                }
            ]
        },
    }
    result = overlay_protocol(_registry(), _bundle(definitions), "9.9.9")
    text = render_module(
        result.defs,
        commit="1" * 40,
        docstring="t",
        notes=result.notes,
        links=result.links,
        port_only=result.port_only,
    )
    known = {item.path for item in extract(RUST.encode(), V2).walk()}
    known.add(f"{COMMON}::client_notification_definitions!{{}}")  # a macro in common.rs
    markers = [parse_marker(line) for line in text.splitlines() if line.startswith("# ferry:")]
    links = [m for m in markers if isinstance(m, Link)]
    assert links and all(m.rust_path in known for m in links), [m.rust_path for m in links]
    assert _marker_above(text, "class Source(").startswith(
        f"# ferry: {V2}::v2_enum_from_core!{{}}::Source @ 111111111111 "
    )
    scope = _marker_above(text, "class Scope(")
    assert scope.startswith(f"# ferry: {V2}::v2_enum_from_core!{{}} @ 111111111111 ")
    assert scope.endswith(
        "-- 9.9.9: variants +session; Scope is declared inside "
        "`v2_enum_from_core!(...)`, which the Diff extractor names only as a whole"
    )
    assert _marker_above(text, "class ClientNotificationInitialized(").startswith(
        f"# ferry: {COMMON}::client_notification_definitions!{{}} @ "
    )
    inline = _marker_above(text, "class WrapperInner(")
    assert inline.startswith("# ferry: port-only -- generated from codex 9.9.9's JSON Schema")
    assert _marker_above(text, "class FerryModel(") == (
        "# ferry: port-only -- Python glue: pydantic base of the generated models "
        "(no Rust counterpart)"
    )


def test_variants_sharing_a_tag_become_an_untagged_union_that_still_validates() -> None:
    content = {
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["text"]},
                    "text": {"type": "string"},
                },
                "required": ["type", "text"],
            },
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["audio"]},
                    "url": {"type": "string"},
                },
                "required": ["type", "url"],
                "title": "UrlContent",
            },
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["audio"]},
                    "fileId": {"type": "string"},
                },
                "required": ["type", "fileId"],
                "title": "FileIdContent",
            },
        ]
    }
    _, module, _ = _generate({"Content": content})
    adapter = TypeAdapter(module.Content)
    by_url = adapter.validate_python({"type": "audio", "url": "u"})
    by_file = adapter.validate_python({"type": "audio", "fileId": "f"})
    assert type(by_url).__name__ != type(by_file).__name__
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "audio"})


def test_skip_serializing_if_becomes_exclude_if() -> None:
    registry = _registry()
    emitter = Emitter(registry)
    defs = emitter.translate([d for d in registry.decls if d.name == "Thread"])
    module = load_module(render_module(defs, commit="2" * 40, docstring="t"), "skip_test")
    wire = module.Thread(id="a", preview="", status="idle").model_dump(by_alias=True)
    assert "name" not in wire
    named = module.Thread(id="a", preview="", status="idle", name="n").model_dump(by_alias=True)
    assert named["name"] == "n"


MACRO = """
    Initialize {
        params: v1::InitializeParams,
        response: v1::InitializeResponse,
    },
    /// docs
    ThreadStart => "thread/start" {
        params: v2::ThreadStartParams,
        inspect_params: true,
        response: v2::ThreadStartResponse,
    },
    #[experimental("x")]
    MemoryReset => "memory/reset" {
        params: #[ts(type = "undefined")] #[serde(skip_serializing_if = "Option::is_none")] Option<()>,
        response: v2::MemoryResetResponse,
    },
    GetAuthStatus {
        params: v1::GetAuthStatusParams,
        response: v1::GetAuthStatusResponse,
    },
    Error => "error" (v2::ErrorNotification),
"""


def test_method_macros_are_read_and_v1_methods_keep_their_place() -> None:
    methods = parse_macro_methods(MACRO)
    assert [(m.variant, m.wire) for m in methods] == [
        ("Initialize", "initialize"),
        ("ThreadStart", "thread/start"),
        ("MemoryReset", "memory/reset"),
        ("GetAuthStatus", "getAuthStatus"),
        ("Error", "error"),
    ]
    assert methods[2].params == "Option<()>" and methods[4].params == "v2::ErrorNotification"
    order = _merge_order(["initialize", "thread/start", "thread/new"], methods, {"getAuthStatus"})
    assert order == ["initialize", "thread/start", "thread/new", "getAuthStatus"]
    order = _merge_order(["initialize", "memory/reset", "x"], methods, {"getAuthStatus"})
    assert order == ["initialize", "memory/reset", "getAuthStatus", "x"]


def test_a_bundle_with_conflicting_definitions_is_refused() -> None:
    from translator.errors import InputError

    data = {"definitions": {"A": {"type": "string"}, "v2": {"A": {"type": "integer"}}}}
    with pytest.raises(InputError, match="definition A differs"):
        parse_bundle(json.dumps(data).encode(), "bad")
    with pytest.raises(InputError, match="needs a top-level 'definitions'"):
        parse_bundle(b"[]", "bad")


@pytest.mark.oracle
def test_the_generated_module_matches_every_definition_of_the_binary(tmp_path: Path) -> None:
    """All of codex 0.169.0's wire types, structurally (property names, required sets, types)."""
    from pycodex.app_server.protocol import v2
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    from translator.mechanical.schema_bundle import bundle_from_binary

    try:
        bundle = bundle_from_binary(codex_binary())
    except OracleUnavailable as exc:
        pytest.skip(f"the codex oracle is unavailable: {exc}")
    canon = Canonicalizer(bundle.definitions)
    mismatched = [
        name
        for name in bundle.names()
        if schema_shape(schema_of(getattr(v2, name)))
        != canon.shape(bundle.get(name), frozenset({name}))
    ]
    assert len(bundle.names()) >= 900
    assert mismatched == []
