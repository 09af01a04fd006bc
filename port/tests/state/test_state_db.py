"""The SQLite state: codex's migrations, refusals of foreign databases, rows, and SIGKILL safety."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from exec_harness import ExecHarness
from pycodex.core.state.db import StateDbError, migrations, open_database
from pycodex.core.state.store import StateStore, ThreadRow, open_store
from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_response_created,
)

#: (kind, file, versions) as codex 0.169.0 creates them.
DATABASES = [
    ("state", "state_5.sqlite", 62),
    ("logs", "logs_2.sqlite", 2),
    ("goals", "goals_1.sqlite", 2),
]


@pytest.mark.parametrize(("kind", "name", "count"), DATABASES)
def test_fresh_database_has_codex_migrations_with_sqlx_checksums(
    tmp_path: Path, kind: str, name: str, count: int
) -> None:
    known = migrations(kind)
    assert [m.version for m in known] == list(range(1, count + 1))
    conn = open_database(tmp_path / name, kind)
    rows = conn.execute(
        "SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version"
    ).fetchall()
    assert [(v, d, s) for v, d, s, _ in rows] == [(m.version, m.description, 1) for m in known]
    assert all(
        bytes(c) == hashlib.sha384(m.sql.encode()).digest()
        for (*_, c), m in zip(rows, known, strict=True)
    )
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    open_database(tmp_path / name, kind).close()  # reopening applies nothing and succeeds


def test_threads_table_has_the_columns_codex_0_169_has(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "state_5.sqlite", "state")
    columns = {r[1] for r in conn.execute("PRAGMA table_info(threads)")}
    assert {
        "id",
        "rollout_path",
        "title",
        "preview",
        "tokens_used",
        "archived",
        "archived_at",
        "recency_at_ms",
        "history_mode",
        "name",
    } <= columns
    assert len(columns) == 43  # as in a database codex 0.169.0 created


def test_database_with_modified_migration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state_5.sqlite"
    open_database(path, "state").close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 3")
    with pytest.raises(StateDbError) as info:
        open_database(path, "state")
    assert str(path) in str(info.value) and "migration 3" in str(info.value)


def test_half_applied_migration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "goals_1.sqlite"
    open_database(path, "goals").close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE _sqlx_migrations SET success = 0 WHERE version = 2")
    with pytest.raises(StateDbError, match="marked as failed"):
        open_database(path, "goals")


def test_migrations_of_a_newer_codex_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "logs_2.sqlite"
    open_database(path, "logs").close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) "
            "VALUES (99, 'from the future', 1, x'01', 0)"
        )
    open_database(path, "logs").close()


def test_unusable_database_is_a_warning_and_the_run_uses_rollouts(harness: ExecHarness) -> None:
    (harness.home / "state_5.sqlite").write_bytes(b"this is not a database" * 100)
    store, problem = open_store(harness.home)
    assert store is None and problem is not None and "state_5.sqlite" in problem
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r"),
                ev_assistant_message("m", "ok"),
                ev_completed_with_tokens("r", 5),
            ]
        )
    )
    run = harness.run("--json", "hi")
    assert run.returncode == 0, run.stderr
    assert "state database unavailable, using rollouts only" in run.stderr
    assert len(harness.rollouts()) == 1


def test_thread_rows_keep_their_first_message_and_creation_time(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    row = ThreadRow(
        id="t1",
        rollout_path="/r1",
        created_at_ms=1000,
        updated_at_ms=1000,
        cwd="/a",
        title="first",
        first_user_message="first",
        preview="first",
    )
    store.upsert_thread(row)
    store.upsert_thread(
        ThreadRow(
            id="t1",
            rollout_path="/r1",
            created_at_ms=9000,
            updated_at_ms=5000,
            cwd="/a",
            title="later",
            first_user_message="later",
            tokens_used=7,
        )
    )
    got = store.get_thread("t1")
    assert got is not None
    assert (got.created_at_ms, got.updated_at_ms, got.title, got.preview, got.tokens_used) == (
        1000,
        5000,
        "first",
        "first",
        7,
    )
    store.upsert_thread(
        ThreadRow(id="t2", rollout_path="/r2", created_at_ms=2000, updated_at_ms=6000, cwd="/b")
    )
    assert store.latest_thread(cwd="/a").id == "t1"  # type: ignore[union-attr]
    assert store.latest_thread().id == "t2"  # type: ignore[union-attr]
    store.set_archived("t2", True, Path("/archived/r2"))
    assert store.latest_thread().id == "t1"  # type: ignore[union-attr]
    store.save_goal(
        "t1",
        {
            "goal_id": "g",
            "objective": "ship",
            "status": "active",
            "token_budget": 10,
            "tokens_used": 3,
            "time_used_seconds": 1,
            "created_at_ms": 1,
            "updated_at_ms": 2,
        },
    )
    assert store.load_goal("t1") == {
        "goal_id": "g",
        "objective": "ship",
        "status": "active",
        "token_budget": 10,
        "tokens_used": 3,
        "time_used_seconds": 1,
        "created_at_ms": 1,
        "updated_at_ms": 2,
    }
    store.log("WARN", "pycodex::exec", "careful", "t1")
    assert store.logs.execute(
        "SELECT level, feedback_log_body, thread_id FROM logs"
    ).fetchall() == [("WARN", "careful", "t1")]
    store.delete_thread("t1")
    assert store.get_thread("t1") is None and store.load_goal("t1") is None
    store.close()


def test_goal_survives_resume_through_the_goals_database(harness: ExecHarness) -> None:
    create = json.dumps({"objective": "ship it", "token_budget": 1000})
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r0"),
                ev_function_call("g", "create_goal", create),
                ev_completed_with_tokens("r0", 10),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r1"),
                ev_assistant_message("m", "ok"),
                ev_completed_with_tokens("r1", 10),
            ]
        ),
    )
    assert harness.run("--json", "go").returncode == 0
    harness.server.push(
        ScriptedResponse.sse(
            [
                ev_response_created("r2"),
                ev_function_call("g2", "get_goal", "{}"),
                ev_completed_with_tokens("r2", 10),
            ]
        ),
        ScriptedResponse.sse(
            [
                ev_response_created("r3"),
                ev_assistant_message("m", "ok"),
                ev_completed_with_tokens("r3", 10),
            ]
        ),
    )
    assert harness.run("--json", "resume", "--last", "how far").returncode == 0
    output = harness.server.model_requests()[-1].function_call_output_text("g2")
    assert output is not None
    goal = json.loads(output)["goal"]
    assert (goal["objective"], goal["tokenBudget"], goal["status"]) == ("ship it", 1000, "active")
    with sqlite3.connect(harness.home / "goals_1.sqlite") as conn:
        assert conn.execute("SELECT objective FROM thread_goals").fetchall() == [("ship it",)]


# ----------------------------------------------------------------------------- SIGKILL


def _slow_script(rounds: int) -> list[ScriptedResponse]:
    out = []
    for i in range(rounds):
        args = json.dumps({"cmd": f"echo round {i}"})
        out.append(
            ScriptedResponse.sse(
                [
                    ev_response_created(f"r{i}"),
                    ev_function_call(f"c{i}", "exec_command", args),
                    ev_completed_with_tokens(f"r{i}", 10 + i),
                ]
            )
        )
    out.append(
        ScriptedResponse.sse(
            [
                ev_response_created("end"),
                ev_assistant_message("m", "done"),
                ev_completed_with_tokens("end", 1),
            ]
        )
    )
    return out


def _check_databases(home: Path) -> None:
    for kind, name, _count in DATABASES:
        path = home / name
        if not path.exists():
            continue
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",), name
            rows = (
                conn.execute(
                    "SELECT version, success FROM _sqlx_migrations ORDER BY version"
                ).fetchall()
                if conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = '_sqlx_migrations'"
                ).fetchone()
                else []
            )
            # committed migrations form a prefix, each one complete
            assert [v for v, _ in rows] == list(range(1, len(rows) + 1)), name
            assert all(s == 1 for _, s in rows), name
        open_database(path, kind).close()  # a later run finishes the job


def test_sigkill_at_random_points_never_corrupts_the_state(tmp_path: Path) -> None:
    """Kill real ``pycodex exec`` runs at random moments (during migrations, mid-turn, while
    writing rows); every database must pass integrity_check and open again, and the next
    run must succeed on the same CODEX_HOME."""
    rng = random.Random(int(os.environ.get("PYCODEX_KILL_SEED", "16")))
    home = tmp_path / "home"
    workspace = tmp_path / "ws"
    workspace.mkdir()
    delays = [0.05, 0.15, 0.3] + [rng.uniform(0.05, 2.5) for _ in range(7)]
    for attempt, delay in enumerate(delays):
        if attempt % 4 == 0:  # start from scratch now and then: kills land in the migrations
            subprocess.run(["rm", "-rf", str(home)], check=True)
        home.mkdir(exist_ok=True)
        with MockResponsesServer(_slow_script(30)) as server:
            (home / "config.toml").write_text(
                f'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
                f'base_url = "{server.base_url}"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
            )
            env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "k"}
            argv = [
                sys.executable,
                "-c",
                "from pycodex._entry import main; main()",
                "exec",
                "--json",
                "--skip-git-repo-check",
                "-s",
                "danger-full-access",
            ]
            if attempt % 4:
                argv += ["resume", "--last", f"attempt {attempt}"]
            else:
                argv.append(f"attempt {attempt}")
            proc = subprocess.Popen(
                argv,
                cwd=workspace,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        _check_databases(home)
    # after all that, a normal run works and finds the thread
    with MockResponsesServer(_slow_script(1)) as server:
        text = (home / "config.toml").read_text()
        (home / "config.toml").write_text(
            text.split("base_url")[0]
            + f'base_url = "{server.base_url}"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
        )
        env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "k"}
        proc2 = subprocess.run(
            [
                sys.executable,
                "-c",
                "from pycodex._entry import main; main()",
                "exec",
                "--json",
                "--skip-git-repo-check",
                "-s",
                "danger-full-access",
                "resume",
                "--last",
                "final",
            ],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    assert proc2.returncode == 0, proc2.stderr
    _check_databases(home)


def test_sigkill_inside_a_migration_leaves_the_previous_ones_committed(tmp_path: Path) -> None:
    """A process that dies in the middle of migration 30 (after its first statements ran)."""
    path = tmp_path / "state_5.sqlite"
    child = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import pycodex.core.state.db as db\n"
        "real = db._execute_script\n"
        "count = [0]\n"
        "def dying(conn, sql):\n"
        "    count[0] += 1\n"
        "    if count[0] == 30:\n"
        "        conn.execute('CREATE TABLE half_done (x)')\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    real(conn, sql)\n"
        "db._execute_script = dying\n"
        "db.open_database(Path(sys.argv[1]), 'state')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", child, str(path)], capture_output=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        versions = [
            v for (v,) in conn.execute("SELECT version FROM _sqlx_migrations ORDER BY version")
        ]
        assert versions == list(range(1, 30))
        assert (
            conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone() is None
        )
    open_database(path, "state").close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM _sqlx_migrations").fetchone() == (62,)
