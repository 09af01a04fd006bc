"""A small, safe evaluator for the Starlark subset ``.rules`` files use.

The file is parsed with :mod:`ast` (Starlark's syntax is a subset of Python's)
and walked node by node; nothing is ever passed to ``exec``/``eval``. Supported:
literals, lists/tuples/dicts, names, assignments, ``+ - * % //``, comparisons,
``and/or/not``, conditional expressions, f-strings, subscripts and slices,
comprehensions, ``for``/``if`` statements, ``def`` with defaults, and a few
builtins and string/list methods. Anything else is a load error with a location.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import NoReturn

from pycodex.execpolicy.errors import ErrorLocation, PolicyError, StarlarkError, TraceFrame
from pycodex.execpolicy.starlark_builtins import MAX_SEQUENCE, METHODS, standard_builtins
from pycodex.execpolicy.starlark_resolve import did_you_mean, first_unresolved, module_names
from pycodex.execpolicy.starlark_syntax import diagnose, scan_tokens
from pycodex.execpolicy.starlark_values import (
    Builtin,
    CallSite,
    Function,
    Untraced,
    Value,
    bind_arguments,
    is_int,
    is_missing,
    is_num,
    starlark_repr,
    starlark_str,
    truthy,
    type_name,
)

__all__ = [
    "Builtin",
    "CallSite",
    "Interpreter",
    "Value",
    "bind_arguments",
    "is_missing",
    "starlark_repr",
    "type_name",
]


class _Return(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_MAX_CALL_DEPTH = 64


# ferry: port-only -- reimplements the starlark crate's evaluator (a Rust dependency, not codex-rs) for the subset .rules files use
class Interpreter:
    """Evaluates one file's module body against ``globals``."""

    def __init__(self, path: str, source: str, builtins: Mapping[str, Builtin]) -> None:
        self.path = path
        self.source = source
        self.globals: dict[str, Value] = {}
        self.builtins: dict[str, Value] = {**standard_builtins(), **builtins}
        self._depth = 0
        self._call_stack: list[Function] = []
        self._lines = source.splitlines()
        #: Active calls, outermost first: (calling function, call expression).
        self._frames: list[tuple[str, ast.Call]] = []

    # -- entry point
    # ferry: port-only -- reimplements the starlark crate's evaluator (a Rust dependency, not codex-rs)
    def run(self) -> None:
        self._check_tokens()
        try:
            tree = ast.parse(self.source, filename=self.path, mode="exec")
        except SyntaxError as exc:
            found = diagnose(self.source, exc)
            if found is None:
                message = exc.msg
                location = ErrorLocation(self.path, exc.lineno or 1, exc.offset or 1)
            else:
                message = found.message
                location = ErrorLocation(
                    self.path,
                    found.line,
                    found.column,
                    found.end_line,
                    found.end_column,
                    found.at_eof,
                )
            raise StarlarkError(
                f"error: Parse error: {message}", location, source=self.source
            ) from None
        except (RecursionError, MemoryError, ValueError) as exc:
            raise StarlarkError(
                f"error: Parse error: {type(exc).__name__}: input nested too deeply or invalid",
                ErrorLocation(self.path, 1, 1),
            ) from None
        unknown = first_unresolved(tree, self.builtins.keys())
        if unknown is not None:
            suggestion = did_you_mean(unknown.id, [*module_names(tree), *sorted(self.builtins)])
            hint = f", did you mean `{suggestion}`?" if suggestion else ""
            self._fail(unknown, f"Variable `{unknown.id}` not found{hint}")
        try:
            self._exec_block(tree.body, self.globals)
        except RecursionError:
            raise StarlarkError(
                "error: expression nested too deeply", ErrorLocation(self.path, 1, 1)
            ) from None

    def _check_tokens(self) -> None:
        """Token-level errors Starlark reports but Python accepts (e.g. ``while``, ``"a" "b"``)."""
        found = scan_tokens(self.source)
        if found is not None:
            raise StarlarkError(
                f"error: Parse error: {found.message}",
                ErrorLocation(
                    self.path, found.line, found.column, found.end_line, found.end_column
                ),
                source=self.source,
            )

    # -- errors
    def _char_col(self, line: int, byte_offset: int) -> int:
        """1-based character column from ast's UTF-8 byte offset."""
        if 1 <= line <= len(self._lines):
            prefix = self._lines[line - 1].encode("utf-8")[:byte_offset]
            return len(prefix.decode("utf-8", errors="ignore")) + 1
        return byte_offset + 1

    def _loc(self, node: ast.AST) -> ErrorLocation:
        line = getattr(node, "lineno", 1)
        col = self._char_col(line, getattr(node, "col_offset", 0))
        end_line = getattr(node, "end_lineno", None)
        end_offset = getattr(node, "end_col_offset", None)
        end_col = (
            None if end_line is None or end_offset is None else self._char_col(end_line, end_offset)
        )
        return ErrorLocation(self.path, line, col, end_line, end_col)

    def _segment(self, node: ast.expr) -> str:
        """Source text of ``node`` (``ast.get_source_segment`` re-splits the file each call)."""
        start, end = node.lineno, node.end_lineno or node.lineno
        if not 1 <= start <= end <= len(self._lines):
            return ""
        raw = [line.encode("utf-8") for line in self._lines[start - 1 : end]]
        end_offset = node.end_col_offset if node.end_col_offset is not None else len(raw[-1])
        if len(raw) == 1:
            return raw[0][node.col_offset : end_offset].decode("utf-8", errors="replace")
        raw[0] = raw[0][node.col_offset :]
        raw[-1] = raw[-1][:end_offset]
        return b"\n".join(raw).decode("utf-8", errors="replace")

    def _traceback(self, *, innermost: bool = True) -> tuple[TraceFrame, ...]:
        frames = []
        active = self._frames if innermost else self._frames[:-1]
        for function, call in active:
            line = call.lineno
            code = self._lines[line - 1] if 1 <= line <= len(self._lines) else ""
            frames.append(TraceFrame(self.path, line, function, code))
        return tuple(frames)

    def _error(
        self, message: str, location: ErrorLocation, *, innermost: bool = True
    ) -> StarlarkError:
        return StarlarkError(
            f"error: {message}",
            location,
            traceback=self._traceback(innermost=innermost),
            source=self.source,
        )

    def _fail(self, node: ast.AST, message: str) -> NoReturn:
        raise self._error(message, self._loc(node))

    # -- statements
    def _exec_block(self, body: Sequence[ast.stmt], scope: dict[str, Value]) -> None:
        for stmt in body:
            self._exec(stmt, scope)

    def _exec(self, stmt: ast.stmt, scope: dict[str, Value]) -> None:
        if isinstance(stmt, ast.Expr):
            self._eval(stmt.value, scope)
        elif isinstance(stmt, ast.Assign):
            value = self._eval(stmt.value, scope)
            for target in stmt.targets:
                self._assign(target, value, scope)
        elif isinstance(stmt, ast.AugAssign):
            current = self._eval(_as_load(stmt.target), scope)
            value = self._binop(stmt, stmt.op, current, self._eval(stmt.value, scope))
            self._assign(stmt.target, value, scope)
        elif isinstance(stmt, ast.For):
            if stmt.orelse:
                self._fail(stmt, "`for ... else` is not supported in Starlark")
            iterable = self._iterable(stmt, self._eval(stmt.iter, scope), statement=True)
            for item in list(iterable):
                self._assign(stmt.target, item, scope)
                try:
                    self._exec_block(stmt.body, scope)
                except _Break:
                    break
                except _Continue:
                    continue
        elif isinstance(stmt, ast.If):
            branch = stmt.body if truthy(self._eval(stmt.test, scope)) else stmt.orelse
            self._exec_block(branch, scope)
        elif isinstance(stmt, ast.FunctionDef):
            self._define(stmt, scope)
        elif isinstance(stmt, ast.Return):
            raise _Return(None if stmt.value is None else self._eval(stmt.value, scope))
        elif isinstance(stmt, ast.Pass):
            return
        elif isinstance(stmt, ast.Break):
            raise _Break()
        elif isinstance(stmt, ast.Continue):
            raise _Continue()
        else:
            self._fail(stmt, f"unsupported statement `{type(stmt).__name__}` in a rules file")

    def _define(self, stmt: ast.FunctionDef, scope: dict[str, Value]) -> None:
        args = stmt.args
        if args.kwonlyargs or args.posonlyargs or stmt.decorator_list:
            self._fail(stmt, "keyword-only parameters and decorators are not supported in `def`")
        params = [a.arg for a in args.args]
        defaults: dict[str, Value] = {}
        for name, default in zip(
            params[len(params) - len(args.defaults) :], args.defaults, strict=True
        ):
            defaults[name] = self._eval(default, scope)
        closure = {} if scope is self.globals else dict(scope)
        scope[stmt.name] = Function(
            stmt.name,
            params,
            defaults,
            list(stmt.body),
            closure,
            args.vararg.arg if args.vararg else None,
            args.kwarg.arg if args.kwarg else None,
        )

    def _lambda(self, node: ast.Lambda, scope: dict[str, Value]) -> Function:
        args = node.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
            self._fail(node, "only plain positional parameters are supported in `lambda`")
        params = [a.arg for a in args.args]
        defaults = {
            name: self._eval(default, scope)
            for name, default in zip(
                params[len(params) - len(args.defaults) :], args.defaults, strict=True
            )
        }
        body: list[ast.stmt] = [
            ast.Return(value=node.body, lineno=node.lineno, col_offset=node.col_offset)
        ]
        closure = {} if scope is self.globals else dict(scope)
        return Function("lambda", params, defaults, body, closure)

    def _assign(self, target: ast.expr, value: Value, scope: dict[str, Value]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            items = list(self._iterable(target, value))
            if len(items) != len(target.elts):
                self._fail(target, f"unpacking {len(items)} values into {len(target.elts)} names")
            for sub, item in zip(target.elts, items, strict=True):
                self._assign(sub, item, scope)
        elif isinstance(target, ast.Subscript):
            container = self._eval(target.value, scope)
            key = self._eval(target.slice, scope)
            try:
                container[key] = value
            except (TypeError, IndexError, KeyError) as exc:
                self._fail(target, f"cannot assign to index: {exc}")
        else:
            self._fail(target, "unsupported assignment target")

    # -- expressions
    def _eval(self, node: ast.expr, scope: dict[str, Value]) -> Value:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bytes | complex) or node.value is Ellipsis:
                self._fail(node, "unsupported literal")
            return node.value
        if isinstance(node, ast.Name):
            return self._lookup(node, scope)
        if isinstance(node, ast.List):
            return [self._eval(e, scope) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(self._eval(e, scope) for e in node.elts)
        if isinstance(node, ast.Dict):
            out: dict[Value, Value] = {}
            for k, v in zip(node.keys, node.values, strict=True):
                if k is None:
                    self._fail(node, "`**` in dict literals is not supported")
                out[self._hashable(k, self._eval(k, scope))] = self._eval(v, scope)
            return out
        if isinstance(node, ast.JoinedStr):
            return "".join(self._format_part(p, scope) for p in node.values)
        if isinstance(node, ast.BinOp):
            return self._binop(
                node, node.op, self._eval(node.left, scope), self._eval(node.right, scope)
            )
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, scope)
            if isinstance(node.op, ast.Not):
                return not truthy(operand)
            if (
                isinstance(node.op, ast.USub | ast.UAdd)
                and isinstance(operand, int | float)
                and not isinstance(operand, bool)
            ):
                return -operand if isinstance(node.op, ast.USub) else operand
            symbol = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}.get(type(node.op), "?")
            self._fail(node, f"Operation `{symbol}` not supported on type `{type_name(operand)}`")
        if isinstance(node, ast.BoolOp):
            result: Value = None
            for value_node in node.values:
                result = self._eval(value_node, scope)
                if isinstance(node.op, ast.And) and not truthy(result):
                    return result
                if isinstance(node.op, ast.Or) and truthy(result):
                    return result
            return result
        if isinstance(node, ast.Compare):
            return self._compare(node, scope)
        if isinstance(node, ast.IfExp):
            branch = node.body if truthy(self._eval(node.test, scope)) else node.orelse
            return self._eval(branch, scope)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope)
        if isinstance(node, ast.Lambda):
            return self._lambda(node, scope)
        if isinstance(node, ast.ListComp):
            return self._comprehension(
                node, node.generators, scope, lambda s: [self._eval(node.elt, s)]
            )
        if isinstance(node, ast.DictComp):
            pairs: dict[Value, Value] = {}

            def add(s: dict[str, Value]) -> list[Value]:
                pairs[self._hashable(node.key, self._eval(node.key, s))] = self._eval(node.value, s)
                return []

            self._comprehension(node, node.generators, scope, add)
            return pairs
        if isinstance(node, ast.Attribute):
            self._fail(node, "attribute access is only supported as a method call")
        self._fail(node, f"unsupported expression `{type(node).__name__}` in a rules file")

    def _hashable(self, node: ast.expr, value: Value) -> Value:
        if isinstance(value, list | dict):
            self._fail(node, f"Value of type `{type_name(value)}` is not hashable")
        return value

    def _lookup(self, node: ast.Name, scope: dict[str, Value]) -> Value:
        for table in (scope, self.globals, self.builtins):
            if node.id in table:
                return table[node.id]
        self._fail(node, f"Variable `{node.id}` not found")

    def _format_part(self, part: ast.expr, scope: dict[str, Value]) -> str:
        if isinstance(part, ast.Constant):
            return str(part.value)
        if isinstance(part, ast.FormattedValue):
            if part.format_spec is not None:
                self._fail(part, "format specifications are not supported in f-strings")
            value = self._eval(part.value, scope)
            return starlark_repr(value) if part.conversion == ord("r") else starlark_str(value)
        self._fail(part, "unsupported f-string part")

    def _iterable(self, node: ast.AST, value: Value, *, statement: bool = False) -> Sequence[Value]:
        try:
            return self._iterable_or_fail(node, value)
        except StarlarkError as exc:
            if statement and exc.location is not None:
                # A statement's span runs to the end of its last line: no closing marker.
                exc.location = replace(exc.location, end_column=None)
            raise

    def _iterable_or_fail(self, node: ast.AST, value: Value) -> Sequence[Value]:
        if isinstance(value, list | tuple | str):
            if isinstance(value, str):
                self._fail(node, "Operation `(iter)` not supported on type `string`")
            return value
        if isinstance(value, dict):
            return list(value)
        if isinstance(value, range):
            return value
        self._fail(node, f"Operation `(iter)` not supported on type `{type_name(value)}`")

    def _comprehension(
        self,
        node: ast.AST,
        generators: list[ast.comprehension],
        scope: dict[str, Value],
        emit: Callable[[dict[str, Value]], list[Value]],
    ) -> list[Value]:
        out: list[Value] = []
        inner = dict(scope)

        def loop(i: int) -> None:
            if i == len(generators):
                out.extend(emit(inner))
                return
            gen = generators[i]
            if gen.is_async:
                self._fail(node, "async comprehensions are not supported")
            for item in list(self._iterable(gen.iter, self._eval(gen.iter, inner))):
                self._assign(gen.target, item, inner)
                if all(truthy(self._eval(cond, inner)) for cond in gen.ifs):
                    loop(i + 1)

        loop(0)
        return out

    def _binop(self, node: ast.AST, op: ast.operator, left: Value, right: Value) -> Value:
        symbol = _BINOP_SYMBOLS.get(type(op))
        if symbol is None:
            self._fail(node, f"unsupported operator `{type(op).__name__}`")
        seq = (str, list, tuple)
        if symbol == "+":
            ok = (is_num(left) and is_num(right)) or (
                isinstance(left, seq) and type(left) is type(right)
            )
        elif symbol == "*":
            ok = (is_num(left) and is_num(right)) or (
                (isinstance(left, seq) and is_int(right))
                or (is_int(left) and isinstance(right, seq))
            )
            if ok and not (is_num(left) and is_num(right)):
                sized, count = (left, right) if isinstance(left, seq) else (right, left)
                if len(sized) * count > MAX_SEQUENCE:
                    self._fail(node, "sequence repetition is too large")
        elif symbol == "%" and isinstance(left, str):
            args = right if isinstance(right, tuple) else (right,)
            try:
                return left % tuple(
                    starlark_str(a) if isinstance(a, list | dict | tuple) else a for a in args
                )
            except (TypeError, ValueError) as exc:
                self._fail(node, f"string interpolation failed: {exc}")
        elif symbol == "|":
            ok = (isinstance(left, dict) and isinstance(right, dict)) or (
                is_int(left) and is_int(right)
            )
        else:
            ok = is_num(left) and is_num(right)
        if not ok:
            self._fail(
                node,
                f"Operation `{symbol}` not supported for types `{type_name(left)}` and `{type_name(right)}`",
            )
        try:
            return _BINOP_IMPL[symbol](left, right)
        except ZeroDivisionError:
            shown = f"{starlark_repr(left)} {symbol} {starlark_repr(right)}"
            if symbol == "/":
                self._fail(node, f"float division by zero: {shown}")
            if isinstance(left, float) or isinstance(right, float):
                self._fail(node, "Cannot divide by zero")
            kind = "Floor division" if symbol == "//" else "Modulo"
            self._fail(node, f"{kind} by zero: {shown}")

    def _compare(self, node: ast.Compare, scope: dict[str, Value]) -> bool:
        left = self._eval(node.left, scope)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self._eval(right_node, scope)
            try:
                if isinstance(op, ast.Eq):
                    ok = left == right
                elif isinstance(op, ast.NotEq):
                    ok = left != right
                elif isinstance(op, ast.Lt):
                    ok = left < right
                elif isinstance(op, ast.LtE):
                    ok = left <= right
                elif isinstance(op, ast.Gt):
                    ok = left > right
                elif isinstance(op, ast.GtE):
                    ok = left >= right
                elif isinstance(op, ast.In):
                    ok = left in right
                elif isinstance(op, ast.NotIn):
                    ok = left not in right
                else:
                    self._fail(node, f"unsupported comparison `{type(op).__name__}`")
            except TypeError:
                operation = "in" if isinstance(op, ast.In | ast.NotIn) else "cmp()"
                self._fail(
                    node,
                    f"Operation `{operation}` not supported for types `{type_name(left)}` and `{type_name(right)}`",
                )
            if not ok:
                return False
            left = right
        return True

    def _subscript(self, node: ast.Subscript, scope: dict[str, Value]) -> Value:
        container = self._eval(node.value, scope)
        if isinstance(node.slice, ast.Slice):
            parts = [
                None if p is None else self._eval(p, scope)
                for p in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            if not isinstance(container, str | list | tuple):
                self._fail(node, f"Operation `[:]` not supported on type `{type_name(container)}`")
            return container[slice(*parts)]
        key = self._eval(node.slice, scope)
        try:
            if isinstance(container, dict):
                return container[key]
            if isinstance(container, str | list | tuple) and is_int(key):
                return container[key]
        except KeyError:
            self._fail(node, f"Key `{starlark_repr(key)}` was not found")
        except IndexError:
            self._fail(node, f"Index `{key}` is out of bound")
        self._fail(node, f"Operation `[]` not supported on type `{type_name(container)}`")

    def _call(self, node: ast.Call, scope: dict[str, Value]) -> Value:
        # Like Starlark, the callee (or method receiver) is evaluated before the arguments.
        if isinstance(node.func, ast.Attribute):
            receiver = self._eval(node.func.value, scope)
            func: Value = None
        else:
            func = self._eval(node.func, scope)
        args: list[Value] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                args.extend(self._iterable(arg, self._eval(arg.value, scope)))
            else:
                args.append(self._eval(arg, scope))
        kwargs: dict[str, Value] = {}
        for kw in node.keywords:
            if kw.arg is None:
                extra = self._eval(kw.value, scope)
                if not isinstance(extra, dict):
                    self._fail(kw, "`**` argument must be a dict")
                kwargs.update(extra)
            else:
                if kw.arg in kwargs:
                    self._fail(kw, f"Repeated named argument `{kw.arg}`")
                kwargs[kw.arg] = self._eval(kw.value, scope)
        if isinstance(node.func, ast.Attribute):
            return self._call_method(node, receiver, node.func.attr, args, kwargs)
        site = CallSite(self._loc(node), self._segment(node))
        caller = self._call_stack[-1].name if self._call_stack else "<module>"
        self._frames.append((caller, node))
        try:
            if not isinstance(func, Builtin | Function):
                self._fail(node, f"Operation `call()` not supported on type `{type_name(func)}`")
            if isinstance(func, Function):
                return self._call_function(node, func, args, kwargs)
            try:
                return func.fn(args, kwargs, site)
            except StarlarkError:
                raise
            except Untraced as exc:
                raise self._error(exc.message, site.location, innermost=False) from None
            except PolicyError as exc:
                raise self._error(exc.message, site.location) from None
        finally:
            self._frames.pop()

    def _call_function(
        self, node: ast.Call, func: Function, args: list[Value], kwargs: dict[str, Value]
    ) -> Value:
        if any(active is func for active in self._call_stack):
            self._fail(node, f"Recursion is not allowed (in function `{func.name}`)")
        if self._depth >= _MAX_CALL_DEPTH:
            self._fail(node, "call stack is too deep")
        positional = args[: len(func.params)] if func.varargs else args
        named = {k: v for k, v in kwargs.items() if k in func.params or not func.kwargs}
        try:
            bound = bind_arguments(
                f"{self.path}.{func.name}",
                func.params,
                set(func.params) - set(func.defaults),
                positional,
                named,
            )
        except PolicyError as exc:
            raise self._error(exc.message, self._loc(node)) from None
        local: dict[str, Value] = {
            **func.closure,
            **func.defaults,
            **{k: v for k, v in bound.items() if not is_missing(v)},
        }
        if func.varargs:
            local[func.varargs] = tuple(args[len(func.params) :])
        if func.kwargs:
            local[func.kwargs] = {k: v for k, v in kwargs.items() if k not in func.params}
        self._depth += 1
        self._call_stack.append(func)
        try:
            self._exec_block(func.body, local)
        except _Return as ret:
            return ret.value
        finally:
            self._depth -= 1
            self._call_stack.pop()
        return None

    def _call_method(
        self,
        node: ast.Call,
        receiver: Value,
        name: str,
        args: list[Value],
        kwargs: dict[str, Value],
    ) -> Value:
        allowed = METHODS.get(type(receiver), frozenset())
        if name not in allowed:
            self._fail(node, f"Object of type `{type_name(receiver)}` has no attribute `{name}`")
        try:
            result = getattr(receiver, name)(*args, **kwargs)
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            self._fail(node, f"{type_name(receiver)}.{name}() failed: {exc}")
        if name in ("keys", "values", "items"):
            return [tuple(r) if isinstance(r, tuple) else r for r in result]
        if name in ("split", "rsplit", "splitlines"):
            return list(result)
        return result


def _as_load(target: ast.expr) -> ast.expr:
    return target


_BINOP_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.Div: "/",
    ast.BitOr: "|",
}

_BINOP_IMPL: dict[str, Callable[[Value, Value], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "%": lambda a, b: a % b,
    "//": lambda a, b: a // b,
    "/": lambda a, b: a / b,
    "|": lambda a, b: a | b,
}
