"""The mechanical backend through the whole loop: plan unit -> candidate -> check -> merge."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from translator.backends.mechanical import MechanicalBackend
from translator.config import TranslateConfig
from translator.mechanical.parse import parse_source
from translator.mechanical.registry import Registry
from translator.plan import Plan, PlannedItem, TranslationUnit
from translator.translate import Translator

RUST = """
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TurnParams {
    pub thread_id: String,
    pub effort: Option<Effort>,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Effort { Low, High { budget_tokens: u32 } }

pub fn not_a_declaration() {}
"""

EXISTING = '"""Protocol types."""\n\n\ndef helper() -> int:\n    return 7\n'


def _registry() -> Registry:
    registry = Registry()
    registry.add_file(
        parse_source(RUST, file="codex-rs/p/src/v2.rs", crate="p", module="p::v2"),
        "codex-rs/p/src/v2.rs",
    )
    return registry


def _item(name: str, kind: str) -> PlannedItem:
    return PlannedItem(
        qualified_path=f"p::v2::{name}",
        item_kind=kind,
        status="added",
        change_kind="new",
        file="codex-rs/p/src/v2.rs",
        action="translate",
        python_symbol=name,
        new_text="(see registry)",
    )


def _plan(target: Path, *items: PlannedItem) -> Plan:
    unit = TranslationUnit(
        id="pycodex.protocol.v2",
        python_module="pycodex.protocol.v2",
        target_path=str(target),
        layer="foundation",
        order=0,
        items=items,
        est_input_tokens=0,
        est_output_tokens=0,
        est_cost_usd=0.0,
    )
    return Plan(base="a" * 40, head="c" * 40, units=(unit,))


def _import(path: Path, name: str) -> object:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_mechanical_unit_merges_models_into_an_existing_module(tmp_path: Path) -> None:
    target = tmp_path / "v2.py"
    target.write_text(EXISTING)
    translator = Translator(
        MechanicalBackend(_registry), TranslateConfig(), base_dir=tmp_path, state_dir=tmp_path / "s"
    )
    plan = _plan(target, _item("TurnParams", "struct"), _item("Effort", "enum"))
    result = translator.run(plan)
    unit = result.units[0]
    assert unit.outcome == "merged", unit.error
    assert result.cost_usd == 0 and result.calls == 1
    text = target.read_text()
    assert text.startswith('"""Protocol types."""\n\nfrom __future__ import annotations\n')
    assert "\n\ndef helper() -> int:\n    return 7\n" in text  # untouched
    assert "# ferry: p::v2::TurnParams @ cccccccccccc " in text
    assert "# ferry: p::v2::Effort @ cccccccccccc " in text
    module = _import(target, "ferry_mech_backend_v2")
    params = module.TurnParams.model_validate(
        {"threadId": "t", "effort": {"type": "high", "budget_tokens": 5}}
    )  # type: ignore[attr-defined]
    assert params.effort.budget_tokens == 5

    # regenerating the same unit is a no-op for the module's bytes
    again = Translator(
        MechanicalBackend(_registry), TranslateConfig(), base_dir=tmp_path, state_dir=tmp_path / "s"
    )
    second = again.run(plan)
    assert second.units[0].outcome == "unchanged"
    assert target.read_text() == text


def test_mechanical_backend_refuses_functions(tmp_path: Path) -> None:
    target = tmp_path / "v2.py"
    target.write_text(EXISTING)
    translator = Translator(
        MechanicalBackend(_registry), TranslateConfig(), base_dir=tmp_path, state_dir=tmp_path / "s"
    )
    result = translator.run(_plan(target, _item("not_a_declaration", "fn")))
    assert result.units[0].outcome == "failed"
    assert "declarations only" in result.units[0].error and "--backend llm" in result.units[0].error
    assert target.read_text() == EXISTING


def test_dropped_variant_is_removed_on_retranslation(tmp_path: Path) -> None:
    """A later commit drops an enum variant: its model, known from provenance, is removed."""
    from translator.plan import Counterpart
    from translator.provenance import ProvenanceIndex

    target = tmp_path / "v2.py"
    target.write_text(EXISTING)
    index = ProvenanceIndex(tmp_path / "p.sqlite")
    first = Translator(
        MechanicalBackend(_registry),
        TranslateConfig(),
        base_dir=tmp_path,
        state_dir=tmp_path / "s",
        provenance=index,
    )
    assert first.run(_plan(target, _item("Effort", "enum"))).units[0].outcome == "merged"
    recorded = index.for_rust("p::v2::Effort")
    assert sorted(r.python_symbol for r in recorded) == ["Effort", "EffortHigh", "EffortLow"]

    def smaller() -> Registry:
        registry = Registry()
        text = '#[serde(tag = "type", rename_all = "camelCase")]\npub enum Effort { Low }\n'
        registry.add_file(parse_source(text, file="f.rs", crate="p", module="p::v2"), "f.rs")
        return registry

    item = _item("Effort", "enum").model_copy(
        update={
            "status": "modified",
            "counterparts": tuple(
                Counterpart(
                    python_module="pycodex.protocol.v2",
                    python_symbol=r.python_symbol,
                    commit=r.commit,
                    rust_hash=r.rust_hash,
                )
                for r in recorded
            ),
        }
    )
    second = Translator(
        MechanicalBackend(smaller),
        TranslateConfig(),
        base_dir=tmp_path,
        state_dir=tmp_path / "s2",
        provenance=index,
    )
    result = second.run(_plan(target, item))
    assert result.units[0].removed == ("EffortHigh",)
    text = target.read_text()
    assert "class EffortHigh" not in text and "class EffortLow" in text
    assert sorted(r.python_symbol for r in index.for_rust("p::v2::Effort")) == [
        "Effort",
        "EffortLow",
    ]
    index.close()


def test_hand_written_counterparts_are_not_removed_as_stale(tmp_path: Path) -> None:
    """A hand-written symbol linked to the item (no content hash in its marker) survives a
    retranslation that does not define it; only translated counterparts are stale."""
    from translator.plan import Counterpart

    target = tmp_path / "v2.py"
    target.write_text(
        EXISTING
        + "\n\n# ferry: p::v2::Effort @ 0123456789ab\ndef effort_label(e: object) -> str:\n"
        "    return str(e)\n"
    )
    item = _item("Effort", "enum").model_copy(
        update={
            "status": "modified",
            "counterparts": (
                Counterpart(
                    python_module="pycodex.protocol.v2",
                    python_symbol="effort_label",
                    commit="0123456789ab",
                    rust_hash="",
                ),
            ),
        }
    )
    translator = Translator(
        MechanicalBackend(_registry),
        TranslateConfig(),
        base_dir=tmp_path,
        state_dir=tmp_path / "s",
    )
    result = translator.run(_plan(target, item))
    assert result.units[0].outcome == "merged" and result.units[0].removed == ()
    assert "def effort_label" in target.read_text()


def test_new_module_in_new_packages_gets_init_files(tmp_path: Path) -> None:
    root = tmp_path / "port"
    (root / "pycodex").mkdir(parents=True)
    (root / "pycodex" / "__init__.py").write_text('"""pycodex."""\n')
    target = root / "pycodex" / "protocol" / "v2.py"
    translator = Translator(
        MechanicalBackend(_registry), TranslateConfig(), base_dir=tmp_path, state_dir=tmp_path / "s"
    )
    result = translator.run(_plan(target, _item("Effort", "enum")))
    assert result.units[0].outcome == "merged", result.units[0].error
    assert (root / "pycodex" / "protocol" / "__init__.py").read_text() == (
        '"""pycodex.protocol: translated from upstream Rust by ferry."""\n'
    )
    assert (root / "pycodex" / "__init__.py").read_text() == '"""pycodex."""\n'
    assert not (tmp_path / "__init__.py").exists()
    assert target.read_text().startswith(
        '"""pycodex.protocol.v2: translated from upstream Rust by ferry."""\n'
    )
