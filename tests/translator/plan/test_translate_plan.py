"""ChangeSet -> Plan: routing, ordering, counterparts, estimates; every item decided."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from translator.changeset import ChangedItem, ChangeSet
from translator.cli import plan as plan_command
from translator.cli import translate as translate_command
from translator.config import DeclineRule, LlmConfig, Price, TranslateConfig
from translator.plan import (
    PLAN_FORMAT,
    Plan,
    PlanError,
    build_plan,
    check_plan_targets,
    existing_modules,
)
from translator.provenance import ProvenanceIndex, ProvenanceRecord


def _item(
    path: str, file: str, kind: str = "fn", status: str = "modified", **extra: object
) -> ChangedItem:
    return ChangedItem.model_validate(
        {
            "qualified_path": path,
            "item_kind": kind,
            "status": status,
            "change_kind": extra.pop("change_kind", "body"),
            "file": file,
            "old_text": extra.pop("old_text", None if status == "added" else "fn old() {}"),
            "new_text": extra.pop(
                "new_text", None if status == "removed" else "fn new() { 1 + 1 }"
            ),
            "new_hash": "f" * 64,
            **extra,
        }
    )


CHANGESET = ChangeSet(
    base="a" * 40,
    head="b" * 40,
    items=(
        _item("codex_tui::app::App::render", "codex-rs/tui/src/app.rs", "method"),
        _item("codex_cli::main", "codex-rs/cli/src/main.rs"),
        _item("codex_core::exec::ExecParams", "codex-rs/core/src/exec.rs", "struct", "added"),
        _item("codex_core::exec::spawn", "codex-rs/core/src/exec.rs"),
        _item("codex_core::exec::Runner::kill", "codex-rs/core/src/exec.rs", "method"),
        _item("codex_core::exec::old_helper", "codex-rs/core/src/exec.rs", status="removed"),
        _item("codex_core::exec::unported", "codex-rs/core/src/exec.rs"),
        _item(
            "codex_protocol::models::ResponseItem",
            "codex-rs/protocol/src/models.rs",
            "enum",
            "added",
        ),
        _item(
            "codex_core::exec::tests::it_works",
            "codex-rs/core/src/exec.rs",
            "test_fn",
            is_test=True,
        ),
        _item(
            "codex_core::exec::moved",
            "codex-rs/core/src/exec.rs",
            status="shifted",
            change_kind="position-only",
        ),
    ),
)


def _config(**extra: object) -> TranslateConfig:
    return TranslateConfig.model_validate(
        {
            "backend": "llm",
            "module_map": {
                "codex-rs/core/src/**": "pycodex.core.{path}",
                "codex-rs/protocol/src/**": "pycodex.protocol.{path}",
                "codex-rs/cli/src/**": "pycodex.cli",
            },
            "llm": LlmConfig(model="m"),
            "prices": {"m": Price(input=2.0, output=8.0)},
            **extra,
        }
    )


def _port(root: Path, *modules: str) -> Path:
    """A target tree holding ``modules`` (their packages get ``__init__.py`` files)."""
    for module in modules:
        parts = module.split(".")
        for depth in range(1, len(parts)):
            init = root.joinpath(*parts[:depth]) / "__init__.py"
            init.parent.mkdir(parents=True, exist_ok=True)
            if not init.exists():
                init.write_text("")
        root.joinpath(*parts).with_suffix(".py").write_text(f'"""{module}."""\n')
    return root


def _decided(plan: Plan) -> list[str]:
    return sorted(
        [i.qualified_path for u in plan.units for i in u.items]
        + [p.qualified_path for p in plan.pending]
        + [d.qualified_path for d in plan.declined]
    )


def test_every_item_is_routed_pending_or_declined(tmp_path: Path) -> None:
    root = _port(
        tmp_path / "port",
        "pycodex.protocol.models",
        "pycodex.core.exec",
        "pycodex.exec",
        "pycodex.cli",
    )
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.exec", "spawn_process", "codex_core::exec::spawn", "c" * 40, "12345678"
                ),
                ProvenanceRecord(
                    "pycodex.exec", "Runner.kill", "codex_core::exec::Runner::kill", "c" * 40, ""
                ),
            ]
        )
        plan = build_plan(CHANGESET, _config(), index, target_root=root)
    assert plan.format == PLAN_FORMAT == "ferry.plan/2"
    assert _decided(plan) == sorted(i.qualified_path for i in CHANGESET.items)
    assert [u.python_module for u in plan.units] == [
        "pycodex.protocol.models",  # foundation: a new enum in an existing module
        "pycodex.exec",  # core: where the linked items of codex_core::exec live
    ]
    exec_unit = plan.units[1]
    # the new struct follows its linked siblings, not the glob (pycodex.core.exec)
    assert [i.python_symbol for i in exec_unit.items] == [
        "ExecParams",
        "Runner.kill",
        "spawn_process",
    ]
    assert exec_unit.target_path == str(root / "pycodex" / "exec.py")
    assert exec_unit.items[2].counterparts[0].commit == "c" * 40
    pending = {p.qualified_path: p for p in plan.pending}
    assert pending["codex_tui::app::App::render"].code == "unmapped-crate"
    assert not pending["codex_tui::app::App::render"].blocking
    # codex_core is covered (it has links): its unported changed item holds the pin
    assert pending["codex_core::exec::unported"].code == "not-ported"
    assert pending["codex_core::exec::unported"].blocking
    assert pending["codex_cli::main"].code == "not-ported"
    assert not pending["codex_cli::main"].blocking
    assert [p.qualified_path for p in plan.blocking()] == ["codex_core::exec::unported"]
    declined = {d.qualified_path: d.rule for d in plan.declined}
    assert declined == {
        "codex_core::exec::tests::it_works": "test-code",
        "codex_core::exec::moved": "no-semantic-change",
        "codex_core::exec::old_helper": "removed-unported",
    }
    assert all(p.reason for p in plan.pending) and all(d.reason for d in plan.declined)
    assert plan.covered_crates == ("codex_core",)


def test_trait_impl_methods_find_their_type_method_link(tmp_path: Path) -> None:
    root = _port(tmp_path / "port", "pycodex.tools.handlers")
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(
            _item(
                "codex_core::tools::handlers::apply_patch::<ApplyPatchHandler as ToolHandler>::handle",
                "codex-rs/core/src/tools/handlers/apply_patch.rs",
                "method",
            ),
        ),
    )
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.tools.handlers",
                    "ApplyPatchHandler.handle",
                    "codex_core::tools::handlers::apply_patch::ApplyPatchHandler::handle",
                    "c" * 40,
                    "",
                )
            ]
        )
        plan = build_plan(changeset, _config(), index, target_root=root)
    (unit,) = plan.units
    assert unit.python_module == "pycodex.tools.handlers"
    assert unit.items[0].python_symbol == "ApplyPatchHandler.handle"


def test_a_module_that_does_not_exist_is_pending_not_created(tmp_path: Path) -> None:
    root = _port(tmp_path / "port", "pycodex.core.session")
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(_item("codex_core::turn::run", "codex-rs/core/src/turn.rs", "fn", "added"),),
    )
    plan = build_plan(changeset, _config(), None, target_root=root)
    assert plan.units == ()
    (pending,) = plan.pending
    assert pending.code == "new-module" and pending.python_module == "pycodex.core.turn"
    assert "nothing imports" in pending.reason
    assert not (root / "pycodex" / "core" / "turn.py").exists()


@pytest.mark.parametrize("new_modules", ["pending", "allow"])
def test_shadowing_a_module_is_refused(tmp_path: Path, new_modules: str) -> None:
    root = _port(tmp_path / "port", "pycodex.core.session")
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(
            _item(
                "codex_core::session::turn::run", "codex-rs/core/src/session/turn.rs", "fn", "added"
            ),
        ),
    )
    with pytest.raises(PlanError, match=r"shadowing it") as caught:
        build_plan(changeset, _config(new_modules=new_modules), None, target_root=root)
    assert "session.py" in str(caught.value) and "codex_core::session::turn::run" in str(
        caught.value
    )


def test_duplicating_a_package_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "port"
    (root / "pycodex" / "apply_patch").mkdir(parents=True)
    (root / "pycodex" / "apply_patch" / "__init__.py").write_text('"""apply_patch."""\n')
    _port(root, "pycodex.tools.specs")
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(
            _item(
                "codex_apply_patch::parse_patch", "codex-rs/apply-patch/src/lib.rs", "fn", "added"
            ),
        ),
    )
    config = _config(
        new_modules="allow",
        module_map={"codex-rs/apply-patch/src/**": "pycodex.tools.apply_patch"},
    )
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.apply_patch.parser",
                    "parse_hunks",
                    "codex_apply_patch::parser::parse_hunks",
                    "c" * 9,
                    "",
                )
            ]
        )
        with pytest.raises(PlanError, match=r"duplicate the existing package pycodex\.apply_patch"):
            build_plan(changeset, config, index, target_root=root)
        # a package of the same name that ports something else is no twin
        guardian = ChangeSet(
            base="a" * 40,
            head="b" * 40,
            items=(
                _item(
                    "codex_core::guardian::apply_patch::run",
                    "codex-rs/core/src/guardian/apply_patch.rs",
                    "fn",
                    "added",
                ),
            ),
        )
        other = _config(
            new_modules="allow", module_map={"codex-rs/core/src/**": "pycodex.core.{path}"}
        )
        plan = build_plan(guardian, other, index, target_root=root)
        assert [u.python_module for u in plan.units] == ["pycodex.core.guardian.apply_patch"]
    # a build directory is not a package of the port
    (root / "build" / "lib" / "pycodex" / "x").mkdir(parents=True)
    (root / "build" / "lib" / "pycodex" / "x" / "__init__.py").write_text("")
    assert "build.lib.pycodex.x" not in existing_modules(root)
    # with new modules allowed and nothing shadowed, a new module is planned and flagged
    config = _config(
        new_modules="allow", module_map={"codex-rs/apply-patch/src/**": "pycodex.patching"}
    )
    plan = build_plan(changeset, config, None, target_root=root)
    assert [(u.python_module, u.new_module) for u in plan.units] == [("pycodex.patching", True)]


def test_mechanical_backend_leaves_functions_pending(tmp_path: Path) -> None:
    root = _port(tmp_path / "port", "pycodex.core.exec")
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(
            _item("codex_core::exec::spawn", "codex-rs/core/src/exec.rs", "fn", "added"),
            _item("codex_core::exec::Params", "codex-rs/core/src/exec.rs", "struct", "added"),
        ),
    )
    plan = build_plan(changeset, _config(), None, target_root=root, backend="mechanical")
    assert [i.qualified_path for u in plan.units for i in u.items] == ["codex_core::exec::Params"]
    (pending,) = plan.pending
    assert pending.code == "needs-llm" and "llm backend" in pending.reason
    assert plan.backend == "mechanical"


def test_decline_rules_from_the_config(tmp_path: Path) -> None:
    root = _port(tmp_path / "port", "pycodex.core.exec")
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(
            _item("codex_core::seatbelt::spawn", "codex-rs/core/src/seatbelt.rs", "fn", "added"),
            _item("codex_tui::app::run", "codex-rs/tui/src/app.rs", "fn", "added"),
            _item("codex_core::exec::spawn", "codex-rs/core/src/exec.rs", "fn", "added"),
        ),
    )
    rules = [
        DeclineRule(
            rule="platform-specific", reason="macOS only", items=["codex_core::seatbelt::*"]
        ),
        DeclineRule(rule="tui-only", reason="no TUI yet", files=["codex-rs/tui/**"]),
    ]
    plan = build_plan(changeset, _config(decline=rules), None, target_root=root)
    assert {d.qualified_path: d.rule for d in plan.declined} == {
        "codex_core::seatbelt::spawn": "platform-specific",
        "codex_tui::app::run": "tui-only",
    }
    assert plan.config["decline"][0]["rule"] == "platform-specific"  # recorded in the plan
    assert [i.qualified_path for u in plan.units for i in u.items] == ["codex_core::exec::spawn"]


def test_decline_rule_without_globs_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="needs `files` or `items`"):
        DeclineRule(rule="x", reason="y")


def test_covered_crates_from_the_config_hold_the_pin(tmp_path: Path) -> None:
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(_item("codex_state::db::open", "codex-rs/state/src/db.rs"),),
    )
    plan = build_plan(
        changeset, _config(covered_crates=["codex_state"]), None, target_root=tmp_path
    )
    (pending,) = plan.pending
    assert pending.code == "unmapped-crate" and pending.blocking


def test_estimates_and_cost(tmp_path: Path) -> None:
    root = _port(tmp_path / "port", "pycodex.protocol.models", "pycodex.core.exec")
    plan = build_plan(CHANGESET, _config(), None, target_root=root)
    assert plan.units
    for unit in plan.units:
        assert unit.est_input_tokens == sum(i.est_input_tokens for i in unit.items)
        translated = [i for i in unit.items if i.action == "translate"]
        assert all(i.est_input_tokens > 1000 for i in translated)  # prompt overhead + texts
        assert unit.est_cost_usd == round(
            (unit.est_input_tokens * 2.0 + unit.est_output_tokens * 8.0) / 1e6, 6
        )
    assert plan.est_input_tokens == sum(u.est_input_tokens for u in plan.units)
    assert plan.config["llm"]["model"] == "m"


def test_counterpart_source_counts_towards_the_estimate(tmp_path: Path) -> None:
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(_item("codex_core::exec::spawn", "codex-rs/core/src/exec.rs", status="added"),),
    )
    module = _port(tmp_path, "pycodex.core.exec") / "pycodex" / "core" / "exec.py"
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        before = build_plan(changeset, _config(), index, target_root=tmp_path)
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.core.exec", "spawn", "codex_core::exec::spawn", "c" * 40, "1"
                )
            ]
        )
        body = "def spawn(argv: list[str]) -> int:\n" + "    x = 1\n" * 200 + "    return x\n"
        module.write_text(body + "\n\ndef other() -> int:\n    return 2\n")
        after = build_plan(changeset, _config(), index, target_root=tmp_path)
    grown = after.units[0].items[0].est_input_tokens - before.units[0].items[0].est_input_tokens
    assert grown == int(len(body) / 4) or abs(grown - len(body) / 4) <= 1


def _project(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "ferry.toml").write_text(
        '[upstream]\nurl = "x"\n\n[translate]\nstate_dir = ".state"\ntarget_root = "port"\n'
        f'backend = "llm"\n{extra}\n'
        '[translate.module_map]\n"codex-rs/core/src/**" = "pycodex.core.{path}"\n'
    )
    return tmp_path / "ferry.toml"


def test_cli_plan_writes_json_and_lists_pending_items(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _port(tmp_path / "port", "pycodex.core.exec")
    changeset_path = tmp_path / "changeset.json"
    changeset_path.write_text(CHANGESET.model_dump_json())
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        plan_command, [str(changeset_path), "-o", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["format"] == PLAN_FORMAT
    assert [u["python_module"] for u in data["units"]] == ["pycodex.core.exec"]
    assert {p["code"] for p in data["pending"]} == {"unmapped-crate", "not-ported"}
    assert "pending  [unmapped-crate] codex_tui::app::App::render" in result.stderr
    assert "declined: 1 no-semantic-change, 1 removed-unported, 1 test-code" in result.stderr
    assert (tmp_path / ".state" / "provenance.sqlite").exists()


def test_cli_plan_rejects_bad_changeset(tmp_path: Path) -> None:
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"format": "ferry.changeset/1", "base": "a"}))
    result = CliRunner().invoke(plan_command, [str(bad)])
    assert result.exit_code != 0
    assert "field head" in result.output


def test_cli_plan_refuses_a_shadowing_plan(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _port(tmp_path / "port", "pycodex.core.session")
    changeset_path = tmp_path / "changeset.json"
    changeset_path.write_text(
        ChangeSet(
            base="a" * 40,
            head="b" * 40,
            items=(
                _item(
                    "codex_core::session::turn::run",
                    "codex-rs/core/src/session/turn.rs",
                    "fn",
                    "added",
                ),
            ),
        ).model_dump_json()
    )
    result = CliRunner().invoke(plan_command, [str(changeset_path), "--config", str(config)])
    assert result.exit_code == 1
    assert "shadowing it" in result.output and "Traceback" not in result.output


def test_translate_refuses_an_edited_plan_with_a_new_module(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _port(tmp_path / "port", "pycodex.core.session")
    plan = build_plan(
        ChangeSet(
            base="a" * 40,
            head="b" * 40,
            items=(
                _item("codex_core::session::run", "codex-rs/core/src/session.rs", "fn", "added"),
            ),
        ),
        _config(),
        None,
        target_root=tmp_path / "port",
    )
    unit = plan.units[0]
    edited = plan.model_copy(
        update={"units": (unit.model_copy(update={"python_module": "pycodex.core.session.turn"}),)}
    )
    check_plan_targets(plan, tmp_path / "port")  # the plan as made is fine
    with pytest.raises(PlanError, match="does not exist"):
        check_plan_targets(edited, tmp_path / "port")
    path = tmp_path / "plan.json"
    path.write_text(edited.model_dump_json())
    result = CliRunner().invoke(
        translate_command, [str(path), "--backend", "replay", "--config", str(config)]
    )
    assert result.exit_code == 1 and "pycodex.core.session.turn does not exist" in result.output
    assert not (tmp_path / "port" / "pycodex" / "core" / "session").exists()


def test_cli_plan_reindex_finds_counterparts_from_markers(tmp_path: Path) -> None:
    config = _project(tmp_path)
    module = _port(tmp_path / "port", "pycodex.runner") / "pycodex" / "runner.py"
    module.write_text(
        '"""Runner."""\n\n\n# ferry: codex_core::exec::spawn @ 0123456789ab 00ff00ff\n'
        "def spawn_child(argv: list[str]) -> int:\n    return len(argv)\n"
    )
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(_item("codex_core::exec::spawn", "codex-rs/core/src/exec.rs"),),
    )
    changeset_path = tmp_path / "c.json"
    changeset_path.write_text(changeset.model_dump_json())
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        plan_command, [str(changeset_path), "-o", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    (unit,) = json.loads(out.read_text())["units"]
    assert unit["python_module"] == "pycodex.runner"
    assert unit["items"][0]["python_symbol"] == "spawn_child"
    assert unit["items"][0]["counterparts"][0]["rust_hash"] == "00ff00ff"


def test_a_new_method_joins_the_class_its_type_is_linked_to(tmp_path: Path) -> None:
    root = _port(tmp_path / "port", "pycodex.runner", "pycodex.core.exec")
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(
            _item(
                "codex_core::exec::<Runner as Drop>::drop",
                "codex-rs/core/src/exec.rs",
                "method",
                "added",
            ),
            _item("codex_core::exec::Other::go", "codex-rs/core/src/exec.rs", "method", "added"),
            _item("codex_core::exec::helper", "codex-rs/core/src/exec.rs", "fn", "added"),
            _item("codex_core::exec::sub::deep", "codex-rs/core/src/exec/sub.rs", "fn", "added"),
        ),
    )
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.runner", "ProcessRunner", "codex_core::exec::Runner", "c" * 9, ""
                ),
                # a link into a submodule does not place items of the parent module
                ProvenanceRecord(
                    "pycodex.other", "deep_thing", "codex_core::exec::sub::deep_thing", "c" * 9, ""
                ),
            ]
        )
        plan = build_plan(changeset, _config(), index, target_root=root)
    placed = {
        i.qualified_path: (u.python_module, i.python_symbol) for u in plan.units for i in u.items
    }
    # the Rust type is linked to a class with another name: the method joins that class
    assert placed["codex_core::exec::<Runner as Drop>::drop"] == (
        "pycodex.runner",
        "ProcessRunner.drop",
    )
    # a free function goes where the module's directly linked items live (the tie with the
    # submodule's link, alphabetically first, would pick pycodex.other: submodules do not count)
    assert placed["codex_core::exec::helper"] == ("pycodex.runner", "helper")
    pending = {p.qualified_path: p for p in plan.pending}
    assert pending["codex_core::exec::Other::go"].code == "not-ported"
    assert "no Python class counterpart" in pending["codex_core::exec::Other::go"].reason
    # exec/sub.rs has its own linked item: new items go beside it (a module not created yet)
    assert pending["codex_core::exec::sub::deep"].python_module == "pycodex.other"
