"""Table VII: real subsystem operations, in-process in pycodex and per process in both CLIs.

In-process rows call pycodex's own code paths (what the agent loop runs): the tool router
deciding and refusing a command (orchestration without a process), spawning a shell and
capturing its output, the whole ``exec_command`` pipeline (decision, sandbox, spawn, capture),
patch parsing, exec-policy evaluation, and one session's write and read of the SQLite state
database. Per-process rows time the CLI entry points both binaries have for the same
operation (``apply_patch``, ``execpolicy check``, ``sandbox``); a row without one says why.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.measure.common import (
    Binaries,
    MeasureError,
    Stats,
    clean_env,
    ratio,
    run_child,
    scratch_home,
    write_artifact,
)

FORMAT = "ferry.measure.subsystems/1"
IN_PROCESS = "pycodex in-process (us)"
PY_CLI = "pycodex per process (ms)"
RUST_CLI = "codex per process (ms)"

TINY_PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+Hello, world!\n*** End Patch\n"
TYPICAL_PATCH = """*** Begin Patch
*** Add File: docs/notes.md
+# Notes
+
+- parser: lenient markers
*** Delete File: old_module.py
*** Update File: src/module.py
@@ def function_1(arg):
     value_21 = compute(arg, 21)
-    value_22 = compute(arg, 22)
+    value_22 = compute(arg, 22) + 1
     value_23 = compute(arg, 23)
@@
     value_199 = compute(arg, 199)
+    return value_199
*** End of File
*** Update File: src/helpers.py
*** Move to: src/util/helpers.py
@@
-def helper():
+def helper() -> int:
     return 1
*** End Patch
"""
_TOOLS = [
    "ls",
    "cat",
    "grep",
    "rg",
    "find",
    "sed",
    "awk",
    "npm",
    "cargo",
    "go",
    "make",
    "pytest",
    "pip",
    "docker",
    "kubectl",
    "curl",
    "wget",
    "ssh",
    "tar",
    "zip",
]
_DECISIONS = ("allow", "prompt", "forbidden")
RULES = """prefix_rule(pattern = ["git", ["status", "log", "diff", "show"]], decision = "allow")
prefix_rule(pattern = ["git", "push", ["--force", "-f"]], decision = "forbidden")
prefix_rule(pattern = ["git", "push"], decision = "prompt", justification = "remote")
prefix_rule(pattern = ["rm", ["-rf", "-fr"]], decision = "forbidden")
""" + "".join(
    f'prefix_rule(pattern = ["{tool}", "sub{i}"], decision = "{_DECISIONS[i % 3]}")\n'
    for i, tool in enumerate(_TOOLS)
)


@dataclass(frozen=True)
class Timing:
    per_call_us: float
    calls: int
    rounds: int


def time_calls(fn: Callable[[], object], calls: int, rounds: int) -> Timing:
    """Median over ``rounds`` of the mean time of ``calls`` back-to-back calls."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return Timing(statistics.median(samples), calls, rounds)


@contextmanager
def _router(home: Path, ws: Path, sandbox_mode: str) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    from pycodex.config import ConfigOverrides, load_config
    from pycodex.tools.handlers import ToolContext, ToolRouter

    config = load_config(
        ConfigOverrides(cwd=ws, sandbox_mode=sandbox_mode, approval_policy="never"),  # type: ignore[arg-type]
        home=home,
    )
    events: list[dict[str, Any]] = []
    counter = iter(range(10**9))
    router = ToolRouter(
        ToolContext(
            config=config,
            thread_id=str(uuid.uuid4()),
            next_item_id=lambda: f"item_{next(counter)}",
            emit=events.append,
        )
    )
    try:
        yield router, events
    finally:
        router.shutdown()


def _call(name: str, **arguments: Any) -> dict[str, Any]:
    return {
        "type": "function_call",
        "name": name,
        "call_id": "c1",
        "arguments": json.dumps(arguments),
    }


def _in_process(
    calls: int, rounds: int, slow_calls: int
) -> tuple[dict[str, Timing], dict[str, str]]:
    """Per-call times of each operation, and per-row notes (what exactly was timed)."""
    from pycodex.apply_patch import parse_patch
    from pycodex.core.state.store import StateStore, ThreadRow
    from pycodex.execpolicy import (
        AskForApproval,
        MatchOptions,
        SandboxMode,
        create_exec_approval_requirement,
        parse_policy,
    )

    timings: dict[str, Timing] = {}
    notes: dict[str, str] = {}
    with scratch_home() as home, tempfile.TemporaryDirectory(prefix="ferry-vii-") as tmp:
        ws = Path(tmp) / "ws"
        ws.mkdir()
        (home / "rules").mkdir()
        (home / "rules" / "default.rules").write_text(RULES)

        with _router(home, ws, "workspace-write") as (router, events):
            refused = router.dispatch(_call("exec_command", cmd="rm -rf build"))
            if "rm -rf build" in str(events) or not refused.get("output"):
                raise MeasureError("the router ran a command the policy forbids")

            def orchestrate() -> None:
                router.dispatch(_call("exec_command", cmd="rm -rf build"))

            timings["tool orchestration"] = time_calls(orchestrate, max(calls // 10, 1), rounds)
            notes["tool orchestration"] = (
                "ToolRouter.dispatch of exec_command: argument parsing, shell argv, exec-policy "
                "and approval decision, refusal packaged as the tool output (no process)"
            )

            env = dict(os.environ)

            def shell_with(login: bool) -> Callable[[], None]:
                argv = router.unified_exec.shell_argv("echo hi", None, login)

                def shell() -> None:
                    started = time.monotonic()
                    process = router.unified_exec.spawn(argv, argv, ws, env, False)
                    router.unified_exec.run(process, started, None, None)

                return shell

            timings["shell execution"] = time_calls(shell_with(False), slow_calls, rounds)
            notes["shell execution"] = (
                "spawn `bash -c 'echo hi'` and capture its output (no sandbox)"
            )
            timings["shell execution, login shell"] = time_calls(
                shell_with(True), slow_calls, rounds
            )
            notes["shell execution, login shell"] = (
                "`bash -lc` (exec_command's default): adds this machine's login profile"
            )

            def pipeline() -> None:
                out = router.dispatch(_call("exec_command", cmd="echo hi", login=False))
                if "hi" not in str(out.get("output")):
                    raise MeasureError(f"exec_command did not run: {out.get('output')}")
                events.clear()

            pipeline()
            timings["full shell pipeline"] = time_calls(pipeline, slow_calls, rounds)
            notes["full shell pipeline"] = (
                "ToolRouter.dispatch of exec_command `echo hi` (login: false) under workspace-write: decision, "
                "sandbox (bubblewrap), spawn, output capture, events"
            )
        with _router(home, ws, "danger-full-access") as (router, events):

            def pipeline_open() -> None:
                router.dispatch(_call("exec_command", cmd="echo hi", login=False))
                events.clear()

            timings["full shell pipeline, no sandbox"] = time_calls(
                pipeline_open, slow_calls, rounds
            )
            notes["full shell pipeline, no sandbox"] = "as above under danger-full-access"

        timings["patch parsing"] = time_calls(lambda: parse_patch(TINY_PATCH), calls, rounds)
        notes["patch parsing"] = "parse_patch of a one-line Add File patch"
        timings["patch parsing, typical patch"] = time_calls(
            lambda: parse_patch(TYPICAL_PATCH), max(calls // 4, 1), rounds
        )
        notes["patch parsing, typical patch"] = "add, delete, two-hunk update, move"

        policy = parse_policy("bench.rules", RULES)
        command = ["bash", "-lc", "git status && cargo sub8"]

        def evaluate() -> None:
            policy.matches_for_command(["git", "status"], None, MatchOptions())

        timings["policy evaluation"] = time_calls(evaluate, calls, rounds)
        notes["policy evaluation"] = (
            f"Policy.matches_for_command on {RULES.count(chr(10))} prefix rules"
        )

        def decide() -> None:
            create_exec_approval_requirement(
                command, policy, AskForApproval.ON_REQUEST, SandboxMode.WORKSPACE_WRITE
            )

        timings["approval decision"] = time_calls(decide, max(calls // 4, 1), rounds)
        notes["approval decision"] = (
            "policy + safe-command rules for `bash -lc 'git status && cargo sub8'`"
        )

        store = StateStore(Path(tmp) / "state")
        try:
            now = int(time.time() * 1000)

            def session_io() -> None:
                thread = str(uuid.uuid4())
                store.upsert_thread(ThreadRow(thread, f"/r/{thread}.jsonl", now, now, cwd=str(ws)))
                if store.get_thread(thread) is None:
                    raise MeasureError("state database lost a thread row")

            session_io()
            timings["SQLite session I/O"] = time_calls(session_io, max(slow_calls * 3, 1), rounds)
            notes["SQLite session I/O"] = (
                "StateStore.upsert_thread (one transaction, WAL) then get_thread in state_5.sqlite"
            )
        finally:
            store.close()
    return timings, notes


def _cli_series(
    argv: list[str],
    runs: int,
    env: dict[str, str],
    cwd: Path,
    before: Callable[[], None] | None = None,
) -> Stats:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        r = run_child(argv, env=env, cwd=cwd)
        if r.exit_code != 0:
            raise MeasureError(f"{' '.join(argv)} exited {r.exit_code}")
        times.append(r.seconds * 1000.0)
    return Stats.of(times)


def _per_process(
    binaries: Binaries, runs: int
) -> tuple[dict[str, tuple[Stats, Stats | None]], dict[str, str]]:
    results: dict[str, tuple[Stats, Stats | None]] = {}
    notes: dict[str, str] = {}
    with scratch_home() as home, tempfile.TemporaryDirectory(prefix="ferry-vii-cli-") as tmp:
        ws = Path(tmp)
        env = clean_env(home)
        rules = ws / "bench.rules"
        rules.write_text(RULES)

        def fresh() -> None:
            (ws / "hello.txt").unlink(missing_ok=True)

        py_patch = _cli_series([*binaries.pycodex, "apply-patch", TINY_PATCH], runs, env, ws, fresh)
        rs_patch = None
        if binaries.codex is not None:
            rs_patch = _cli_series(
                [*binaries.codex, "--codex-run-as-apply-patch", TINY_PATCH], runs, env, ws, fresh
            )
        results["patch parsing"] = (py_patch, rs_patch)
        notes["patch parsing"] = "apply the one-line patch (parse + write) in a fresh process"

        check = ["execpolicy", "check", "--rules", str(rules), "git", "status"]
        py_policy = _cli_series([*binaries.pycodex, *check], runs, env, ws)
        rs_policy = (
            _cli_series([*binaries.codex, *check], runs, env, ws) if binaries.codex else None
        )
        results["policy evaluation"] = (py_policy, rs_policy)
        notes["policy evaluation"] = "`execpolicy check` of `git status` in a fresh process"

        if shutil.which("bwrap") is not None:
            box = ["sandbox", "--", "echo", "hi"]
            py_box = _cli_series([*binaries.pycodex, *box], runs, env, ws)
            rs_box = _cli_series([*binaries.codex, *box], runs, env, ws) if binaries.codex else None
            results["full shell pipeline"] = (py_box, rs_box)
            notes["full shell pipeline"] = (
                "`sandbox -- echo hi` (sandbox set-up, spawn, exit) in a fresh process"
            )
    return results, notes


NO_CLI = {
    "tool orchestration": "codex has no entry point that dispatches one tool call without a model turn (Table X times whole turns)",
    "shell execution": "no CLI runs a bare shell command without the sandbox; see the full shell pipeline row",
    "shell execution, login shell": "no CLI runs a bare shell command without the sandbox",
    "full shell pipeline, no sandbox": "codex sandbox always sets up the sandbox",
    "patch parsing, typical patch": "timed per process on the one-line patch only",
    "approval decision": "codex exposes the decision only inside a turn",
    "SQLite session I/O": "no CLI command performs the state database write alone; `exec` includes it (Table X)",
}


def measure_subsystems(
    binaries: Binaries, *, calls: int = 20000, rounds: int = 5, slow_calls: int = 20, runs: int = 10
) -> tuple[list[dict[str, Any]], list[str]]:
    timings, in_notes = _in_process(calls, rounds, slow_calls)
    cli, cli_notes = _per_process(binaries, runs)
    notes = [f"Rust side: {binaries.codex_note}"]
    if "full shell pipeline" not in cli:
        notes.append("bubblewrap is not installed: the sandboxed per-process row was not measured")
    rows = []
    for name, timing in timings.items():
        py_cli, rust_cli = cli.get(name, (None, None))
        why = in_notes[name]
        if name in cli_notes:
            why += f"; per process: {cli_notes[name]}"
        if rust_cli is None:
            why += f"; codex per process: {NO_CLI.get(name) or binaries.codex_note}"
        py_ms = None if py_cli is None else round(py_cli.median, 2)
        rust_ms = None if rust_cli is None else round(rust_cli.median, 2)
        rows.append(
            {
                "row": name,
                IN_PROCESS: round(timing.per_call_us, 2),
                "calls x rounds": f"{timing.calls} x {timing.rounds}",
                PY_CLI: py_ms,
                RUST_CLI: rust_ms,
                "pycodex/codex (per process)": ratio(py_ms, rust_ms),
                "note": why,
            }
        )
    return rows, notes


def run_and_store(binaries: Binaries, out: Path, **kw: int) -> Path:
    rows, notes = measure_subsystems(binaries, **kw)
    return write_artifact(out, FORMAT, {"binaries": binaries.snapshot(), **kw}, rows, notes)
