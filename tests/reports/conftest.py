"""One real ``ferry sync`` run (mechanical backend, generated upstream) shared by the
review and report tests; its last upstream commit adds a function the mechanical backend
cannot translate in a crate the port covers, so it is held: the page shows both kinds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))

from sync_workspace import FUNCTION, HISTORY, Workspace, make_workspace

from ferry.cli import main

FAILING = (
    "types: retry_delay",
    {"crates/demo/src/types.rs": HISTORY[-1][1]["crates/demo/src/types.rs"] + FUNCTION},
)


@pytest.fixture(scope="session")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = make_workspace(
        tmp_path_factory.mktemp("synced"),
        [*HISTORY, FAILING],
        extra_toml='\n[report]\npackage = "port/pydemo"\n',
    )
    result = CliRunner().invoke(main, ["sync", "--config", str(ws.config)])
    assert result.exit_code == 4, result.stderr  # held: the last commit needs a model
    return ws
