"""ChangeSet -> Plan: routing, ordering, counterparts, estimates, unmapped and skipped items."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from translator.changeset import ChangedItem, ChangeSet
from translator.cli import plan as plan_command
from translator.config import LlmConfig, Price, TranslateConfig
from translator.plan import PLAN_FORMAT, build_plan
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
        _item("codex_core::exec::ExecParams", "codex-rs/core/src/exec.rs", "struct"),
        _item("codex_core::exec::spawn", "codex-rs/core/src/exec.rs"),
        _item("codex_core::exec::Runner::kill", "codex-rs/core/src/exec.rs", "method"),
        _item("codex_core::exec::old_helper", "codex-rs/core/src/exec.rs", status="removed"),
        _item("codex_protocol::models::ResponseItem", "codex-rs/protocol/src/models.rs", "enum"),
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


def _config() -> TranslateConfig:
    return TranslateConfig(
        module_map={
            "codex-rs/core/src/**": "pycodex.core.{path}",
            "codex-rs/protocol/src/**": "pycodex.protocol.{path}",
            "codex-rs/cli/src/**": "pycodex.cli",
        },
        llm=LlmConfig(model="m"),
        prices={"m": Price(input=2.0, output=8.0)},
    )


def test_units_are_ordered_and_routed(tmp_path: Path) -> None:
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.exec", "spawn_process", "codex_core::exec::spawn", "c" * 40, "12345678"
                )
            ]
        )
        plan = build_plan(CHANGESET, _config(), index, target_root=tmp_path)
    assert [u.python_module for u in plan.units] == [
        "pycodex.protocol.models",  # foundation
        "pycodex.core.exec",  # core
        "pycodex.exec",  # core: where the provenance index says spawn already lives
        "pycodex.cli",  # presentation
    ]
    assert [u.layer for u in plan.units] == ["foundation", "core", "core", "presentation"]
    exec_unit = plan.units[1]
    assert [i.python_symbol for i in exec_unit.items] == ["ExecParams", "Runner.kill", "old_helper"]
    assert exec_unit.target_path == str(tmp_path / "pycodex" / "core" / "exec.py")
    assert [i.action for i in exec_unit.items] == ["translate", "translate", "remove"]
    (spawn,) = plan.units[2].items
    assert spawn.python_symbol == "spawn_process"
    assert spawn.counterparts[0].commit == "c" * 40
    assert [u.qualified_path for u in plan.unmapped] == ["codex_tui::app::App::render"]
    assert sorted(s.qualified_path for s in plan.skipped) == [
        "codex_core::exec::moved",
        "codex_core::exec::tests::it_works",
    ]


def test_estimates_and_cost(tmp_path: Path) -> None:
    plan = build_plan(CHANGESET, _config(), None, target_root=tmp_path)
    for unit in plan.units:
        assert unit.est_input_tokens == sum(i.est_input_tokens for i in unit.items)
        translated = [i for i in unit.items if i.action == "translate"]
        assert all(i.est_input_tokens > 1000 for i in translated)  # prompt overhead + texts
        assert unit.est_cost_usd == round(
            (unit.est_input_tokens * 2.0 + unit.est_output_tokens * 8.0) / 1e6, 6
        )
    assert plan.est_input_tokens == sum(u.est_input_tokens for u in plan.units)
    assert plan.format == PLAN_FORMAT and plan.config["llm"]["model"] == "m"


def test_cli_plan_writes_json(tmp_path: Path) -> None:
    (tmp_path / "ferry.toml").write_text(
        '[upstream]\nurl = "x"\n\n[translate]\nstate_dir = ".state"\ntarget_root = "port"\n\n'
        '[translate.module_map]\n"codex-rs/core/src/**" = "pycodex.core.{path}"\n'
    )
    changeset_path = tmp_path / "changeset.json"
    changeset_path.write_text(CHANGESET.model_dump_json())
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        plan_command,
        [str(changeset_path), "-o", str(out), "--config", str(tmp_path / "ferry.toml")],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["format"] == PLAN_FORMAT
    assert [u["python_module"] for u in data["units"]] == ["pycodex.core.exec"]
    assert len(data["unmapped"]) == 3
    assert (tmp_path / ".state" / "provenance.sqlite").exists()


def test_cli_plan_rejects_bad_changeset(tmp_path: Path) -> None:
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"format": "ferry.changeset/1", "base": "a"}))
    result = CliRunner().invoke(plan_command, [str(bad)])
    assert result.exit_code != 0
    assert "field head" in result.output


def test_counterpart_source_counts_towards_the_estimate(tmp_path: Path) -> None:
    changeset = ChangeSet(
        base="a" * 40,
        head="b" * 40,
        items=(_item("codex_core::exec::spawn", "codex-rs/core/src/exec.rs"),),
    )
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        before = build_plan(changeset, _config(), index, target_root=tmp_path)
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.core.exec", "spawn", "codex_core::exec::spawn", "c" * 40, "1"
                )
            ]
        )
        module = tmp_path / "pycodex" / "core" / "exec.py"
        module.parent.mkdir(parents=True)
        body = "def spawn(argv: list[str]) -> int:\n" + "    x = 1\n" * 200 + "    return x\n"
        module.write_text(body + "\n\ndef other() -> int:\n    return 2\n")
        after = build_plan(changeset, _config(), index, target_root=tmp_path)
    grown = after.units[0].items[0].est_input_tokens - before.units[0].items[0].est_input_tokens
    assert grown == int(len(body) / 4) or abs(grown - len(body) / 4) <= 1


def test_cli_plan_reindex_finds_counterparts_from_markers(tmp_path: Path) -> None:
    (tmp_path / "ferry.toml").write_text(
        '[translate]\nstate_dir = ".state"\ntarget_root = "port"\n\n'
        '[translate.module_map]\n"codex-rs/core/src/**" = "pycodex.core.{path}"\n'
    )
    module = tmp_path / "port" / "pycodex" / "runner.py"
    module.parent.mkdir(parents=True)
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
    args = [
        str(changeset_path),
        "-o",
        str(out),
        "--config",
        str(tmp_path / "ferry.toml"),
        "--reindex",
    ]
    result = CliRunner().invoke(plan_command, args)
    assert result.exit_code == 0, result.output
    (unit,) = json.loads(out.read_text())["units"]
    assert unit["python_module"] == "pycodex.runner"
    assert unit["items"][0]["python_symbol"] == "spawn_child"
    assert unit["items"][0]["counterparts"][0]["rust_hash"] == "00ff00ff"
