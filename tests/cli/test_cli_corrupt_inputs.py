"""Every ``ferry`` subcommand, run as a user runs it, against every damaged input it reads.

The subcommands come from the click command tree, so a new one is covered as soon as it is
registered (one with required arguments needs a line in ``RECIPES``; the test says so).
Each command is first run on an intact project with a path tracer; it is then run once per
corruption of an input it touched (``corrupt_workspace.CORRUPTIONS``), each in a fresh copy
of the project. It must never print a Python traceback or hang; when it fails it must name
the damaged file. ``FERRY_CORRUPT_MATRIX=full`` runs every corruption against every command
(the nightly variant: slower, and it also catches inputs read only on error paths).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from corrupt_workspace import (
    CORRUPTIONS,
    DIFF_CACHE,
    FAKE_CODEX,
    Corruption,
    Workspace,
    build_workspace,
    clean_env,
    resolve_target,
    trace_env,
)

from ferry.cli import main

FERRY = str(Path(sys.executable).with_name("ferry"))
TIMEOUT_S = 300
FAKE = f"{sys.executable} {FAKE_CODEX}"


@dataclass(frozen=True)
class Recipe:
    """How to run one subcommand on the project (``{sha0}``..``{head}``: upstream commits).

    ``focus``: in the quick matrix, only corruptions of targets under this prefix (a
    variant that exists for one input, such as ``sync --restart`` for the checkpoint).
    """

    args: tuple[str, ...]
    focus: str | None = None


def _r(command: str, focus: str | None = None) -> Recipe:
    return Recipe(tuple(shlex.split(command)), focus)


_FAKE = shlex.quote(FAKE)
#: a command without an entry runs bare (it must then have no required parameters)
RECIPES: dict[tuple[str, ...], list[Recipe]] = {
    ("track",): [_r("track")],
    ("ledger", "list"): [_r("ledger list --json")],
    ("ledger", "mark"): [_r("ledger mark {sha1} skipped --reason matrix")],
    ("diff",): [_r("diff"), _r("diff {sha0}..{head} -o out/changeset.json")],
    ("plan",): [_r("plan changeset.json -o out/plan.json")],
    ("translate",): [_r("translate plan.json --backend mechanical")],
    ("validate",): [_r("validate --plan plan.json --gate pytest -o out/verdict.json")],
    ("parity", "run"): [
        _r(
            "parity run --scenarios parity/scenarios --allowlist parity/allowlist.yaml "
            f"--codex {_FAKE} --pycodex {_FAKE} --json-report out/parity.json"
        )
    ],
    ("bench", "tb"): [_r("bench tb bench/tb -a oracle -o out/tb --run-id m")],
    ("bench", "swe"): [
        _r("bench swe bench/swe/instances.json -a oracle --repos bench/swe/repos -o out/swe")
    ],
    ("bench", "h2h"): [_r("bench h2h runs/tb/oracle/results.json runs/tb/nop/results.json")],
    ("report",): [_r("report -o out/report")],
    ("sync",): [_r("sync"), _r("sync --restart", focus=".ferry/sync/")],
}


def leaf_commands() -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every runnable ``ferry`` subcommand, from the click tree (lazy groups included)."""

    def walk(
        command: click.Command, ctx: click.Context, path: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, f"ferry {' '.join((*path, name))} cannot be loaded"
                yield from walk(sub, click.Context(sub, parent=ctx, info_name=name), (*path, name))
        else:
            yield path, command

    yield from walk(main, click.Context(main, info_name="ferry"), ())


COMMANDS = dict(leaf_commands())


def recipes(path: tuple[str, ...]) -> list[Recipe]:
    if path in RECIPES:
        return RECIPES[path]
    command = COMMANDS[path]
    required = [p.name for p in command.params if p.required]
    assert not required, (
        f"`ferry {' '.join(path)}` needs {required}: add an entry to RECIPES in {__file__} "
        "so the corrupt-input matrix can run it"
    )
    return [Recipe(path)]


@dataclass(frozen=True)
class Outcome:
    args: tuple[str, ...]
    code: int | None  # None: timed out
    output: str


def run_ferry(
    ws: Workspace, project: Path, args: tuple[str, ...], env: dict[str, str] | None = None
) -> Outcome:
    values = {f"sha{i}": sha for i, sha in enumerate(ws.shas)} | {"head": ws.shas[-1]}
    argv = [a.format(**values) if "{" in a else a for a in args]
    env = dict(env if env is not None else clean_env())
    env["FERRY_DIFF_CACHE"] = str(project / DIFF_CACHE)  # a project-private cache, damageable
    try:
        proc = subprocess.run(
            [FERRY, *argv],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"") + (exc.stderr or b"")
        text = out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out)
        return Outcome(tuple(argv), None, text)
    return Outcome(tuple(argv), proc.returncode, proc.stdout + proc.stderr)


def touched(log: Path, project: Path) -> set[str]:
    """Paths under ``project`` the traced run touched, relative to it."""
    root = str(project.resolve())
    found = set()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line == root or line.startswith(root + os.sep):
            found.add(os.path.relpath(line, root))
    return found


def relevant(corruption: str, paths: set[str]) -> bool:
    return any(p == corruption or p.startswith(corruption + os.sep) for p in paths)


def problem(outcome: Outcome, label: str, target: str | None) -> str | None:
    """Why ``outcome`` is unacceptable, or None."""
    where = f"ferry {' '.join(outcome.args)}  [{label}]"
    if outcome.code is None:
        return f"{where}: timed out after {TIMEOUT_S}s\n{outcome.output[-2000:]}"
    if "Traceback (most recent call last)" in outcome.output:
        return f"{where}: exit {outcome.code} with a traceback\n{outcome.output[-4000:]}"
    if target is not None and outcome.code != 0:
        names = {target, Path(target).name, Path(target).parent.name}
        if not any(name and name in outcome.output for name in names):
            return f"{where}: exit {outcome.code} without naming {target}\n{outcome.output[-2000:]}"
    return None


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build_workspace(tmp_path_factory.mktemp("matrix"))


def test_matrix_covers_every_command_and_input() -> None:
    """Stale recipes fail, and every command can be run (required arguments have a recipe)."""
    assert set(RECIPES) <= set(COMMANDS), set(RECIPES) - set(COMMANDS)
    for path in COMMANDS:
        assert recipes(path)
    assert {"track", "sync", "report", "diff", "plan"} <= {p[0] for p in COMMANDS}
    assert len({c.name for c in CORRUPTIONS}) == len(CORRUPTIONS)


# each command is a dozen or more real ferry runs (the first also builds the project): give
# a loaded machine room, a hang still fails at TIMEOUT_S per run
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: "-".join(p))
def test_no_traceback_on_corrupt_inputs(
    path: tuple[str, ...], workspace: Workspace, tmp_path: Path
) -> None:
    full = os.environ.get("FERRY_CORRUPT_MATRIX") == "full"
    failures: list[str] = []
    cases: list[tuple[Recipe, Corruption]] = []
    for n, recipe in enumerate(recipes(path)):
        project = workspace.copy(tmp_path / f"baseline-{n}")
        log = tmp_path / f"trace-{n}.log"
        baseline = run_ferry(workspace, project, recipe.args, trace_env(workspace, log))
        bad = problem(baseline, "intact project", None)
        if bad is None and baseline.code != 0:
            bad = (
                f"ferry {' '.join(baseline.args)} fails on the intact project:\n"
                f"{baseline.output[-3000:]}"
            )
        if bad is not None:
            failures.append(bad)
            continue
        paths = touched(log, project)
        for corruption in CORRUPTIONS:
            target = str(resolve_target(project, corruption).relative_to(project))
            if not full and not (
                corruption.quick and (recipe.focus is None or target.startswith(recipe.focus))
            ):
                continue
            if full or relevant(target, paths):
                cases.append((recipe, corruption))

    def run_case(index: int) -> str | None:
        recipe, corruption = cases[index]
        project = workspace.copy(tmp_path / f"case-{index}")
        target = resolve_target(project, corruption)
        corruption.apply(target)
        outcome = run_ferry(workspace, project, recipe.args)
        return problem(outcome, corruption.name, str(target.relative_to(project)))

    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        failures += [f for f in pool.map(run_case, range(len(cases))) if f is not None]
    assert not failures, f"{len(failures)} of {len(cases)} runs failed:\n\n" + "\n\n".join(failures)
