"""serde attribute rules -> pydantic behaviour, checked on wire JSON (no upstream needed)."""

from __future__ import annotations

import itertools
from types import ModuleType
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from translator.mechanical.emit import Emitter
from translator.mechanical.module import render_module
from translator.mechanical.parse import parse_attr_args, parse_source
from translator.mechanical.registry import Registry
from translator.mechanical.schema_check import load_module

RUST = r"""
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Parameters of one command.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecParams {
    pub command: Vec<String>,
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub with_escalated_permissions: bool,
    #[serde(rename = "env")]
    pub environment: HashMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(flatten)]
    pub limits: Limits,
    #[serde(skip)]
    pub internal: u32,
}

#[derive(Serialize, Deserialize, Default)]
pub struct Limits {
    pub max_output_bytes: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode { ReadOnly, WorkspaceWrite, #[serde(rename = "yolo")] DangerFullAccess }

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    TaskStarted,
    AgentMessage { message: String },
    ExecEnd(ExecEnd),
}

#[derive(Serialize, Deserialize)]
pub struct ExecEnd { pub exit_code: i32 }

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum Adjacent { Ping, Text(String) }

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
pub enum Loose { Number(i64), Words(Vec<String>) }

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum External { Plain, WithData { exit_code: i32 }, Wrapped(String) }

pub type Env = HashMap<String, Option<String>>;

pub const MAX_TIMEOUT_MS: u64 = 600_000;
pub const DEFAULT_SHELL: &str = "bash";

macro_enum! { pub enum Mirror from core::Mirror { FirstOne, SecondOne } }

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub thread_id: String,
    #[serde(flatten)]
    pub body: Body,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum Body { Form { message: String }, Url { url: String } }

fn default_true() -> bool { true }
fn default_mode() -> SandboxMode { SandboxMode::WorkspaceWrite }
fn default_modes() -> Vec<SandboxMode> { vec![SandboxMode::ReadOnly, SandboxMode::DangerFullAccess] }
fn default_name() -> String { "codex".to_string() }

#[derive(Default)]
#[serde(rename_all = "lowercase")]
pub enum Level { Low, #[default] High }

#[derive(Serialize, Deserialize)]
pub struct Defaults {
    #[serde(default = "default_true")]
    pub on: bool,
    #[serde(default = "default_mode")]
    pub mode: SandboxMode,
    #[serde(default = "default_modes")]
    pub modes: Vec<SandboxMode>,
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default)]
    pub level: Level,
}
"""


@pytest.fixture(scope="module")
def generated() -> ModuleType:
    parsed = parse_source(
        RUST, file="codex-rs/core/src/exec.rs", crate="codex_core", module="codex_core::exec"
    )
    registry = Registry()
    registry.add_file(parsed, "codex-rs/core/src/exec.rs")
    emitter = Emitter(registry)
    names = [
        "ExecParams",
        "SandboxMode",
        "Event",
        "Adjacent",
        "Loose",
        "External",
        "Env",
        "MAX_TIMEOUT_MS",
        "DEFAULT_SHELL",
        "Mirror",
        "Defaults",
        "Request",
    ]
    defs = emitter.translate([d for n in names for d in registry.by_name(n)])
    text = render_module(defs, commit="0" * 40, docstring="test module")
    return load_module(text, "ferry_test_serde_rules")


def _adapter(module: ModuleType, name: str) -> TypeAdapter[Any]:
    return TypeAdapter(getattr(module, name))


def test_struct_renames_defaults_flatten_and_skip(generated: ModuleType) -> None:
    wire = {"command": ["ls"], "env": {"A": "1"}, "max_output_bytes": 10}
    value = generated.ExecParams.model_validate(wire)
    assert value.timeout_ms is None and value.with_escalated_permissions is False
    assert value.max_output_bytes == 10  # flattened from Limits
    dumped = value.model_dump(by_alias=True, exclude_none=True)
    assert dumped == {
        "command": ["ls"],
        "withEscalatedPermissions": False,
        "env": {"A": "1"},
        "max_output_bytes": 10,
    }
    assert "internal" not in generated.ExecParams.model_fields
    assert "type" in generated.ExecParams.model_fields  # r#type: a soft keyword stays a valid name
    assert generated.ExecParams.model_validate(wire | {"type": "x"}).type == "x"
    with pytest.raises(ValidationError):
        generated.ExecParams.model_validate(
            {"env": {}, "max_output_bytes": 1}
        )  # command is required
    assert generated.ExecParams.__doc__ == "Parameters of one command."


def test_simple_enum_is_a_str_enum_with_serde_names(generated: ModuleType) -> None:
    assert [m.value for m in generated.SandboxMode] == ["read-only", "workspace-write", "yolo"]
    assert generated.SandboxMode("workspace-write").name == "WORKSPACE_WRITE"


def test_internally_tagged_enum(generated: ModuleType) -> None:
    adapter = _adapter(generated, "Event")
    assert type(adapter.validate_python({"type": "task_started"})).__name__ == "EventTaskStarted"
    message = adapter.validate_python({"type": "agent_message", "message": "hi"})
    assert message.message == "hi"
    end = adapter.validate_python(
        {"type": "exec_end", "exit_code": 3}
    )  # newtype variant: fields inline
    assert end.exit_code == 3
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "agent_message"})


def test_adjacently_tagged_enum(generated: ModuleType) -> None:
    adapter = _adapter(generated, "Adjacent")
    assert adapter.validate_python({"kind": "Text", "payload": "x"}).payload == "x"
    assert type(adapter.validate_python({"kind": "Ping"})).__name__ == "AdjacentPing"


def test_untagged_enum(generated: ModuleType) -> None:
    adapter = _adapter(generated, "Loose")
    assert adapter.validate_python(5) == 5
    assert adapter.validate_python(["a"]) == ["a"]
    with pytest.raises(ValidationError):
        adapter.validate_python({"a": 1})


def test_externally_tagged_enum(generated: ModuleType) -> None:
    adapter = _adapter(generated, "External")
    assert adapter.validate_python("plain") == "plain"
    assert adapter.validate_python({"withData": {"exit_code": 1}}).with_data.exit_code == 1
    assert adapter.validate_python({"wrapped": "s"}).wrapped == "s"
    with pytest.raises(ValidationError):
        adapter.validate_python({"wrapped": "s", "extra": 1})


def test_aliases_and_consts(generated: ModuleType) -> None:
    assert _adapter(generated, "Env").validate_python({"A": None, "B": "x"}) == {
        "A": None,
        "B": "x",
    }
    assert generated.MAX_TIMEOUT_MS == 600_000
    assert generated.DEFAULT_SHELL == "bash"


def test_defaults_follow_default_fns_and_default_variants(generated: ModuleType) -> None:
    value = generated.Defaults.model_validate({})
    assert value.on is True
    assert value.mode == generated.SandboxMode.WORKSPACE_WRITE
    assert value.modes == [
        generated.SandboxMode.READ_ONLY,
        generated.SandboxMode.DANGER_FULL_ACCESS,
    ]
    assert value.name == "codex"
    assert value.level == "high"
    assert generated.Defaults.model_json_schema().get("required") is None


def test_struct_flattening_a_tagged_enum_is_a_union_of_objects(generated: ModuleType) -> None:
    adapter = _adapter(generated, "Request")
    form = adapter.validate_python({"threadId": "t", "mode": "form", "message": "m"})
    assert type(form).__name__ == "RequestForm" and form.thread_id == "t" and form.message == "m"
    url = adapter.validate_python({"threadId": "t", "mode": "url", "url": "u"})
    assert url.url == "u"
    with pytest.raises(ValidationError):
        adapter.validate_python(
            {"mode": "url", "url": "u"}
        )  # threadId is required in every variant


def test_enum_mirroring_macro_is_expanded(generated: ModuleType) -> None:
    assert [m.value for m in generated.Mirror] == ["firstOne", "secondOne"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '(tag = "type", rename_all = "camelCase")',
            (("tag", "type"), ("rename_all", "camelCase")),
        ),
        ("(default, flatten)", (("default", True), ("flatten", True))),
        (
            '(default = "default_true", skip_serializing_if = "Option::is_none")',
            (("default", "default_true"), ("skip_serializing_if", "Option::is_none")),
        ),
        ('(rename(serialize = "a"), default)', (("rename", True), ("default", True))),
    ],
)
def test_attribute_arguments(text: str, expected: tuple[tuple[str, object], ...]) -> None:
    assert parse_attr_args(text) == expected


def test_generation_is_deterministic() -> None:
    texts = set()
    for _ in itertools.repeat(None, 2):
        parsed = parse_source(RUST, file="f.rs", crate="c", module="c::m")
        registry = Registry()
        registry.add_file(parsed, "f.rs")
        defs = Emitter(registry).translate(registry.decls)
        texts.add(render_module(defs, commit="1" * 40, docstring="d"))
    assert len(texts) == 1
