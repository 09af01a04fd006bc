"""The mechanical backend reproduces upstream's app-server v2 JSON Schemas (goal >= 95%)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from translator.mechanical.schema_check import (
    compare_schemas,
    generate_for_schema_dir,
    load_module,
    recorded_commit,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "app_server_protocol_v2.py"


def _names(schema_dir: Path) -> dict[str, str]:
    return {p.stem: p.stem for p in schema_dir.glob("*.json")}


def test_golden_module_matches_upstream_schemas(schema_dir: Path) -> None:
    module = load_module(GOLDEN.read_text(encoding="utf-8"), "ferry_golden_v2")
    report = compare_schemas(module, schema_dir, _names(schema_dir))
    failures = [(r.name, r.differences) for r in report.results if not r.matched]
    print(f"app-server v2 schemas matched: {report.matched}/{report.total} = {report.ratio:.1%}")
    assert report.total >= 180
    assert report.ratio >= 0.95, failures


def test_comparison_detects_a_changed_schema(schema_dir: Path, tmp_path: Path) -> None:
    """Tamper with one upstream schema (drop a required name): that file must stop matching."""
    original = json.loads((schema_dir / "ThreadStartParams.json").read_text())
    original["required"] = ["model"]
    (tmp_path / "ThreadStartParams.json").write_text(json.dumps(original))
    renamed = json.loads((schema_dir / "TurnInterruptParams.json").read_text())
    renamed["properties"]["threadIdentifier"] = renamed["properties"].pop("threadId")
    (tmp_path / "TurnInterruptParams.json").write_text(json.dumps(renamed))
    module = load_module(GOLDEN.read_text(encoding="utf-8"), "ferry_golden_v2_tamper")
    report = compare_schemas(module, tmp_path, _names(tmp_path))
    assert report.matched == 0
    differences = {r.name: r.differences for r in report.results}
    assert any("required" in d for d in differences["ThreadStartParams"])
    assert any("threadIdentifier" in d for d in differences["TurnInterruptParams"])


def test_generated_models_round_trip_wire_json(schema_dir: Path) -> None:
    module = load_module(GOLDEN.read_text(encoding="utf-8"), "ferry_golden_v2_rt")
    wire = {"threadId": "t-1", "turnId": "u-2"}
    value = module.TurnInterruptParams.model_validate(wire)
    assert value.thread_id == "t-1"
    assert value.model_dump(by_alias=True) == wire
    # an internally tagged union picks the variant from the "type" tag
    adapter = TypeAdapter(module.ThreadItem)
    item = adapter.validate_python({"type": "agentMessage", "id": "i1", "text": "hi"})
    assert type(item).__name__ == "ThreadItemAgentMessage"
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "noSuchItem", "id": "i1"})
    # an externally tagged enum: unit variants are strings, data variants one-key objects
    errors = TypeAdapter(module.CodexErrorInfo)
    assert errors.validate_python("serverOverloaded") == "serverOverloaded"
    failed = errors.validate_python({"httpConnectionFailed": {"httpStatusCode": 502}})
    assert failed.http_connection_failed.http_status_code == 502


def test_regeneration_is_a_no_op(schema_dir: Path, upstream_git: Path) -> None:
    """Regenerating from the recorded upstream commit reproduces the committed module byte for byte."""
    text = GOLDEN.read_text(encoding="utf-8")
    commit = recorded_commit(text)
    assert commit is not None
    try:
        generated = generate_for_schema_dir(upstream_git, schema_dir, commit=commit)
    except Exception as exc:  # the mirror may not carry this commit
        pytest.skip(f"cannot read commit {commit} from {upstream_git}: {exc}")
    assert generated.missing == ()
    assert generated.text == text


def test_golden_module_type_checks_strictly(tmp_path: Path) -> None:
    """The generated module is mypy --strict clean (it is meant to ship in the port)."""
    from mypy import api

    copy = tmp_path / "app_server_protocol_v2.py"
    copy.write_text(GOLDEN.read_text(encoding="utf-8"))
    stdout, stderr, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy"), str(copy)]
    )
    assert status == 0, stdout + stderr
