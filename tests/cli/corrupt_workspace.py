"""A complete ferry project, a catalogue of ways to damage its inputs, and a path tracer.

``build_workspace`` makes a project on which every ``ferry`` subcommand has something real
to read: an upstream history (the sync tests' generated crate), a clone of it, a pin, a
ledger, a finished sync run (checkpoint, summary, per-commit artifacts), a ChangeSet and a
Plan, the provenance index and answer cache, ``ferry validate``'s verdict, ``ferry bench``
results, a Terminal-Bench task, a SWE-bench instance and a parity scenario.

``CORRUPTIONS`` damages one input each (the file a user or a crash could leave behind: a
directory in place of a file, zero bytes, garbage, valid JSON of the wrong shape, a commit
the checkout does not have, ...).

``TRACER`` is a ``sitecustomize`` module: with ``FERRY_TRACE_PATHS`` set, every path the
process (and any Python child) opens, lists, connects to as SQLite or runs a subprocess in
is appended to that file. The matrix test uses it to learn which inputs each subcommand
reads, so a new subcommand or a new input needs no hand-written table.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS / "sync"), str(TESTS / "harness")]

from swe_fixtures import build_instances  # noqa: E402
from sync_workspace import make_workspace  # noqa: E402

from harness.outcomes import FailureMode  # noqa: E402
from harness.records import TB_RESULTS_FORMAT, stamp  # noqa: E402
from harness.tb.results import BenchmarkResults, TrialResult  # noqa: E402
from translator.diff.store import store_name  # noqa: E402

FAKE_CODEX = TESTS / "harness" / "parity" / "fake_codex.py"
#: the project-private Diff cache the matrix points ``$FERRY_DIFF_CACHE`` at
DIFF_CACHE = ".ferry/diff-cache"
TB_TASK = TESTS / "harness" / "tasks" / "tb1" / "hello-world"

EXTRA_TOML = """
[translate.prices]
"gpt-5.1-codex" = { input = 1.25, output = 10.0 }

[sync]
branch = "ferry/sync"

[provenance]
packages = ["pydemo"]

[report]
package = "port/pydemo"
tests = "port/tests"
results = ["runs"]
output = ".ferry/report"
"""

SCENARIO = """\
description: one command, then a final message
prompt: write it
turns:
  - events:
      - function_call: {call_id: c1, name: exec_command, arguments: {cmd: "echo done"}}
  - events:
      - assistant_message: finished
"""

ALLOWLIST = """\
allow:
  - scenario: "*"
    path: /requests/*/headers/user-agent
    reason: the two sides are different programs
"""

TRACER = '''\
"""Test-only: log every path this Python process touches to $FERRY_TRACE_PATHS."""
import os
import sys

_LOG = os.environ.get("FERRY_TRACE_PATHS")
if _LOG:
    _FD = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    _EVENTS = {"open": 0, "os.listdir": 0, "os.scandir": 0, "sqlite3.connect": 0,
               "shutil.rmtree": 0, "os.remove": 0, "os.rename": 0, "subprocess.Popen": 2}

    def _trace(event, args):
        index = _EVENTS.get(event)
        if index is None or len(args) <= index:
            return
        path = args[index]
        if isinstance(path, int) or path is None:
            return
        try:
            text = os.fsdecode(path)
            if not os.path.isabs(text):
                text = os.path.join(os.getcwd(), text)
            os.write(_FD, (os.path.normpath(text) + "\\n").encode("utf-8", "replace"))
        except Exception:
            pass

    sys.addaudithook(_trace)
'''


@dataclass(frozen=True)
class Workspace:
    """The built project (``project``) beside the upstream it tracks (``upstream``)."""

    root: Path
    upstream: Path
    project: Path
    shas: tuple[str, ...]

    def copy(self, destination: Path) -> Path:
        """A private copy of the project (the upstream is shared: nothing writes to it).

        Sync records absolute paths (artifact directories, the worktree); they are moved
        to the copy so a damaged copy is what the command reads.
        """
        shutil.copytree(self.project, destination, symlinks=True)
        for path in (destination / ".ferry" / "sync").rglob("*.json"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(str(self.project), str(destination)), encoding="utf-8")
        return destination


def _ferry(project: Path, *args: str) -> str:
    env = {**os.environ, "FERRY_DIFF_CACHE": str(project / DIFF_CACHE)}
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("ferry")), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise AssertionError(f"ferry {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def _tb_results(path: Path, agent: str) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    trial = TrialResult(
        id=f"{agent}-1", trial_name="hello-world.1", task_id="hello-world", instruction="do it",
        is_resolved=agent == "oracle", failure_mode=FailureMode.NONE, total_input_tokens=100,
        total_output_tokens=10, trial_started_at=t0, trial_ended_at=t0, agent_started_at=t0,
        agent_ended_at=t0, task_format="tb1", agent=agent, environment="local", cost_usd=0.01,
        stamp=stamp(TB_RESULTS_FORMAT, {"agent": agent}),
    )  # fmt: skip
    results = BenchmarkResults.from_trials(
        agent, [trial], stamp(TB_RESULTS_FORMAT, {"agent": agent})
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(results.model_dump_json(indent=2), encoding="utf-8")


def build_workspace(base: Path) -> Workspace:
    """Run the real loop once so every artifact a subcommand reads exists and is valid."""
    ws = make_workspace(base, extra_toml=EXTRA_TOML)
    project = ws.project
    config = project / "ferry.toml"
    config.write_text(
        config.read_text().replace(
            'state_dir = ".ferry"\n',
            'state_dir = ".ferry"\nupstream_git_dir = ".ferry/upstream/.git"\n',
        )
    )
    subprocess.run(["git", "-C", str(project), "commit", "-qam", "config"], check=True)
    _ferry(project, "track")
    _ferry(project, "diff", f"{ws.shas[0]}..{ws.shas[-1]}", "-o", "changeset.json")
    _ferry(project, "diff", ws.shas[-1], "--json")  # fills the project's Diff cache
    _ferry(project, "plan", "changeset.json", "-o", "plan.json")
    _ferry(project, "sync", "--gate", "pytest")
    _ferry(project, "validate", "--plan", "plan.json", "--gate", "pytest")
    worktree = project / ".ferry" / "sync" / "worktree"
    if worktree.exists():  # a git worktree records absolute paths: copies must not share it
        subprocess.run(
            ["git", "-C", str(project), "worktree", "remove", "--force", str(worktree)], check=True
        )
    (project / "changes").mkdir()
    (project / "changes" / "note.txt").write_text("the loop's inputs for the matrix test\n")
    _tb_results(project / "runs" / "tb" / "oracle" / "results.json", "oracle")
    _tb_results(project / "runs" / "tb" / "nop" / "results.json", "nop")
    shutil.copytree(TB_TASK, project / "bench" / "tb" / "hello-world")
    build_instances(project / "bench" / "swe")
    instances = json.loads((project / "bench" / "swe" / "instances.json").read_text())
    (project / "bench" / "swe" / "instances.json").write_text(json.dumps(instances[:1]))
    (project / "parity" / "scenarios").mkdir(parents=True)
    (project / "parity" / "scenarios" / "one_command.yaml").write_text(SCENARIO)
    (project / "parity" / "allowlist.yaml").write_text(ALLOWLIST)
    (base / "tracer").mkdir()
    (base / "tracer" / "sitecustomize.py").write_text(TRACER)
    return Workspace(base, ws.upstream, project, ws.shas)


# ---------------------------------------------------------------------------- corruptions


def _replace(path: Path) -> None:
    """Remove whatever is at ``path`` (file, directory, SQLite side files)."""
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        side.unlink(missing_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _write(data: bytes) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        _replace(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return apply


def _directory(path: Path) -> None:
    _replace(path)
    (path / "child").mkdir(parents=True)


def _json_edit(edit: Callable[[object], object]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(edit(data)), encoding="utf-8")

    return apply


def _set(key: str, value: object) -> Callable[[object], object]:
    def edit(data: object) -> object:
        assert isinstance(data, dict), data
        return {**data, key: value}

    return edit


def _sqlite(script: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        _replace(path)
        with sqlite3.connect(path) as db:
            db.executescript(script)
        db.close()

    return apply


def _toml_section(section: str, value: str) -> Callable[[Path], None]:
    """Replace ``[section]`` (and its sub-tables) with ``section = value``."""

    def apply(path: Path) -> None:
        kept: list[str] = []
        skipping = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("["):
                name = line.strip("[] ")
                skipping = name == section or name.startswith(section + ".")
            if not skipping:
                kept.append(line)
        path.write_text(f"{section} = {value}\n" + "\n".join(kept) + "\n", encoding="utf-8")

    return apply


def _toml_key(section: str, key: str, value: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        header = f"[{section}]\n"
        assert header in text, (section, text)
        path.write_text(text.replace(header, f"{header}{key} = {value}\n", 1), encoding="utf-8")

    return apply


def _git_without_objects(path: Path) -> None:
    """A clone whose object store was lost (a crash or an overeager clean-up)."""
    objects = path / ".git" / "objects"
    for child in objects.iterdir():
        if child.name not in ("info",):
            shutil.rmtree(child)
    (objects / "pack").mkdir()


def _damage_entries(path: Path) -> None:
    """Flip bytes inside every stored value: the checksum must catch it."""
    with sqlite3.connect(path) as db:
        for table in ("items", "files"):
            db.execute(
                f"UPDATE {table} SET value = CAST(substr(value, 1, 12) || x'00ff00ff' AS BLOB)"
            )
    db.close()


def _unknown_commit(path: Path) -> None:
    _json_edit(_set("commit", "0123456789abcdef0123456789abcdef01234567"))(path)


@dataclass(frozen=True)
class Corruption:
    """One damaged input: ``target`` (relative to the project) after ``apply``.

    ``quick`` ones run in ``make test``; the rest only in the full (nightly) matrix.
    """

    name: str
    target: str
    apply: Callable[[Path], None]
    quick: bool = True


def _bad_types(path: Path) -> None:
    """A wrong type in every section: each loader must name the file and the key."""
    for section, key, value in (
        ("upstream", "branch", "[1]"),
        ("translate", "max_attempts", '"x"'),
        ("validate", "timeout_sec", '"x"'),
        ("sync", "batch", "-4"),
        ("report", "package", "5"),
    ):
        _toml_key(section, key, value)(path)


GARBAGE = b"\x00\x01garbage, not what ferry wrote\n"
NOT_UTF8 = b'{"format": "\xff\xfe"}'
SUMMARY = ".ferry/sync/runs/{run}/summary.json"
ARTIFACT = ".ferry/sync/runs/{run}/commits/{first}"

CORRUPTIONS: tuple[Corruption, ...] = (
    # ferry.toml
    Corruption("toml-syntax", "ferry.toml", _write(b'[upstream\nurl = "x"\n')),
    Corruption("toml-empty", "ferry.toml", _write(b""), quick=False),
    Corruption("toml-not-utf8", "ferry.toml", _write(b'[upstream]\nurl = "\xff"\n')),
    Corruption("toml-directory", "ferry.toml", _directory),
    Corruption("toml-bad-types", "ferry.toml", _bad_types),
    Corruption("toml-upstream-scalar", "ferry.toml", _toml_section("upstream", "7"), quick=False),
    Corruption(
        "toml-upstream-url-type", "ferry.toml", _toml_key("upstream", "branch", "[1]"), quick=False
    ),
    Corruption("toml-translate-scalar", "ferry.toml", _toml_section("translate", "7"), quick=False),
    Corruption(
        "toml-translate-key",
        "ferry.toml",
        _toml_key("translate", "max_attempts", '"x"'),
        quick=False,
    ),
    Corruption(
        "toml-module-map-type",
        "ferry.toml",
        _toml_section("translate.module_map", "3"),
        quick=False,
    ),
    Corruption("toml-validate-scalar", "ferry.toml", _toml_section("validate", '"x"'), quick=False),
    Corruption(
        "toml-validate-gates",
        "ferry.toml",
        _toml_key("validate", "timeout_sec", '"x"'),
        quick=False,
    ),
    Corruption("toml-sync-scalar", "ferry.toml", _toml_section("sync", "[1, 2]"), quick=False),
    Corruption("toml-sync-batch", "ferry.toml", _toml_key("sync", "batch", "-4"), quick=False),
    Corruption("toml-report-scalar", "ferry.toml", _toml_section("report", "1"), quick=False),
    Corruption(
        "toml-report-results", "ferry.toml", _toml_key("report", "package", "5"), quick=False
    ),
    # the pin
    Corruption("lock-directory", "ferry.lock", _directory),
    Corruption("lock-list", "ferry.lock", _write(b"[1,2,3]\n")),
    Corruption("lock-empty", "ferry.lock", _write(b""), quick=False),
    Corruption("lock-garbage", "ferry.lock", _write(GARBAGE), quick=False),
    Corruption("lock-not-utf8", "ferry.lock", _write(NOT_UTF8)),
    Corruption("lock-unknown-commit", "ferry.lock", _unknown_commit),
    Corruption("lock-commit-type", "ferry.lock", _json_edit(_set("commit", 12)), quick=False),
    # the ledger
    Corruption("ledger-empty", ".ferry/ledger.sqlite", _write(b"")),
    Corruption("ledger-garbage", ".ferry/ledger.sqlite", _write(GARBAGE * 100)),
    Corruption("ledger-directory", ".ferry/ledger.sqlite", _directory),
    Corruption(
        "ledger-foreign-schema",
        ".ferry/ledger.sqlite",
        _sqlite(
            "CREATE TABLE commits (sha TEXT, colour TEXT); INSERT INTO commits VALUES ('a','b');"
        ),
        quick=False,
    ),
    Corruption(
        "ledger-no-tables", ".ferry/ledger.sqlite", _sqlite("CREATE TABLE other (x INTEGER);")
    ),
    # the upstream checkout
    Corruption("checkout-file", ".ferry/upstream", _write(b"not a repository\n")),
    Corruption("checkout-not-git", ".ferry/upstream", _directory),
    Corruption("checkout-no-objects", ".ferry/upstream", _git_without_objects),
    # the sync checkpoint
    Corruption("state-garbage", ".ferry/sync/state.json", _write(GARBAGE), quick=False),
    Corruption("state-list", ".ferry/sync/state.json", _write(b"[1,2,3]")),
    Corruption("state-empty", ".ferry/sync/state.json", _write(b""), quick=False),
    Corruption("state-not-utf8", ".ferry/sync/state.json", _write(NOT_UTF8)),
    Corruption("state-directory", ".ferry/sync/state.json", _directory),
    Corruption("state-wrong-shape", ".ferry/sync/state.json", _json_edit(_set("commits", 5))),
    # a sync run's summary and artifacts
    Corruption("summary-garbage", SUMMARY, _write(GARBAGE), quick=False),
    Corruption("summary-list", SUMMARY, _write(b"[]"), quick=False),
    Corruption("summary-not-utf8", SUMMARY, _write(NOT_UTF8)),
    Corruption("summary-commits-type", SUMMARY, _json_edit(_set("commits", {"a": 1}))),
    Corruption("artifact-changeset", ARTIFACT + "/changeset.json", _write(b"[1]")),
    Corruption("artifact-plan", ARTIFACT + "/plan.json", _write(NOT_UTF8), quick=False),
    Corruption("artifact-translate", ARTIFACT + "/translate.json", _write(GARBAGE), quick=False),
    Corruption("artifact-verdict", ARTIFACT + "/verdict.json", _write(b'{"gates": 3}')),
    Corruption("artifact-diff", ARTIFACT + "/python.diff", _write(b"\xff\xfe\x00")),
    # ChangeSet and Plan JSON
    Corruption("changeset-garbage", "changeset.json", _write(GARBAGE), quick=False),
    Corruption("changeset-list", "changeset.json", _write(b"[1,2,3]")),
    Corruption("changeset-not-utf8", "changeset.json", _write(NOT_UTF8)),
    Corruption(
        "changeset-format", "changeset.json", _json_edit(_set("format", "other/9")), quick=False
    ),
    Corruption("changeset-items", "changeset.json", _json_edit(_set("items", [{"x": 1}]))),
    Corruption("plan-garbage", "plan.json", _write(GARBAGE), quick=False),
    Corruption("plan-list", "plan.json", _write(b"[]")),
    Corruption("plan-not-utf8", "plan.json", _write(NOT_UTF8)),
    Corruption("plan-units", "plan.json", _json_edit(_set("units", [{"id": 3}]))),
    # the provenance index and the answer cache
    Corruption("provenance-empty", ".ferry/provenance.sqlite", _write(b"")),
    Corruption(
        "provenance-garbage", ".ferry/provenance.sqlite", _write(GARBAGE * 100), quick=False
    ),
    Corruption("provenance-directory", ".ferry/provenance.sqlite", _directory),
    Corruption(
        "provenance-foreign-schema",
        ".ferry/provenance.sqlite",
        _sqlite("CREATE TABLE links (a TEXT); CREATE TABLE symbols (b INTEGER);"),
        quick=False,
    ),
    Corruption("cache-garbage", ".ferry/cache", _directory),
    Corruption("diff-cache-garbage", DIFF_CACHE + "/{diffstore}", _write(GARBAGE * 100)),
    Corruption("diff-cache-entries", DIFF_CACHE + "/{diffstore}", _damage_entries),
    Corruption("verdict-garbage", ".ferry/verdict.json", _write(GARBAGE)),
    # ferry bench results, tasks and instances
    Corruption("results-garbage", "runs/tb/oracle/results.json", _write(GARBAGE), quick=False),
    Corruption("results-list", "runs/tb/oracle/results.json", _write(b"[1]"), quick=False),
    Corruption("results-not-utf8", "runs/tb/oracle/results.json", _write(NOT_UTF8)),
    Corruption("results-directory", "runs/tb/oracle/results.json", _directory),
    Corruption(
        "results-trials-type", "runs/tb/oracle/results.json", _json_edit(_set("results", 4))
    ),
    Corruption("tb-task-garbage", "bench/tb/hello-world/task.yaml", _write(b"{: [\n")),
    Corruption(
        "tb-task-list", "bench/tb/hello-world/task.yaml", _write(b"- 1\n- 2\n"), quick=False
    ),
    Corruption("swe-instances-garbage", "bench/swe/instances.json", _write(GARBAGE)),
    Corruption("swe-instances-shape", "bench/swe/instances.json", _write(b'[{"repo": 1}]')),
    # parity scenarios
    Corruption("scenario-garbage", "parity/scenarios/one_command.yaml", _write(b"{: [\n")),
    Corruption(
        "scenario-shape", "parity/scenarios/one_command.yaml", _write(b"turns: 5\n"), quick=False
    ),
    Corruption("allowlist-garbage", "parity/allowlist.yaml", _write(b"allow: 3\n")),
)


def resolve_target(project: Path, corruption: Corruption) -> Path:
    """The target path in ``project`` (``{run}``/``{first}`` name the stored sync run)."""
    runs = project / ".ferry" / "sync" / "runs"
    run = next(iter(sorted(p.name for p in runs.iterdir()))) if runs.is_dir() else "none"
    commits = runs / run / "commits"
    first = next(iter(sorted(p.name for p in commits.iterdir()))) if commits.is_dir() else "none"
    return project / corruption.target.format(run=run, first=first, diffstore=store_name())


def clean_env() -> dict[str, str]:
    """The caller's environment without ferry's test hooks and pytest's variables."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FERRY_", "PYTEST_")) or k == "FERRY_DIFF_CACHE"
    }


def trace_env(ws: Workspace, log: Path) -> dict[str, str]:
    """The environment for a traced run (the tracer first on ``PYTHONPATH``)."""
    env = clean_env()
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ws.root / "tracer"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["FERRY_TRACE_PATHS"] = str(log)
    return env
