"""Table VI: start-up time, peak memory, import time and importable modules.

pycodex and the Rust codex run the same commands with a throw-away CODEX_HOME: ``--help``
(process start, CLI import, argument parsing: what every command pays first), ``--version``
(pycodex answers it before importing its CLI) and a scripted one-command ``exec --json``
round trip against a model server on 127.0.0.1. Import time and importable modules are
Python-only rows: a compiled binary has no import phase and links its crates at build time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from reports.measure.common import (
    Binaries,
    MeasureError,
    Stats,
    clean_env,
    ratio,
    require_ok,
    run_child,
    scratch_home,
    write_artifact,
)

FORMAT = "ferry.measure.runtime/1"
NO_IMPORT_PHASE = "a compiled binary has no import phase; its start-up row is its whole cost"
LINKED = "the Rust crates are linked into one executable at build time"

_IMPORT_PROBE = """
import json, sys, time
t = time.perf_counter()
import pycodex.cli
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

_MODULES_PROBE = """
import importlib, json, pkgutil, sys
import pycodex
names = sorted(m.name for m in pkgutil.walk_packages(pycodex.__path__, "pycodex.")
               if not m.name.endswith("__main__"))
failed = {}
for name in ["pycodex", *names]:
    try:
        importlib.import_module(name)
    except Exception as exc:  # a module that does not import is the finding
        failed[name] = f"{type(exc).__name__}: {exc}"[:300]
print(json.dumps({"total": len(names) + 1, "failed": failed}))
"""


def _python_of(pycodex: tuple[str, ...]) -> str:
    """The interpreter of the pycodex console script (its shebang), else this one."""
    script = Path(pycodex[0])
    try:
        first = script.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return sys.executable
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return sys.executable


def _series(argv: list[str], runs: int, env: dict[str, str], cwd: Path) -> tuple[Stats, Stats]:
    times, rss = [], []
    for _ in range(runs):
        r = require_ok(run_child(argv, env=env, cwd=cwd), argv)
        times.append(r.seconds * 1000.0)
        rss.append(r.peak_rss_mib)
    return Stats.of(times), Stats.of(rss)


def _exec_round_trip(argv: tuple[str, ...], runs: int) -> tuple[Stats, Stats]:
    from pycodex.testing import (
        MockResponsesServer,
        ScriptedResponse,
        ev_assistant_message,
        ev_completed,
        ev_function_call,
        ev_response_created,
    )

    times, rss = [], []
    for _ in range(runs):
        script = [
            ScriptedResponse.sse(
                [
                    ev_response_created("r1"),
                    ev_function_call("c1", "exec_command", json.dumps({"cmd": "echo hi > f.txt"})),
                    ev_completed("r1"),
                ]
            ),
            ScriptedResponse.sse(
                [ev_response_created("r2"), ev_assistant_message("m", "done"), ev_completed("r2")]
            ),
        ]
        with scratch_home() as home, tempfile.TemporaryDirectory() as ws:
            subprocess.run(["git", "init", "-q", ws], check=True)
            with MockResponsesServer(script) as server:
                (home / "config.toml").write_text(
                    'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\n'
                    f'name = "mock"\nbase_url = "{server.base_url}"\nwire_api = "responses"\n'
                    'env_key = "MOCK_API_KEY"\n'
                )
                full = [*argv, "exec", "--json", "--dangerously-bypass-approvals-and-sandbox", "go"]
                r = require_ok(
                    run_child(full, cwd=Path(ws), env=clean_env(home, MOCK_API_KEY="sk-measure")),
                    full,
                )
            if not (Path(ws) / "f.txt").is_file():
                raise MeasureError(f"{argv[0]} exec did not run the scripted command")
        times.append(r.seconds * 1000.0)
        rss.append(r.peak_rss_mib)
    return Stats.of(times), Stats.of(rss)


def _row(
    name: str, py: Stats | None, rust: Stats | None, note: str = "", value: str = "mean"
) -> dict[str, Any]:
    py_v = None if py is None else round(getattr(py, value), 2)
    rust_v = None if rust is None else round(getattr(rust, value), 2)
    return {
        "row": name,
        "pycodex": py_v,
        "pycodex sd": None if py is None else round(py.sd, 2),
        "codex (Rust)": rust_v,
        "codex sd": None if rust is None else round(rust.sd, 2),
        "n": (py or rust).n if (py or rust) is not None else None,  # type: ignore[union-attr]
        "pycodex/codex": ratio(py_v, rust_v),
        "note": note,
    }


def measure_runtime(
    binaries: Binaries, *, runs: int = 20, exec_runs: int = 3
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of Table VI and notes on what could not be measured."""
    notes = [f"Rust side: {binaries.codex_note}"]
    rows: list[dict[str, Any]] = []
    with scratch_home() as home, tempfile.TemporaryDirectory() as cwd:
        env = clean_env(home)
        here = Path(cwd)
        py_help_t, py_help_m = _series([*binaries.pycodex, "--help"], runs, env, here)
        py_ver_t, py_ver_m = _series([*binaries.pycodex, "--version"], runs, env, here)
        rs_help_t = rs_help_m = rs_ver_t = rs_ver_m = None
        if binaries.codex is not None:
            rs_help_t, rs_help_m = _series([*binaries.codex, "--help"], runs, env, here)
            rs_ver_t, rs_ver_m = _series([*binaries.codex, "--version"], runs, env, here)
    missing = "" if binaries.codex is not None else binaries.codex_note
    rows.append(
        _row(
            "start-up time (ms)",
            py_help_t,
            rs_help_t,
            missing or "`--help`: process start, CLI import, argument parsing",
        )
    )
    rows.append(
        _row(
            "start-up time, --version (ms)",
            py_ver_t,
            rs_ver_t,
            missing or "pycodex answers --version before importing its CLI",
        )
    )
    rows.append(
        _row(
            "peak memory (MiB)", py_help_m, rs_help_m, missing or "peak RSS of the `--help` process"
        )
    )
    rows.append(
        _row(
            "peak memory, --version (MiB)",
            py_ver_m,
            rs_ver_m,
            missing or "peak RSS of the `--version` process",
        )
    )
    py_exec_t, py_exec_m = _exec_round_trip(binaries.pycodex, exec_runs)
    rs_exec_t = rs_exec_m = None
    if binaries.codex is not None:
        rs_exec_t, rs_exec_m = _exec_round_trip(binaries.codex, exec_runs)
    rows.append(
        _row(
            "peak memory, exec round trip (MiB)",
            py_exec_m,
            rs_exec_m,
            missing or "scripted exec: one command, then a final message",
        )
    )
    rows.append(
        _row(
            "exec round trip (ms)",
            py_exec_t,
            rs_exec_t,
            missing or "scripted exec: one command, then a final message",
        )
    )

    python = _python_of(binaries.pycodex)
    imports = []
    for _ in range(runs):
        proc = subprocess.run([python, "-c", _IMPORT_PROBE], capture_output=True, text=True)
        if proc.returncode != 0:
            raise MeasureError(f"import pycodex.cli failed: {proc.stderr.strip()[-500:]}")
        imports.append(json.loads(proc.stdout)["seconds"] * 1000.0)
    rows.append(_row("import time (ms)", Stats.of(imports), None, NO_IMPORT_PHASE))
    proc = subprocess.run([python, "-c", _MODULES_PROBE], capture_output=True, text=True)
    if proc.returncode != 0:
        raise MeasureError(f"module import probe failed: {proc.stderr.strip()[-500:]}")
    probe = json.loads(proc.stdout)
    failed: dict[str, str] = probe["failed"]
    ok = probe["total"] - len(failed)
    row = _row("importable modules", Stats.of([float(ok)]), None, LINKED)
    row["n"] = probe["total"]
    row["pycodex sd"] = None
    if failed:
        row["note"] = f"{ok} of {probe['total']} import; failing: " + "; ".join(
            f"{k} ({v})" for k, v in sorted(failed.items())
        )
    else:
        row["note"] = f"all {probe['total']} modules import; {LINKED}"
    rows.append(row)
    return rows, notes


def run_and_store(binaries: Binaries, out: Path, *, runs: int = 20, exec_runs: int = 3) -> Path:
    rows, notes = measure_runtime(binaries, runs=runs, exec_runs=exec_runs)
    config = {"binaries": binaries.snapshot(), "runs": runs, "exec_runs": exec_runs}
    return write_artifact(out, FORMAT, config, rows, notes)
