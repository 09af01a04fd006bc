"""ChangeSet -> plan -> mechanical translate -> merged module that reproduces upstream schemas."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from translator.backends.factory import make_backend
from translator.changeset import ChangedItem, ChangeSet
from translator.config import load_config
from translator.errors import InputError
from translator.mechanical.registry import load_crates
from translator.mechanical.schema_check import DEFAULT_CRATES, recorded_commit, schema_of
from translator.mechanical.schema_compare import schema_shape
from translator.plan import build_plan
from translator.provenance import ProvenanceIndex
from translator.sources import GitTree
from translator.translate import Translator

REPO = Path(__file__).resolve().parents[2]
NAMES = [
    "DeviceKeyCreateParams",
    "DeviceKeyCreateResponse",
    "DeviceKeySignParams",
    "DeviceKeySignResponse",
]


def test_device_key_types_end_to_end(tmp_path: Path, schema_dir: Path, upstream_git: Path) -> None:
    # the commit the conformance schemas were generated at (recorded in the golden module)
    commit = recorded_commit(
        (REPO / "tests" / "translator" / "golden" / "app_server_protocol_v2.py").read_text()
    )
    assert commit is not None
    try:
        tree = GitTree(upstream_git, commit)
    except InputError as exc:
        pytest.skip(f"the mirror lacks commit {commit}: {exc}")
    registry = load_crates(tree, list(DEFAULT_CRATES))
    wanted = set(NAMES) | {
        "DeviceKeyAlgorithm",
        "DeviceKeyProtectionClass",
        "DeviceKeyProtectionPolicy",
        "DeviceKeySignPayload",
        "RemoteControlClientConnectionAudience",
        "RemoteControlClientEnrollmentAudience",
    }
    decls = [d for d in registry.decls if d.name in wanted and d.module.endswith("::v2")]
    assert {d.name for d in decls} == wanted
    changeset = ChangeSet(
        base="0" * 40,
        head=tree.commit,
        items=tuple(
            ChangedItem(
                qualified_path=d.qualified_path,
                item_kind=d.kind,
                status="added",
                change_kind="new",
                file=d.file,
                new_text=d.text,
            )
            for d in decls
        ),
    )
    config, _ = load_config(REPO / "ferry.toml")
    # a generated module for a crate the port does not hold yet: new modules allowed here
    config = config.model_copy(
        update={"upstream_git_dir": str(upstream_git), "new_modules": "allow"}
    )
    target_root = tmp_path / "port"
    with ProvenanceIndex(tmp_path / "provenance.sqlite") as index:
        plan = build_plan(changeset, config, index, target_root=target_root)
        assert [u.python_module for u in plan.units] == ["pycodex.app_server.protocol.v2"]
        backend = make_backend(
            "mechanical", config, REPO, commit=plan.head, files=[d.file for d in decls]
        )
        result = Translator(
            backend, config, base_dir=tmp_path, state_dir=tmp_path / "state", provenance=index
        ).run(plan)
        assert result.ok, result.units[0].error
        assert len(index.for_rust(decls[0].qualified_path)) >= 1

    path = target_root / "pycodex" / "app_server" / "protocol" / "v2.py"
    assert (target_root / "pycodex" / "app_server" / "__init__.py").exists()
    spec = importlib.util.spec_from_file_location("ferry_e2e_v2", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ferry_e2e_v2"] = module
    spec.loader.exec_module(module)
    for name in NAMES:
        expected = json.loads((schema_dir / f"{name}.json").read_text())
        assert schema_shape(expected) == schema_shape(schema_of(getattr(module, name))), name
