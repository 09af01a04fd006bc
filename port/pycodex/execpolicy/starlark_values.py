"""Starlark values as Python objects: type names, ``repr``/``str``, argument binding."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pycodex.execpolicy.errors import ErrorLocation, PolicyError

Value = Any


# ferry: port-only -- reimplements the starlark crate's call-site tracking (a Rust dependency, not codex-rs)
@dataclass(frozen=True)
class CallSite:
    """Where a builtin was called from, for errors and example validation."""

    location: ErrorLocation
    #: The exact source text of the call expression.
    text: str = ""


BuiltinFn = Callable[[list[Value], dict[str, Value], CallSite], Value]


# ferry: port-only -- reimplements the starlark crate's native function values (a Rust dependency, not codex-rs)
@dataclass(frozen=True)
class Builtin:
    name: str
    fn: BuiltinFn


# ferry: port-only -- reimplements the starlark crate's def values (a Rust dependency, not codex-rs)
@dataclass
class Function:
    name: str
    params: list[str]
    defaults: dict[str, Value]
    body: list[ast.stmt]
    closure: dict[str, Value] = field(default_factory=dict)
    #: Names of ``*args`` / ``**kwargs`` parameters, if any.
    varargs: str | None = None
    kwargs: str | None = None


# ferry: port-only -- reimplements the starlark crate's value model (a Rust dependency, not codex-rs)
def type_name(value: Value) -> str:
    """Starlark's name for a value's type, as in ``(got int)``."""
    if value is None:
        return "NoneType"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, tuple):
        return "tuple"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, Function | Builtin):
        return "function"
    return "object"


# ferry: port-only -- reimplements the starlark crate's value model (a Rust dependency, not codex-rs)
def starlark_repr(value: Value) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped.replace(chr(9), chr(92) + "t")}"'
    if isinstance(value, list):
        return "[" + ", ".join(starlark_repr(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(starlark_repr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{starlark_repr(k)}: {starlark_repr(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, Function | Builtin):
        return f"<function {value.name}>"
    return repr(value)


# ferry: port-only -- reimplements the starlark crate's value model (a Rust dependency, not codex-rs)
def starlark_str(value: Value) -> str:
    return value if isinstance(value, str) else starlark_repr(value)


# ferry: port-only -- reimplements the starlark crate's value model (a Rust dependency, not codex-rs)
def truthy(value: Value) -> bool:
    return bool(value)


# ferry: port-only -- reimplements the starlark crate's value model (a Rust dependency, not codex-rs)
def is_num(v: Value) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


# ferry: port-only -- reimplements the starlark crate's value model (a Rust dependency, not codex-rs)
def is_int(v: Value) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Missing:
    pass


MISSING_ARG: Any = _Missing()


# ferry: port-only -- reimplements the starlark crate's argument binding and its messages (a Rust dependency, not codex-rs)
def bind_arguments(
    fn_name: str,
    params: Sequence[str],
    required: set[str],
    args: Sequence[Value],
    kwargs: Mapping[str, Value],
) -> dict[str, Value]:
    """Map positional and named arguments to ``params`` with Starlark's error messages."""
    if len(args) > len(params):
        raise PolicyError(
            f"Found {len(args) - len(params)} extra positional argument(s) for call to {fn_name}"
        )
    bound: dict[str, Value] = dict.fromkeys(params, MISSING_ARG)
    for name, value in zip(params, args, strict=False):
        bound[name] = value
    for name, value in kwargs.items():
        if name in bound and bound[name] is not MISSING_ARG:
            raise PolicyError(f"Argument `{name}` occurs more than once")
        if name in bound:
            bound[name] = value
    extra = [k for k in kwargs if k not in bound]
    if extra:
        names = ", ".join(f"`{k}`" for k in extra)
        raise PolicyError(f"Found {names} extra named parameter(s) for call to {fn_name}")
    for name in params:
        if name in required and bound[name] is MISSING_ARG:
            raise PolicyError(f"Missing parameter `{name}` for call to `{fn_name}`")
    return bound


# ferry: port-only -- reimplements the starlark crate's value model (a Rust dependency, not codex-rs)
def is_missing(value: Value) -> bool:
    return value is MISSING_ARG


# ferry: port-only -- reimplements the starlark crate's error kinds (a Rust dependency, not codex-rs)
class Untraced(PolicyError):
    """An error Starlark reports at the expression, without a traceback (inlined builtins)."""
