"""Which translated symbols the gates actually ran (coverage over every gate process).

While the pytest and parity gates run, the gate environment's start-up hook records line
coverage (``coverage`` with ``parallel = True``) limited to the files a translation
touched, in every Python process of the environment: the test runner, the CLI
subprocesses of end-to-end tests and the ``pycodex exec`` runs of parity scenarios. A
symbol is *exercised* when a line of its body ran; a declaration (a class without logic
in methods, a constant) is exercised when its statement ran. A translation nothing
exercises is ``untested``: ``ferry sync`` merges it only when told to, and flags it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ferry.fsutil import write_text_atomic
from harness.validate.isolation import GateEnv


@dataclass(frozen=True)
class SymbolSpan:
    """A translated symbol and the lines that count as running it."""

    module: str
    symbol: str  # ``Name`` or ``Class.method``
    path: str  # absolute
    lines: tuple[int, ...]

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.symbol}"


def _body_lines(node: cst.CSTNode, wrapper: MetadataWrapper) -> tuple[int, ...]:
    positions = wrapper.resolve(PositionProvider)
    if isinstance(node, cst.FunctionDef):
        body = node.body
        stmts = list(body.body) if isinstance(body, cst.IndentedBlock) else [body]
        if (
            len(stmts) > 1
            and isinstance(stmts[0], cst.SimpleStatementLine)
            and isinstance(stmts[0].body[0], cst.Expr)
            and isinstance(stmts[0].body[0].value, cst.SimpleString | cst.ConcatenatedString)
        ):
            stmts = stmts[1:]  # the docstring is not logic
        lines: set[int] = set()
        for stmt in stmts:
            pos = positions[stmt]
            lines.update(range(pos.start.line, pos.end.line + 1))
        return tuple(sorted(lines))
    if isinstance(node, cst.ClassDef):
        methods = [
            s
            for s in (node.body.body if isinstance(node.body, cst.IndentedBlock) else [])
            if isinstance(s, cst.FunctionDef)
        ]
        if methods:
            lines = set()
            for method in methods:
                lines.update(_body_lines(method, wrapper))
            return tuple(sorted(lines))
        pos = positions[node]
        return tuple(range(pos.start.line, pos.end.line + 1))
    pos = positions[node]
    return tuple(range(pos.start.line, pos.end.line + 1))


def symbol_spans(module: str, path: Path, symbols: Iterable[str]) -> list[SymbolSpan]:
    """Spans of ``symbols`` (``Name`` / ``Class.method``) in the module file at ``path``."""
    wanted = list(dict.fromkeys(symbols))
    if not wanted or not path.is_file():
        return []
    try:
        tree = cst.parse_module(path.read_text(encoding="utf-8"))
    except cst.ParserSyntaxError:
        return []
    wrapper = MetadataWrapper(tree)
    top: dict[str, cst.CSTNode] = {}
    for stmt in wrapper.module.body:
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            top[stmt.name.value] = stmt
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets: list[cst.BaseAssignTargetExpression] = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AnnAssign):
                    targets = [small.target]
                for target in targets:
                    if isinstance(target, cst.Name):
                        top[target.value] = stmt
    spans: list[SymbolSpan] = []
    for symbol in wanted:
        owner, _, method = symbol.partition(".")
        node = top.get(owner)
        if method and isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock):
            node = next(
                (s for s in node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == method),
                None,
            )  # fmt: skip
        if node is None:
            continue
        spans.append(SymbolSpan(module, symbol, str(path.resolve()), _body_lines(node, wrapper)))
    return spans


@contextmanager
def recording(env: GateEnv, spans: Sequence[SymbolSpan], data_dir: Path) -> Iterator[Path]:
    """Coverage on for every process of ``env`` (limited to the spans' files) inside the block."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    files = sorted({s.path for s in spans})
    include = "\n".join(f"    {f}" for f in files)
    write_text_atomic(
        env.coverage_rc,
        f"[run]\ndata_file = {data_dir / '.coverage'}\nparallel = True\n"
        f"include =\n{include}\ndisable_warnings = module-not-measured, no-data-collected, module-not-imported\n",
    )
    try:
        yield data_dir
    finally:
        env.coverage_rc.unlink(missing_ok=True)


def executed_lines(data_dir: Path) -> dict[str, set[int]]:
    """Lines run per file (absolute, resolved), from the parallel data files in ``data_dir``."""
    import coverage

    files = [str(p) for p in data_dir.glob(".coverage*")]
    if not files:
        return {}
    cov = coverage.Coverage(data_file=str(data_dir / ".coverage-combined"), config_file=False)
    cov.combine(files, keep=True)
    data = cov.get_data()
    return {str(Path(f).resolve()): set(data.lines(f) or ()) for f in data.measured_files()}


def unexercised(spans: Sequence[SymbolSpan], executed: dict[str, set[int]]) -> list[str]:
    """Qualified names of the spans none of whose lines ran."""
    return [s.qualified for s in spans if not (set(s.lines) & executed.get(s.path, set()))]
