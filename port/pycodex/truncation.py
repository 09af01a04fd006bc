"""Middle truncation of tool output, with upstream's token approximation (4 bytes/token).

The model sees the head and tail of long output with a marker such as
``…123 tokens truncated…`` in between, prefixed by ``Total output lines: N``.
"""

from __future__ import annotations

APPROX_BYTES_PER_TOKEN = 4


# ferry: codex_utils_string::truncate::approx_token_count @ 1d092cb66
def approx_token_count(text: str) -> int:
    return (len(text.encode()) + APPROX_BYTES_PER_TOKEN - 1) // APPROX_BYTES_PER_TOKEN


# ferry: codex_utils_string::truncate::approx_bytes_for_tokens @ 1d092cb66
def approx_bytes_for_tokens(tokens: int) -> int:
    return tokens * APPROX_BYTES_PER_TOKEN


def _tokens_from_bytes(n: int) -> int:
    return (n + APPROX_BYTES_PER_TOKEN - 1) // APPROX_BYTES_PER_TOKEN


def _split(data: bytes, head_bytes: int, tail_bytes: int) -> tuple[int, str, str]:
    """Split ``data`` on character boundaries: whole chars ending within the head budget,
    whole chars starting within the tail budget; count the characters removed."""
    text = data.decode()
    total = len(data)
    tail_start_target = max(total - tail_bytes, 0)
    prefix_end = 0
    suffix_start = total
    removed = 0
    started = False
    offset = 0
    for ch in text:
        size = len(ch.encode())
        end = offset + size
        if end <= head_bytes:
            prefix_end = end
        elif offset >= tail_start_target:
            if not started:
                suffix_start = offset
                started = True
        else:
            removed += 1
        offset = end
    suffix_start = max(suffix_start, prefix_end)
    return removed, data[:prefix_end].decode(), data[suffix_start:].decode()


def _truncate_with_byte_estimate(text: str, max_bytes: int, use_tokens: bool) -> str:
    if not text:
        return ""
    data = text.encode()
    if max_bytes == 0:
        count = _tokens_from_bytes(len(data)) if use_tokens else len(text)
        return _marker(use_tokens, count)
    if len(data) <= max_bytes:
        return text
    left = max_bytes // 2
    removed_chars, head, tail = _split(data, left, max_bytes - left)
    count = _tokens_from_bytes(len(data) - max_bytes) if use_tokens else removed_chars
    return f"{head}{_marker(use_tokens, count)}{tail}"


def _marker(use_tokens: bool, count: int) -> str:
    return f"…{count} tokens truncated…" if use_tokens else f"…{count} chars truncated…"


# ferry: codex_utils_string::truncate::truncate_middle_with_token_budget @ 1d092cb66
def truncate_middle_tokens(text: str, max_tokens: int) -> str:
    if not text:
        return ""
    if max_tokens > 0 and len(text.encode()) <= approx_bytes_for_tokens(max_tokens):
        return text
    return _truncate_with_byte_estimate(text, approx_bytes_for_tokens(max_tokens), use_tokens=True)


# ferry: codex_utils_string::truncate::truncate_middle_chars @ 1d092cb66
def truncate_middle_chars(text: str, max_bytes: int) -> str:
    return _truncate_with_byte_estimate(text, max_bytes, use_tokens=False)


# ferry: codex_utils_output_truncation::formatted_truncate_text @ 1d092cb66
def formatted_truncate_tokens(text: str, max_tokens: int) -> str:
    """Truncate to a token budget, announcing the original line count when cut."""
    if len(text.encode()) <= approx_bytes_for_tokens(max_tokens):
        return text
    total_lines = len(text.splitlines())
    return f"Total output lines: {total_lines}\n\n{truncate_middle_tokens(text, max_tokens)}"


# ferry: codex_utils_output_truncation::formatted_truncate_text @ 1d092cb66 -- byte policy
def formatted_truncate_bytes(text: str, max_bytes: int) -> str:
    """Truncate to a byte budget (a chars marker), announcing the original line count when cut."""
    if len(text.encode()) <= max_bytes:
        return text
    total_lines = len(text.splitlines())
    return f"Total output lines: {total_lines}\n\n{truncate_middle_chars(text, max_bytes)}"
