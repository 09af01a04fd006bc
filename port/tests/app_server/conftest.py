"""Fixtures: a CODEX_HOME and workspace with a scripted model server; the wire schemas."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from appserver_client import AppServerHarness, write_config
from pycodex.testing import MockResponsesServer
from wire_schemas import WireSchemas, load_bundle

CONFORMANCE = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "app-server-schema"
)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[AppServerHarness]:
    home = tmp_path / "home"
    home.mkdir()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    with MockResponsesServer() as server:
        write_config(home, server)
        yield AppServerHarness(home, workspace, server)


@pytest.fixture(scope="session")
def oracle_schemas(tmp_path_factory: pytest.TempPathFactory) -> WireSchemas:
    """The exact schemas of the pinned codex binary (``generate-json-schema --experimental``)."""
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    try:
        codex = codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"the codex oracle is unavailable: {exc}")
    out = tmp_path_factory.mktemp("schemas")
    proc = subprocess.run(
        [str(codex), "app-server", "generate-json-schema", "--experimental", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        pytest.skip(f"codex could not write its schemas: {proc.stderr[-300:]}")
    return WireSchemas(load_bundle(out))


@pytest.fixture(scope="session")
def conformance_schemas() -> WireSchemas:
    """The 2026-04-22 snapshot in ../shared/conformance (older than the oracle)."""
    if not (CONFORMANCE / "codex_app_server_protocol.schemas.json").exists():
        pytest.skip(f"conformance schemas not found at {CONFORMANCE}")
    return WireSchemas(load_bundle(CONFORMANCE))
