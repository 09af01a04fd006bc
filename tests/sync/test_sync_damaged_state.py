"""A damaged sync checkpoint: ``ferry sync`` says so and names ``--restart``, and
``ferry sync --restart`` then really recovers (issue 11)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sync_workspace import HISTORY, Workspace, make_workspace

from harness.sync.errors import SyncError
from harness.sync.state import discard_state, read_state
from upstream.lock import read_lock

FERRY = str(Path(sys.executable).with_name("ferry"))


def ferry_sync(
    ws: Workspace, *args: str, kill_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FERRY_SYNC_KILL_AT"}
    if kill_at is not None:
        env["FERRY_SYNC_KILL_AT"] = kill_at
    return subprocess.run(
        [FERRY, "sync", "--config", str(ws.config), *args],
        cwd=ws.project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


DAMAGE: dict[str, bytes | None] = {
    "garbage": b"\x00\x01 not json",
    "empty": b"",
    "not-utf8": b'{"run_id": "\xff"}',
    "list": b"[1, 2, 3]",
    "wrong-shape": b'{"format": "ferry.sync-state/1", "run_id": 5}',
    "directory": None,
}


def damage_state(state: Path, damage: str) -> None:
    state.unlink(missing_ok=True)
    content = DAMAGE[damage]
    if content is None:
        (state / "x").mkdir(parents=True)
    else:
        state.write_bytes(content)


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_every_damage_is_refused_with_the_way_out(tmp_path: Path, damage: str) -> None:
    state = tmp_path / "state.json"
    damage_state(state, damage)
    with pytest.raises(SyncError) as caught:
        read_state(state)
    message = str(caught.value)
    assert str(state) in message and "run `ferry sync --restart`" in message
    discard_state(state)
    assert not state.exists() and read_state(state) is None


# the two shapes that used to end in a traceback, end to end (each is two real syncs)
@pytest.mark.parametrize("damage", ["directory", "not-utf8"])
def test_damaged_checkpoint_then_restart_recovers(tmp_path: Path, damage: str) -> None:
    ws = make_workspace(tmp_path, HISTORY[:4])
    killed = ferry_sync(ws, kill_at="after-checkpoint:0")  # one commit done, one to go
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    state = ws.project / ".ferry" / "sync" / "state.json"
    assert json.loads(state.read_text())["phase"] == "translating"
    damage_state(state, damage)

    refused = ferry_sync(ws)
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    assert str(state) in refused.stderr and "ferry sync --restart" in refused.stderr

    restarted = ferry_sync(ws, "--restart")
    assert restarted.returncode == 0, restarted.stderr
    summary = json.loads(restarted.stdout)
    assert summary["outcome"] == "merged" and not summary["resumed"]
    lock = read_lock(ws.project / "ferry.lock")
    assert lock is not None and lock.commit == ws.shas[3]
    assert json.loads(state.read_text())["phase"] == "done"
