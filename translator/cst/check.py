"""Static checks every candidate passes before it is merged.

A candidate must parse, define exactly the expected top-level names, and contain no
placeholder bodies (``pass``, ``...``, ``raise NotImplementedError``), no TODO/FIXME
comments and no stray ``print`` calls. Failures are values: the report's text is what the
repair loop sends back to the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from translator.cst.symbols import defined_names, method_names

_TODO = re.compile(r"\b(TODO|FIXME|XXX)\b")
_ALLOWED_ELLIPSIS_DECORATORS = {
    "overload",
    "abstractmethod",
    "abc.abstractmethod",
    "typing.overload",
}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def render(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    problems: tuple[Problem, ...] = ()
    names: tuple[str, ...] = ()

    def text(self) -> str:
        """The failure text handed back to a model in a repair attempt."""
        if self.ok:
            return "ok"
        return "The candidate failed the static checks:\n" + "\n".join(
            f"- {p.render()}" for p in self.problems
        )


def _decorator_name(dec: cst.Decorator) -> str:
    node = dec.decorator
    if isinstance(node, cst.Call):
        node = node.func
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
    return ".".join(reversed(parts))


def _is_placeholder_stmt(stmt: cst.BaseStatement | cst.BaseSmallStatement) -> bool:
    smalls: Sequence[cst.BaseSmallStatement]
    if isinstance(stmt, cst.SimpleStatementLine):
        smalls = stmt.body
    elif isinstance(stmt, cst.BaseSmallStatement):
        smalls = [stmt]
    else:
        return False
    for small in smalls:
        if isinstance(small, cst.Pass):
            continue
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Ellipsis):
            continue
        if isinstance(small, cst.Expr) and isinstance(
            small.value, cst.SimpleString | cst.ConcatenatedString
        ):
            continue  # a docstring alone
        if isinstance(small, cst.Raise) and small.exc is not None:
            exc = small.exc.func if isinstance(small.exc, cst.Call) else small.exc
            if isinstance(exc, cst.Name) and exc.value == "NotImplementedError":
                continue
        return False
    return True


def _body_is_placeholder(body: cst.BaseSuite) -> bool:
    if isinstance(body, cst.SimpleStatementSuite):
        return all(_is_placeholder_stmt(s) for s in body.body)
    if isinstance(body, cst.IndentedBlock):
        return all(_is_placeholder_stmt(s) for s in body.body)
    return False


class _Checker(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._class_stack: list[cst.ClassDef] = []

    def _line(self, node: cst.CSTNode) -> int:
        return int(self.get_metadata(PositionProvider, node).start.line)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._class_stack.append(node)
        bases = {b.value.value for b in node.bases if isinstance(b.value, cst.Name)}
        if _body_is_placeholder(node.body) and not bases & {
            "Protocol",
            "Exception",
            "Enum",
            "StrEnum",
        }:
            body = node.body
            only_doc = isinstance(body, cst.IndentedBlock) and all(
                isinstance(s, cst.SimpleStatementLine)
                and all(
                    isinstance(x, cst.Expr) and isinstance(x.value, cst.SimpleString)
                    for x in s.body
                )
                for s in body.body
            )
            if not only_doc:
                self.problems.append(
                    Problem(self._line(node), f"class {node.name.value} has a placeholder body")
                )

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._class_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        decorators = {_decorator_name(d) for d in node.decorators}
        in_protocol = any(
            any(isinstance(b.value, cst.Name) and b.value.value == "Protocol" for b in cls.bases)
            for cls in self._class_stack
        )
        if _body_is_placeholder(node.body) and not (
            decorators & _ALLOWED_ELLIPSIS_DECORATORS or in_protocol
        ):
            self.problems.append(
                Problem(
                    self._line(node),
                    f"function {node.name.value} has a placeholder body (pass / ... / NotImplementedError)",
                )
            )

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("print", "breakpoint"):
            self.problems.append(Problem(self._line(node), f"stray {node.func.value}() call"))

    def visit_Comment(self, node: cst.Comment) -> None:
        if _TODO.search(node.value):
            self.problems.append(
                Problem(self._line(node), f"placeholder comment {node.value.strip()!r}")
            )


def check_candidate(
    code: str,
    expected: Sequence[str],
    *,
    methods: dict[str, Sequence[str]] | None = None,
) -> CheckReport:
    """Check ``code`` defines exactly ``expected`` top-level names (and class ``methods``)."""
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError as exc:
        return CheckReport(False, (Problem(exc.raw_line, f"syntax error: {exc.message}"),))
    problems: list[Problem] = []
    names = defined_names(module)
    overloads = [
        s.name.value
        for s in module.body
        if isinstance(s, cst.FunctionDef)
        and any(_decorator_name(d).endswith("overload") for d in s.decorators)
    ]
    for name in overloads:
        names.remove(name)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(Problem(0, f"names defined more than once: {', '.join(duplicates)}"))
    missing = [n for n in expected if n not in names]
    extra = [n for n in names if n not in expected]
    if missing:
        problems.append(Problem(0, f"missing expected top-level definitions: {', '.join(missing)}"))
    if extra:
        problems.append(
            Problem(
                0,
                f"unexpected top-level definitions (define only {', '.join(expected)}): {', '.join(extra)}",
            )
        )
    for cls_name, wanted in (methods or {}).items():
        cls = next(
            (s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == cls_name),
            None,
        )
        have = method_names(cls) if cls is not None else []
        lacking = [m for m in wanted if m not in have]
        if lacking:
            problems.append(Problem(0, f"class {cls_name} lacks methods: {', '.join(lacking)}"))
    checker = _Checker()
    MetadataWrapper(module).visit(checker)
    problems.extend(checker.problems)
    return CheckReport(not problems, tuple(problems), tuple(names))
