"""Unified line diffs identical to the ``similar`` 2.7 crate upstream uses.

Upstream renders ``TextDiff::from_lines(old, new).unified_diff().context_radius(1)``.
Python's ``difflib`` finds different (equally valid) edit scripts, so this module
ports the parts of ``similar`` involved: Myers' divide-and-conquer diff (sharing
its ``V`` vectors across the recursion exactly as the crate does), the
``Compact`` clean-up pass, the ``Replace`` hook, op grouping and the unified
formatter with its ``\\ No newline at end of file`` hint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A diff op: (tag, old_index, old_len, new_index, new_len).
_EQUAL, _DELETE, _INSERT, _REPLACE = 0, 1, 2, 3
_Op = tuple[int, int, int, int, int]


_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|[\r\n])|[^\r\n]+")


# ferry: port-only -- reimplements the `similar` crate (a Rust dependency, not codex-rs): its line tokenizer
def tokenize_lines(text: str) -> list[str]:
    """Split ``text`` into lines that keep their terminator (``\\n``, ``\\r\\n`` or ``\\r``)."""
    return _LINE_RE.findall(text)


# --------------------------------------------------------------------------- Myers


def _common_prefix_len(
    old: Sequence[str], o0: int, o1: int, new: Sequence[str], n0: int, n1: int
) -> int:
    if o0 >= o1 or n0 >= n1:
        return 0
    count = 0
    limit = min(o1 - o0, n1 - n0)
    while count < limit and new[n0 + count] == old[o0 + count]:
        count += 1
    return count


def _common_suffix_len(
    old: Sequence[str], o0: int, o1: int, new: Sequence[str], n0: int, n1: int
) -> int:
    if o0 >= o1 or n0 >= n1:
        return 0
    count = 0
    limit = min(o1 - o0, n1 - n0)
    while count < limit and new[n1 - 1 - count] == old[o1 - 1 - count]:
        count += 1
    return count


def _max_d(len1: int, len2: int) -> int:
    return (len1 + len2 + 1) // 2 + 1


class _V:
    __slots__ = ("offset", "v")

    def __init__(self, max_d: int) -> None:
        self.offset = max_d
        self.v = [0] * (2 * max_d)

    def __getitem__(self, k: int) -> int:
        return self.v[k + self.offset]

    def __setitem__(self, k: int, value: int) -> None:
        self.v[k + self.offset] = value


_WRAPPED = 1 << 64  # stands in for a negative value cast to usize


def _find_middle_snake(
    old: Sequence[str],
    o0: int,
    o1: int,
    new: Sequence[str],
    n0: int,
    n1: int,
    vf: _V,
    vb: _V,
) -> tuple[int, int] | None:
    n = o1 - o0
    m = n1 - n0
    delta = n - m
    odd = delta & 1 == 1
    vf[1] = 0
    vb[1] = 0
    d_max = _max_d(n, m)
    for d in range(d_max):
        for k in range(d, -d - 1, -2):
            x = vf[k + 1] if k == -d or (k != d and vf[k - 1] < vf[k + 1]) else vf[k - 1] + 1
            y = x - k
            if y < 0:
                y += _WRAPPED
            x0, y0 = x, y
            if x < n and y < m:
                x += _common_prefix_len(old, o0 + x, o1, new, n0 + y, n1)
            vf[k] = x
            if odd and abs(k - delta) <= d - 1 and vf[k] + vb[-(k - delta)] >= n:
                return x0 + o0, y0 + n0
        for k in range(d, -d - 1, -2):
            x = vb[k + 1] if k == -d or (k != d and vb[k - 1] < vb[k + 1]) else vb[k - 1] + 1
            y = x - k
            if y < 0:
                y += _WRAPPED
            if x < n and y < m:
                advance = _common_suffix_len(old, o0, o0 + n - x, new, n0, n0 + m - y)
                x += advance
                y += advance
            vb[k] = x
            if not odd and abs(k - delta) <= d and vb[k] + vf[-(k - delta)] >= n:
                return n - x + o0, (m - y) % _WRAPPED + n0
    return None


def _conquer(
    old: Sequence[str],
    o0: int,
    o1: int,
    new: Sequence[str],
    n0: int,
    n1: int,
    vf: _V,
    vb: _V,
    out: list[_Op],
) -> None:
    prefix = _common_prefix_len(old, o0, o1, new, n0, n1)
    if prefix > 0:
        out.append((_EQUAL, o0, prefix, n0, prefix))
    o0 += prefix
    n0 += prefix
    suffix = _common_suffix_len(old, o0, o1, new, n0, n1)
    suffix_at = (o1 - suffix, n1 - suffix)
    o1 -= suffix
    n1 -= suffix
    if o0 >= o1 and n0 >= n1:
        pass
    elif n0 >= n1:
        out.append((_DELETE, o0, o1 - o0, n0, 0))
    elif o0 >= o1:
        out.append((_INSERT, o0, 0, n0, n1 - n0))
    else:
        snake = _find_middle_snake(old, o0, o1, new, n0, n1, vf, vb)
        if snake is not None:
            x, y = snake
            _conquer(old, o0, x, new, n0, y, vf, vb, out)
            _conquer(old, x, o1, new, y, n1, vf, vb, out)
        else:  # pragma: no cover - only reachable with a deadline
            out.append((_DELETE, o0, o1 - o0, n0, 0))
            out.append((_INSERT, o0, 0, n0, n1 - n0))
    if suffix > 0:
        out.append((_EQUAL, suffix_at[0], suffix, suffix_at[1], suffix))


# --------------------------------------------------------------------------- Compact


def _old_range(op: _Op) -> tuple[int, int]:
    return op[1], op[1] + op[2]


def _new_range(op: _Op) -> tuple[int, int]:
    return op[3], op[3] + op[4]


def _is_empty(op: _Op) -> bool:
    return op[2] == 0 and op[4] == 0


def _adjust(op: _Op, offset: int, length: int) -> _Op:
    """``DiffOp::adjust`` with signed offset/length deltas."""
    tag, oi, ol, ni, nl = op
    if tag == _EQUAL:
        return (tag, oi + offset, ol + length, ni + offset, nl + length)
    if tag == _DELETE:
        return (tag, oi + offset, ol + length, ni + offset, 0)
    return (tag, oi + offset, 0, ni + offset, nl + length)


def _shift_left(op: _Op, a: int) -> _Op:
    return _adjust(op, -a, 0)


def _shift_right(op: _Op, a: int) -> _Op:
    return _adjust(op, a, 0)


def _grow_left(op: _Op, a: int) -> _Op:
    return _adjust(op, -a, a)


def _grow_right(op: _Op, a: int) -> _Op:
    return _adjust(op, 0, a)


def _shrink_left(op: _Op, a: int) -> _Op:
    return _adjust(op, 0, -a)


def _shrink_right(op: _Op, a: int) -> _Op:
    return _adjust(op, a, -a)


def _shift_up(ops: list[_Op], old: Sequence[str], new: Sequence[str], pointer: int) -> int:
    while pointer >= 1 and pointer - 1 < len(ops):
        prev_op = ops[pointer - 1]
        this_op = ops[pointer]
        this_tag, prev_tag = this_op[0], prev_op[0]
        if prev_tag == _EQUAL and this_tag in (_INSERT, _DELETE):
            p0, p1 = _old_range(prev_op)
            t0, t1 = _new_range(this_op)
            suffix_len = _common_suffix_len(old, p0, p1, new, t0, t1)
            if suffix_len > 0:
                if pointer + 1 < len(ops) and ops[pointer + 1][0] == _EQUAL:
                    ops[pointer + 1] = _grow_left(ops[pointer + 1], suffix_len)
                else:
                    length = suffix_len if this_tag == _INSERT else (p1 - p0) - suffix_len
                    ops.insert(
                        pointer + 1,
                        (_EQUAL, p1 - suffix_len, length, t1 - suffix_len, length),
                    )
                ops[pointer] = _shift_left(ops[pointer], suffix_len)
                ops[pointer - 1] = _shrink_left(ops[pointer - 1], suffix_len)
                if _is_empty(ops[pointer - 1]):
                    del ops[pointer - 1]
                    pointer -= 1
            elif _is_empty(ops[pointer - 1]):
                del ops[pointer - 1]
                pointer -= 1
            else:
                break
        elif (this_tag, prev_tag) in ((_INSERT, _DELETE), (_DELETE, _INSERT)):
            ops[pointer - 1], ops[pointer] = ops[pointer], ops[pointer - 1]
            pointer -= 1
        elif this_tag == prev_tag == _INSERT:
            ops[pointer - 1] = _grow_right(ops[pointer - 1], this_op[4])
            del ops[pointer]
            pointer -= 1
        elif this_tag == prev_tag == _DELETE:
            ops[pointer - 1] = _grow_right(ops[pointer - 1], this_op[2])
            del ops[pointer]
            pointer -= 1
        else:  # pragma: no cover - unreachable in similar too
            raise AssertionError("unexpected tag")
    return pointer


def _shift_down(ops: list[_Op], old: Sequence[str], new: Sequence[str], pointer: int) -> int:
    while pointer + 1 < len(ops):
        next_op = ops[pointer + 1]
        this_op = ops[pointer]
        this_tag, next_tag = this_op[0], next_op[0]
        if next_tag == _EQUAL and this_tag in (_INSERT, _DELETE):
            q0, q1 = _old_range(next_op)
            t0, t1 = _new_range(this_op)
            prefix_len = _common_prefix_len(old, q0, q1, new, t0, t1)
            if prefix_len > 0:
                if pointer >= 1 and ops[pointer - 1][0] == _EQUAL:
                    ops[pointer - 1] = _grow_right(ops[pointer - 1], prefix_len)
                else:
                    ops.insert(pointer, (_EQUAL, q0, prefix_len, t0, prefix_len))
                    pointer += 1
                ops[pointer] = _shift_right(ops[pointer], prefix_len)
                ops[pointer + 1] = _shrink_right(ops[pointer + 1], prefix_len)
                if _is_empty(ops[pointer + 1]):
                    del ops[pointer + 1]
            elif _is_empty(ops[pointer + 1]):
                del ops[pointer + 1]
            else:
                break
        elif (this_tag, next_tag) in ((_INSERT, _DELETE), (_DELETE, _INSERT)):
            ops[pointer], ops[pointer + 1] = ops[pointer + 1], ops[pointer]
            pointer += 1
        elif this_tag == next_tag == _INSERT:
            ops[pointer] = _grow_right(ops[pointer], next_op[4])
            del ops[pointer + 1]
        elif this_tag == next_tag == _DELETE:
            ops[pointer] = _grow_right(ops[pointer], next_op[2])
            del ops[pointer + 1]
        else:  # pragma: no cover - unreachable in similar too
            raise AssertionError("unexpected tag")
    return pointer


def _cleanup(ops: list[_Op], old: Sequence[str], new: Sequence[str]) -> None:
    for tag in (_DELETE, _INSERT):
        pointer = 0
        while pointer < len(ops):
            if ops[pointer][0] == tag:
                pointer = _shift_up(ops, old, new, pointer)
                pointer = _shift_down(ops, old, new, pointer)
            pointer += 1


# --------------------------------------------------------------------------- Replace


def _replace_hook(ops: list[_Op]) -> list[_Op]:
    out: list[_Op] = []
    pending_del: tuple[int, int, int] | None = None
    pending_ins: tuple[int, int, int] | None = None
    pending_eq: tuple[int, int, int] | None = None

    def flush_eq() -> None:
        nonlocal pending_eq
        if pending_eq is not None:
            o, n, length = pending_eq
            out.append((_EQUAL, o, length, n, length))
            pending_eq = None

    def flush_del_ins() -> None:
        nonlocal pending_del, pending_ins
        if pending_del is not None:
            do, dl, dn = pending_del
            pending_del = None
            if pending_ins is not None:
                _io, i_n, il = pending_ins
                pending_ins = None
                out.append((_REPLACE, do, dl, i_n, il))
            else:
                out.append((_DELETE, do, dl, dn, 0))
        elif pending_ins is not None:
            io, i_n, il = pending_ins
            pending_ins = None
            out.append((_INSERT, io, 0, i_n, il))

    for tag, oi, ol, ni, nl in ops:
        if tag == _EQUAL:
            flush_del_ins()
            if pending_eq is not None:
                pending_eq = (pending_eq[0], pending_eq[1], pending_eq[2] + ol)
            else:
                pending_eq = (oi, ni, ol)
        elif tag == _DELETE:
            flush_eq()
            if pending_del is not None:
                pending_del = (pending_del[0], pending_del[1] + ol, pending_del[2])
            else:
                pending_del = (oi, ol, ni)
        else:
            flush_eq()
            if pending_ins is not None:
                pending_ins = (pending_ins[0], pending_ins[1], nl + pending_ins[2])
            else:
                pending_ins = (oi, ni, nl)
    flush_eq()
    flush_del_ins()
    return out


# ferry: port-only -- reimplements the `similar` crate (a Rust dependency, not codex-rs): Myers diff
def diff_ops(old: Sequence[str], new: Sequence[str]) -> list[_Op]:
    """``capture_diff_deadline(Algorithm::Myers, ...)`` without a deadline."""
    max_d = _max_d(len(old), len(new))
    vf = _V(max_d)
    vb = _V(max_d)
    raw: list[_Op] = []
    _conquer(old, 0, len(old), new, 0, len(new), vf, vb, raw)
    _cleanup(raw, old, new)
    return _replace_hook(raw)


# ferry: port-only -- reimplements the `similar` crate (a Rust dependency, not codex-rs): group_diff_ops
def group_diff_ops(ops: list[_Op], n: int) -> list[list[_Op]]:
    """``similar::group_diff_ops``."""
    if not ops:
        return []
    ops = list(ops)
    first = ops[0]
    if first[0] == _EQUAL:
        offset = max(first[2] - n, 0)
        ops[0] = (
            _EQUAL,
            first[1] + offset,
            first[2] - offset,
            first[3] + offset,
            first[4] - offset,
        )
    last = ops[-1]
    if last[0] == _EQUAL:
        cut = max(last[2] - n, 0)
        ops[-1] = (_EQUAL, last[1], last[2] - cut, last[3], last[4] - cut)
    groups: list[list[_Op]] = []
    pending: list[_Op] = []
    for op in ops:
        if op[0] == _EQUAL and op[2] > n * 2:
            _tag, oi, length, ni, _ = op
            pending.append((_EQUAL, oi, n, ni, n))
            groups.append(pending)
            offset = max(length - n, 0)
            pending = [(_EQUAL, oi + offset, length - offset, ni + offset, length - offset)]
            continue
        pending.append(op)
    if not (not pending or (len(pending) == 1 and pending[0][0] == _EQUAL)):
        groups.append(pending)
    return groups


def _range_display(start: int, end: int) -> str:
    beginning = start + 1
    length = max(end - start, 0)
    if length == 1:
        return str(beginning)
    if length == 0:
        beginning -= 1
    return f"{beginning},{length}"


# ferry: port-only -- reimplements the `similar` crate (a Rust dependency, not codex-rs): TextDiff::unified_diff
def unified_diff(old_text: str, new_text: str, context_radius: int = 1) -> str:
    """``TextDiff::from_lines(old, new).unified_diff().context_radius(n).to_string()``."""
    old = tokenize_lines(old_text)
    new = tokenize_lines(new_text)
    out: list[str] = []
    for group in group_diff_ops(diff_ops(old, new), context_radius):
        if not group:
            continue
        first, last = group[0], group[-1]
        old_range = _range_display(first[1], last[1] + last[2])
        new_range = _range_display(first[3], last[3] + last[4])
        out.append(f"@@ -{old_range} +{new_range} @@\n")
        for tag, oi, ol, ni, nl in group:
            if tag == _EQUAL:
                changes = [(" ", old[i]) for i in range(oi, oi + ol)]
            elif tag == _DELETE:
                changes = [("-", old[i]) for i in range(oi, oi + ol)]
            elif tag == _INSERT:
                changes = [("+", new[i]) for i in range(ni, ni + nl)]
            else:
                changes = [("-", old[i]) for i in range(oi, oi + ol)]
                changes += [("+", new[i]) for i in range(ni, ni + nl)]
            for sign, value in changes:
                out.append(sign)
                out.append(value)
                if not value.endswith(("\r", "\n")):
                    out.append("\n\\ No newline at end of file\n")
    return "".join(out)
