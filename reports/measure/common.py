"""Shared by the measurements: the two binaries, timed child processes and stored artifacts."""

from __future__ import annotations

import functools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ferry import __version__
from ferry.fsutil import read_text, write_text_atomic


class MeasureError(Exception):
    """A measurement could not run (a binary missing or failing); the message says which."""


@dataclass(frozen=True)
class Binaries:
    """The commands measured: pycodex (always) and the Rust codex (when installed)."""

    pycodex: tuple[str, ...]
    codex: tuple[str, ...] | None
    codex_note: str  # which codex executable, or why there is none

    def snapshot(self) -> dict[str, Any]:
        return {
            "pycodex": list(self.pycodex),
            "codex": list(self.codex or []),
            "codex_note": self.codex_note,
        }


def native_codex(launcher: Path) -> Path | None:
    """The Rust executable the npm launcher (a Node script) would start, if it can be found.

    Timing the launcher would add Node's own start-up (about 0.3 s here) to every figure of
    the Rust side; the paper compares against the compiled binary.
    """
    scope = launcher.resolve().parents[2]  # node_modules/@openai/codex/bin/codex.js -> @openai
    for candidate in sorted(scope.glob("codex-*/vendor/*/bin/codex")):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def find_binaries(
    pycodex: Sequence[str] | None = None, codex: Sequence[str] | None = None
) -> Binaries:
    """pycodex beside this interpreter (else on PATH); the Rust codex from ferry's npm cache."""
    if pycodex is None:
        beside = Path(sys.executable).parent / "pycodex"
        found = str(beside) if beside.exists() else shutil.which("pycodex")
        if found is None:
            raise MeasureError(
                "pycodex is not installed beside this Python nor on PATH (make setup)"
            )
        pycodex = (found,)
    if codex is not None:
        return Binaries(tuple(pycodex), tuple(codex), f"codex given: {' '.join(codex)}")
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    try:
        launcher = codex_binary(install=False)
    except OracleUnavailable as exc:
        return Binaries(tuple(pycodex), None, f"Rust codex not installed ({exc})")
    native = native_codex(launcher)
    if native is None:
        return Binaries(
            tuple(pycodex), (str(launcher),), f"npm launcher {launcher} (no native binary found)"
        )
    return Binaries(tuple(pycodex), (str(native),), f"native binary {native}")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mib: float
    exit_code: int


@functools.cache
def gnu_time() -> str | None:
    """GNU time, which forks the measured command from its own small process.

    The peak RSS the kernel reports for a child includes the memory of the process it was
    forked from until it called exec, so a command started directly from this (large)
    interpreter would report at least this interpreter's size; GNU time's is about 2 MiB.
    """
    for candidate in ("/usr/bin/time", shutil.which("time")):
        if candidate and os.access(candidate, os.X_OK):
            proc = subprocess.run([candidate, "--version"], capture_output=True, text=True)
            if "GNU" in proc.stdout + proc.stderr:
                return candidate
    return None


def run_child(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: bytes = b"",
    timeout: float = 120.0,
) -> Run:
    """Wall time and peak RSS of one run of ``argv`` (through GNU time when installed)."""
    timer = gnu_time()
    with tempfile.NamedTemporaryFile(prefix="ferry-rss-", suffix=".txt") as rss_file:
        full = [timer, "-f", "%M", "-o", rss_file.name, *argv] if timer else list(argv)
        start = time.perf_counter()
        proc = subprocess.Popen(
            full,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise MeasureError(f"{argv[0]} did not finish within {timeout:.0f} s") from None
        elapsed = time.perf_counter() - start
        if timer:
            text = Path(rss_file.name).read_text(encoding="utf-8").split()
            rss_kib = float(text[-1]) if text and text[-1].isdigit() else 0.0
        else:
            rss_kib = float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return Run(elapsed, rss_kib / 1024.0, proc.returncode)


def require_ok(run: Run, argv: Sequence[str]) -> Run:
    if run.exit_code != 0:
        raise MeasureError(f"{' '.join(argv)} exited {run.exit_code}")
    return run


@dataclass(frozen=True)
class Stats:
    mean: float
    sd: float
    median: float
    n: int

    @staticmethod
    def of(values: Sequence[float]) -> Stats:
        if not values:
            raise MeasureError("no samples")
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return Stats(statistics.fmean(values), sd, statistics.median(values), len(values))


@contextmanager
def scratch_home(prefix: str = "ferry-measure-") -> Iterator[Path]:
    """A throw-away CODEX_HOME outside $TMPDIR (the Rust binary refuses one inside it)."""
    from pycodex.testing.rust_oracle import oracle_home_root

    home = Path(tempfile.mkdtemp(prefix=prefix, dir=oracle_home_root()))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without codex/OpenAI settings, pointed at ``home``.

    ``HOME`` is a fresh directory too (as in parity runs): both CLIs run shell commands
    as ``bash -lc``, and a login shell sources the user's profile, whose cost (pyenv
    rehash, conda hooks) would otherwise be measured as the agent's.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_", "RUST_"))}
    user_home = home / "user-home"
    user_home.mkdir(exist_ok=True)
    env.update(CODEX_HOME=str(home), HOME=str(user_home), RUST_LOG="off", NO_COLOR="1", **extra)
    return env


def machine() -> dict[str, Any]:
    """What the figures depend on: cores, load, interpreter and platform."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "peak_rss": "GNU time %M (the command's own peak)"
        if gnu_time()
        else "getrusage(RUSAGE_CHILDREN): an upper bound that includes the measuring process",
    }


def write_artifact(
    path: Path, fmt: str, config: dict[str, Any], rows: list[dict[str, Any]], notes: list[str]
) -> Path:
    record = {
        "format": fmt,
        "ferry_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config,
        "machine": machine(),
        "rows": rows,
        "notes": notes,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(record, indent=2) + "\n")
    path.chmod(0o644)
    return path


def read_artifact(path: Path, fmt: str) -> dict[str, Any]:
    """A stored measurement of format ``fmt``; a clear error for anything else."""
    try:
        data = json.loads(read_text(path))
    except OSError as exc:
        raise MeasureError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise MeasureError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict) or data.get("format") != fmt:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise MeasureError(f"{path}: format {got!r}, expected {fmt!r}; re-run make bench")
    if not isinstance(data.get("rows"), list):
        raise MeasureError(f"{path}: field 'rows' must be a list; re-run make bench")
    return data


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)
