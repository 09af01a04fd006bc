"""Static checks every candidate passes before it is merged.

A candidate must parse, define exactly the expected top-level names, and contain no
placeholder bodies (``pass``, ``...``, ``raise NotImplementedError``), no TODO/FIXME
comments or docstrings and no stray ``print`` calls. The stub guard goes further where
the Rust item has logic (:func:`rust_has_logic`): a Python body that only returns a
constant or an empty container (``return []``, ``return None``, ``return 0``) is a stub
too. Failures are values: the report's text is what the repair loop sends back.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import libcst as cst
import tree_sitter
import tree_sitter_rust
from libcst.metadata import MetadataWrapper, PositionProvider

from translator.cst.symbols import defined_names, method_names

_TODO = re.compile(r"\b(TODO|FIXME|XXX)\b")
#: Rust function bodies that are themselves a constant: translating them to a constant is right
_TRIVIAL_RUST = re.compile(
    r"""^(
        \(\) | None | true | false | Ok\(\(\)\) | Self | self
      | -?[0-9][0-9_]*(\.[0-9_]+)?([a-z][a-z0-9]*)?
      | [A-Z][A-Z0-9_]* | (Self|[A-Z][A-Za-z0-9]*)::[A-Z][A-Za-z0-9_]*
      | "([^"\\]|\\.)*"(\.(to_string|to_owned|into)\(\))? | [a-z]?'.'
      | (Some|Ok)\(("([^"\\]|\\.)*"|-?[0-9][0-9_]*|true|false|[A-Z][A-Z0-9_]*)\)
      | ([A-Za-z_][A-Za-z0-9_]*::)*(new|default|empty)\(\) | vec!\[\] | String::new\(\)
    )$""",
    re.VERBOSE,
)


@cache
def _rust_parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_rust.language()))


def rust_has_logic(rust: str | None) -> bool:
    """Whether a Rust item is a function whose body does more than produce a constant.

    ``fn default_retries() -> u32 { 5 }`` has none (its Python ``return 5`` is faithful);
    ``fn run_turn(&self) -> Vec<String> { self.history.iter()... }`` has. Items that are
    not functions (structs, enums, consts) have no body to stub.
    """
    if not rust:
        return False
    tree = _rust_parser().parse(rust.encode())
    stack = [tree.root_node]
    fn: tree_sitter.Node | None = None
    while stack:
        node = stack.pop(0)
        if node.type == "function_item":
            fn = node
            break
        stack.extend(node.children)
    body = fn.child_by_field_name("body") if fn is not None else None
    if body is None:
        return False
    parts = [c for c in body.named_children if c.type not in ("line_comment", "block_comment")]
    if not parts:
        return False
    if len(parts) > 1:
        return True
    text = (parts[0].text or b"").decode(errors="replace").strip().rstrip(";").strip()
    return not _TRIVIAL_RUST.match(re.sub(r"\s+", "", text).replace("::<", "::"))


def _constant_expr(node: cst.BaseExpression | None) -> bool:
    """None, literals, empty containers and empty constructor calls (``list()``)."""
    if node is None:
        return True
    if isinstance(node, cst.Name):
        return node.value in ("None", "True", "False")
    if isinstance(
        node, cst.Integer | cst.Float | cst.Imaginary | cst.SimpleString | cst.ConcatenatedString
    ):
        return True
    if isinstance(node, cst.UnaryOperation):
        return _constant_expr(node.expression)
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return not node.elements
    if isinstance(node, cst.Dict):
        return not node.elements
    if isinstance(node, cst.Call) and not node.args and isinstance(node.func, cst.Name):
        return node.func.value in ("list", "dict", "set", "tuple", "str", "bytes", "frozenset")
    return False


def _returns_constant(body: cst.BaseSuite) -> str | None:
    """The source of ``return <constant>`` when that is all a body does (after a docstring)."""
    stmts: list[cst.BaseStatement | cst.BaseSmallStatement] = list(body.body)
    smalls: list[cst.BaseSmallStatement] = []
    for stmt in stmts:
        if isinstance(stmt, cst.SimpleStatementLine):
            smalls.extend(stmt.body)
        elif isinstance(stmt, cst.BaseSmallStatement):
            smalls.append(stmt)
        else:
            return None
    smalls = [
        s
        for s in smalls
        if not (
            isinstance(s, cst.Expr)
            and isinstance(s.value, cst.SimpleString | cst.ConcatenatedString)
        )
        and not isinstance(s, cst.Pass)
    ]
    if len(smalls) != 1 or not isinstance(smalls[0], cst.Return):
        return None
    ret = smalls[0]
    if not _constant_expr(ret.value):
        return None
    return cst.Module([]).code_for_node(ret).strip()


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

    def __init__(self, logic: Mapping[str, str] | None = None) -> None:
        self.problems: list[Problem] = []
        self._class_stack: list[cst.ClassDef] = []
        self._logic = dict(logic or {})  # Python symbol -> Rust path, for items with logic

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
            return
        owner = ".".join(c.name.value for c in self._class_stack)
        symbol = f"{owner}.{node.name.value}" if owner else node.name.value
        rust = self._logic.get(symbol)
        stub = _returns_constant(node.body) if rust is not None else None
        if stub is not None:
            self.problems.append(
                Problem(
                    self._line(node),
                    f"function {symbol} is a stub (`{stub}`) but the Rust item {rust} has "
                    "logic: translate what it computes",
                )
            )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if _TODO.search(node.value):
            self.problems.append(
                Problem(self._line(node), "placeholder text (TODO/FIXME/XXX) in a string")
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
    logic: Mapping[str, str] | None = None,
) -> CheckReport:
    """Check ``code`` defines exactly ``expected`` top-level names (and class ``methods``).

    ``logic`` maps Python symbols (``name`` / ``Class.method``) to the Rust items with
    logic they translate: those must not be stubs that return a constant.
    """
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
    checker = _Checker(logic)
    MetadataWrapper(module).visit(checker)
    problems.extend(checker.problems)
    return CheckReport(not problems, tuple(problems), tuple(names))


def _function(module: cst.Module, symbol: str) -> cst.FunctionDef | None:
    owner, _, leaf = symbol.rpartition(".")
    stmts: Sequence[cst.BaseStatement] = module.body
    if owner:
        cls = next(
            (s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == owner), None
        )
        if cls is None or not isinstance(cls.body, cst.IndentedBlock):
            return None
        stmts = cls.body.body
    return next((s for s in stmts if isinstance(s, cst.FunctionDef) and s.name.value == leaf), None)


def signature_text(node: cst.FunctionDef) -> str:
    """``(self, prompt: str) -> list[str]`` with whitespace and trailing commas removed."""
    code = cst.Module([]).code_for_node
    params = code(node.params)
    returns = code(node.returns.annotation) if node.returns is not None else ""
    text = f"({params})" + (f" -> {returns}" if returns else "")
    return re.sub(r",\s*\)", ")", re.sub(r"\s+", " ", text)).replace("( ", "(")


def signature_problems(code: str, kept: Mapping[str, tuple[str, str]]) -> list[str]:
    """Public signatures the candidate changed although the Rust signature did not.

    ``kept`` maps a Python symbol to (Rust path, the symbol's current source) for items
    whose Rust change touched only the body: their callers in the port still call the old
    signature, so a changed one would break them.
    """
    if not kept:
        return []
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError:
        return []
    problems: list[str] = []
    for symbol, (rust_path, current) in kept.items():
        if symbol.rpartition(".")[2].startswith("_"):
            continue
        try:
            old_module = cst.parse_module(textwrap.dedent(current))
        except cst.ParserSyntaxError:
            continue
        old = next((s for s in old_module.body if isinstance(s, cst.FunctionDef)), None)
        new = _function(module, symbol)
        if old is None or new is None:
            continue
        before, after = signature_text(old), signature_text(new)
        if before != after:
            problems.append(
                f"{symbol}: the Rust change to {rust_path} kept its signature, so keep the "
                f"Python one: `{before}` (the candidate has `{after}`); the port's callers use it"
            )
    return problems
