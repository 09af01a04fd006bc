"""config/read|value/write|batchWrite and model/list, and the data files behind them."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from appserver_client import AppServerHarness

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "port" / "pycodex" / "app_server"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("script", "data"),
    [("gen_model_presets", "model_presets.json"), ("gen_config_defaults", "config_defaults.json")],
)
def test_data_files_regenerate_as_committed(script: str, data: str) -> None:
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    try:
        codex = str(codex_binary())
    except OracleUnavailable as exc:
        pytest.skip(f"the codex oracle is unavailable: {exc}")
    assert _script(script).generate(codex) == (DATA / data).read_text(encoding="utf-8"), (
        f"run: python scripts/{script}.py"
    )


def _canonical_version(path: Path) -> str:
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(table, separators=(",", ":"), sort_keys=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_config_writes_and_reads_back(app: AppServerHarness) -> None:
    server = app.start()
    server.initialize()
    wrote = server.request(
        1,
        "config/value/write",
        {"keyPath": "model", "value": "gpt-5.4", "mergeStrategy": "replace"},
    )["result"]
    config = app.home / "config.toml"
    assert wrote == {
        "status": "ok",
        "version": _canonical_version(config),
        "filePath": str(config),
        "overriddenMetadata": None,
    }
    batch = server.request(
        2,
        "config/batchWrite",
        {
            "edits": [
                {
                    "keyPath": "sandbox_workspace_write.network_access",
                    "value": True,
                    "mergeStrategy": "upsert",
                },
                {"keyPath": "model_verbosity", "value": "high", "mergeStrategy": "replace"},
            ]
        },
    )["result"]
    assert batch["version"] == _canonical_version(config)
    table = tomllib.loads(config.read_text())
    assert table["model"] == "gpt-5.4" and table["sandbox_workspace_write"] == {
        "network_access": True
    }
    bad = server.request(
        3, "config/value/write", {"keyPath": "model", "value": 7, "mergeStrategy": "replace"}
    )["error"]
    assert bad == {
        "code": -32600,
        "message": "Invalid configuration: invalid type: integer `7`, expected a string\nin `model`\n",
        "data": {"config_write_error_code": "configValidationError"},
    }
    read = server.request(4, "config/read", {"includeLayers": True})["result"]
    assert read["config"]["model"] == "gpt-5.4" and read["config"]["file_opener"] == "vscode"
    assert read["config"]["model_providers"]["mock"]["requires_openai_auth"] is False
    assert read["origins"]["model"]["name"] == {
        "type": "user",
        "file": str(config),
        "profile": None,
    }
    assert [layer["name"]["type"] for layer in read["layers"]] == ["user", "system"]
    thread = server.request(5, "thread/start", {"cwd": str(app.workspace)})["result"]
    assert thread["model"] == "gpt-5.4"
    assert server.close() == 0


def test_model_list_pages_through_the_presets(app: AppServerHarness) -> None:
    server = app.start()
    server.initialize()
    everything = server.request(1, "model/list", {})["result"]
    models = everything["data"]
    assert everything["nextCursor"] is None and len(models) >= 5
    assert [m["isDefault"] for m in models].count(True) == 1 and models[0]["isDefault"]
    assert not any(m["hidden"] for m in models)
    first = server.request(2, "model/list", {"limit": 2})["result"]
    assert [m["id"] for m in first["data"]] == [m["id"] for m in models[:2]] and first[
        "nextCursor"
    ] == "2"
    rest = server.request(3, "model/list", {"cursor": "2"})["result"]
    assert [m["id"] for m in rest["data"]] == [m["id"] for m in models[2:]]
    hidden = server.request(4, "model/list", {"includeHidden": True})["result"]["data"]
    assert len(hidden) > len(models)
    bad = server.request(5, "model/list", {"cursor": "x"})["error"]
    assert bad["message"] == "invalid cursor: x"
    assert server.close() == 0
