"""Retained command output is capped as upstream: 1 MiB, head and tail halves (issue 11).

``aggregated_output`` keeps the first and last 512 KiB with a ``... N bytes
omitted ...`` marker between them, the model's text starts with that marker,
and the token count still reflects everything printed. The oracle test checks
the ``aggregated_output`` is byte-identical to the Rust ``codex``'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pycodex.tools.unified_exec import HeadTailBuffer
from sec_harness import PYCODEX, AgentRun, Call, codex_or_skip, run_agent

CMD = "seq 1 400000; echo END"
TOTAL = 2_688_899  # bytes that prints
HALF = 512 * 1024


def _aggregated(run: AgentRun) -> str:
    items: list[dict[str, Any]] = [
        e["item"]
        for e in run.events()
        if e["type"] == "item.completed" and e["item"]["type"] == "command_execution"
    ]
    return str(items[0]["aggregated_output"])


def _expected_aggregate() -> str:
    full = "".join(f"{i}\n" for i in range(1, 400001)) + "END\n"
    assert len(full) == TOTAL
    omitted = TOTAL - 2 * HALF
    return full[:HALF] + f"\n... {omitted} bytes omitted ...\n" + full[-HALF:]


def test_output_is_capped_to_head_and_tail(tmp_path: Path) -> None:
    run = run_agent(PYCODEX, [Call.exec(CMD)], base=tmp_path, args=())
    assert run.returncode == 0, run.stderr
    assert _aggregated(run) == _expected_aggregate()
    text = run.outputs[0]
    assert f"Original token count: {(TOTAL + 3) // 4}\n" in text
    assert (
        f"Output:\nWarning: truncated output (original token count: {(TOTAL + 3) // 4})\n" in text
    )
    assert f"... {TOTAL - 2 * HALF} bytes omitted ...\n\n1\n2\n" in text
    assert text.endswith("399999\n400000\nEND\n")
    # JSON escapes each newline as two bytes: bounded by twice the cap, not the 2.7 MB.
    assert max(len(line) for line in run.stdout.splitlines()) < 2 * 1_100_000


def test_head_tail_buffer_keeps_the_ends() -> None:
    buf = HeadTailBuffer(10)
    for chunk in (b"abc", b"defgh", b"ijklmnop", b"qr"):
        buf.push(chunk)
    assert buf.total == 18
    assert buf.omitted == 8
    assert buf.render() == b"abcde\n... 8 bytes omitted ...\nnopqr"
    assert buf.render(marker_first=True) == b"... 8 bytes omitted ...\n\nabcdenopqr"
    small = HeadTailBuffer(10)
    small.push(b"hello")
    assert small.render() == b"hello" and small.omitted == 0


@pytest.mark.oracle
def test_aggregated_output_matches_rust_codex(tmp_path: Path) -> None:
    from pycodex.testing.rust_oracle import oracle_home_root

    rust = run_agent(
        codex_or_skip(), [Call.exec(CMD)], base=tmp_path, home_parent=oracle_home_root(), args=()
    )
    assert rust.returncode == 0, rust.stderr
    assert _aggregated(rust) == _expected_aggregate()
    assert f"... {TOTAL - 2 * HALF} bytes omitted ...\n\n1\n2\n" in rust.outputs[0]
