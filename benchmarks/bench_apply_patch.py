"""apply_patch speed: microseconds per parse, per verify and per apply.

Times ``parse_patch`` on a tiny one-line patch (the paper's 2-3 us figure is for
this size) and on a typical multi-hunk patch (an add, a delete, a three-chunk
update of a 200-line file and a move), then ``verify_patch`` (read + compute +
diff, no writes) and ``apply_patch`` (everything including the atomic writes)
of the typical patch in a scratch workspace. Prints a table of the best of
several ``timeit`` rounds; no assertions.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

from pycodex.apply_patch import apply_patch, parse_patch, verify_patch

PARSE_CALLS = int(os.environ.get("BENCH_APPLY_PATCH_PARSE_CALLS", "20000"))
APPLY_CALLS = int(os.environ.get("BENCH_APPLY_PATCH_APPLY_CALLS", "300"))
ROUNDS = int(os.environ.get("BENCH_APPLY_PATCH_ROUNDS", "5"))

TINY_PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+Hello, world!\n*** End Patch\n"


def _source_file() -> str:
    lines = []
    for i in range(200):
        if i % 20 == 0:
            lines.append(f"def function_{i // 20}(arg):")
        else:
            lines.append(f"    value_{i} = compute(arg, {i})  # step {i}")
    return "\n".join(lines) + "\n"


TYPICAL_PATCH = """*** Begin Patch
*** Add File: docs/notes.md
+# Notes
+
+- parser: lenient markers
+- apply: atomic writes
*** Delete File: old_module.py
*** Update File: src/module.py
@@ def function_1(arg):
     value_21 = compute(arg, 21)  # step 21
-    value_22 = compute(arg, 22)  # step 22
+    value_22 = compute(arg, 22) + 1  # step 22, adjusted
     value_23 = compute(arg, 23)  # step 23
@@ def function_5(arg):
     value_101 = compute(arg, 101)  # step 101
-    value_102 = compute(arg, 102)  # step 102
-    value_103 = compute(arg, 103)  # step 103
+    value_102_103 = compute_pair(arg, 102, 103)  # steps 102-103
     value_104 = compute(arg, 104)  # step 104
@@
     value_198 = compute(arg, 198)  # step 198
     value_199 = compute(arg, 199)  # step 199
+    return value_199
*** End of File
*** Update File: src/helpers.py
*** Move to: src/util/helpers.py
@@
-def helper():
+def helper() -> int:
     return 1
*** End Patch
"""


def _best_us(fn: Callable[[], object], calls: int) -> float:
    return min(timeit.repeat(fn, number=calls, repeat=ROUNDS)) / calls * 1e6


def _make_workspace(root: Path) -> None:
    (root / "src").mkdir(parents=True)
    (root / "src" / "module.py").write_text(_source_file())
    (root / "src" / "helpers.py").write_text("def helper():\n    return 1\n")
    (root / "old_module.py").write_text("print('old')\n")


def main() -> None:
    rows: list[tuple[str, float]] = []
    rows.append(
        ("parse: tiny patch (1 add line)", _best_us(lambda: parse_patch(TINY_PATCH), PARSE_CALLS))
    )
    rows.append(
        (
            "parse: typical patch (4 hunks, 3 chunks)",
            _best_us(lambda: parse_patch(TYPICAL_PATCH), PARSE_CALLS // 4),
        )
    )
    with tempfile.TemporaryDirectory(prefix="bench-apply-patch") as tmp:
        base = Path(tmp)
        pristine = base / "pristine"
        _make_workspace(pristine)
        rows.append(
            (
                "verify: typical patch (read + compute + diffs)",
                _best_us(lambda: verify_patch(TYPICAL_PATCH, pristine), APPLY_CALLS),
            )
        )
        counter = iter(range(10**9))

        def fresh_apply() -> None:
            ws = base / f"ws{next(counter)}"
            shutil.copytree(pristine, ws)
            apply_patch(TYPICAL_PATCH, ws)

        def copy_only() -> None:
            shutil.copytree(pristine, base / f"cp{next(counter)}")

        total = _best_us(fresh_apply, APPLY_CALLS)
        copy = _best_us(copy_only, APPLY_CALLS)
        rows.append(("apply: typical patch (incl. atomic writes)", max(total - copy, 0.0)))
    width = max(len(name) for name, _ in rows)
    print(f"{'benchmark':<{width}}  us/call")
    for name, us in rows:
        print(f"{name:<{width}}  {us:8.1f}")


if __name__ == "__main__":
    main()
