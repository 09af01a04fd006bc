"""The standard Starlark functions and methods ``.rules`` files may call."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from pycodex.execpolicy.errors import PolicyError
from pycodex.execpolicy.starlark_values import (
    Builtin,
    CallSite,
    Untraced,
    Value,
    starlark_repr,
    starlark_str,
    truthy,
    type_name,
)

#: Upper bound on ``range()`` and sequence repetition, so a rules file cannot exhaust memory.
MAX_SEQUENCE = 1_000_000

METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        [
            "capitalize",
            "count",
            "endswith",
            "find",
            "format",
            "index",
            "isalnum",
            "isalpha",
            "isdigit",
            "islower",
            "isspace",
            "isupper",
            "join",
            "lower",
            "lstrip",
            "partition",
            "replace",
            "rfind",
            "rindex",
            "rpartition",
            "rsplit",
            "rstrip",
            "split",
            "splitlines",
            "startswith",
            "strip",
            "title",
            "upper",
        ]
    ),
    list: frozenset(("append", "clear", "extend", "index", "insert", "pop", "remove")),
    dict: frozenset(("clear", "get", "items", "keys", "pop", "setdefault", "update", "values")),
    tuple: frozenset(("count", "index")),
}


def _builtin(name: str, fn: Callable[..., Value]) -> Builtin:
    def call(args: list[Value], kwargs: dict[str, Value], site: CallSite) -> Value:
        try:
            return fn(*args, **kwargs)
        except PolicyError:
            raise
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise PolicyError(f"{name}() failed: {exc}") from None

    return Builtin(name, call)


def _len(args: list[Value], kwargs: dict[str, Value], site: CallSite) -> int:
    if kwargs or len(args) != 1:
        raise PolicyError("len() takes exactly one positional argument")
    (value,) = args
    if not isinstance(value, str | list | tuple | dict):
        raise Untraced(f"Operation `len()` not supported on type `{type_name(value)}`")
    return len(value)


def _fail_builtin(*args: Value) -> NoReturn:
    raise PolicyError("fail: " + " ".join(starlark_str(a) for a in args))


def _range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_SEQUENCE:
        raise PolicyError("range is too large")
    return r


# ferry: port-only -- reimplements the starlark crate's standard library (a Rust dependency, not codex-rs)
def standard_builtins() -> dict[str, Value]:
    return {
        "True": True,
        "False": False,
        "None": None,
        "len": Builtin("len", _len),
        "str": _builtin("str", starlark_str),
        "repr": _builtin("repr", starlark_repr),
        "int": _builtin("int", int),
        "bool": _builtin("bool", truthy),
        "list": _builtin("list", lambda x=(): list(x)),
        "tuple": _builtin("tuple", lambda x=(): tuple(x)),
        "dict": _builtin("dict", dict),
        "range": _builtin("range", lambda *a: list(_range(*a))),
        "enumerate": _builtin("enumerate", lambda x, start=0: list(enumerate(x, start))),
        "zip": _builtin("zip", lambda *a: list(zip(*a, strict=False))),
        "sorted": _builtin("sorted", lambda x, reverse=False: sorted(x, reverse=reverse)),
        "reversed": _builtin("reversed", lambda x: list(reversed(x))),
        "any": _builtin("any", lambda x: any(truthy(v) for v in x)),
        "all": _builtin("all", lambda x: all(truthy(v) for v in x)),
        "min": _builtin("min", min),
        "max": _builtin("max", max),
        "type": _builtin("type", type_name),
        "fail": _builtin("fail", _fail_builtin),
        "dir": _builtin("dir", lambda x: sorted(METHODS.get(type(x), ()))),
        "hasattr": _builtin("hasattr", lambda x, name: name in METHODS.get(type(x), ())),
        "getattr": _builtin("getattr", _getattr),
        "abs": _builtin("abs", _abs),
        "chr": _builtin("chr", chr),
        "ord": _builtin("ord", ord),
        "float": _builtin("float", float),
        "hash": _builtin("hash", _hash),
    }


_NO_DEFAULT = object()


def _getattr(value: Value, name: str, default: Value = _NO_DEFAULT) -> Value:
    """A bound method as a callable value (Starlark values have no other attributes)."""
    if name in METHODS.get(type(value), ()):
        method = getattr(value, name)
        return Builtin(name, lambda args, kwargs, site: method(*args, **kwargs))
    if default is not _NO_DEFAULT:
        return default
    raise PolicyError(f"Object of type `{type_name(value)}` has no attribute `{name}`")


def _abs(value: Value) -> Value:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"Operation `abs` not supported on type `{type_name(value)}`")
    return abs(value)


def _hash(value: Value) -> int:
    """Starlark's string hash (Java's ``String.hashCode`` as a signed 32-bit int)."""
    if not isinstance(value, str):
        raise PolicyError(f"hash() only supports strings (got {type_name(value)})")
    h = 0
    for ch in value:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h
