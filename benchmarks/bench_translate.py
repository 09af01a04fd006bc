"""Translate-stage figures: schema match ratio, mechanical speed, merge/check speed, repair round trip.

Run with ``make bench`` (or ``python benchmarks/bench_translate.py``). Needs
``../shared/conformance`` for the schema figures and the upstream mirror for regeneration
(``$FERRY_UPSTREAM_GIT_DIR`` or ``../.mirror/jiangshengdev+codex/repo``); each missing input
is reported and its rows skipped.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import libcst as cst  # noqa: E402

from translator.cst.check import check_candidate  # noqa: E402
from translator.cst.merge import SymbolChange, merge_candidate  # noqa: E402
from translator.cst.symbols import provenance_markers, symbol_source  # noqa: E402
from translator.mechanical.schema_check import (  # noqa: E402
    DEFAULT_CRATES,
    compare_schemas,
    generate_module,
    load_module,
)

SCHEMAS = (ROOT / ".." / "shared" / "conformance" / "app-server-schema" / "v2").resolve()
MIRROR = Path(
    os.environ.get(
        "FERRY_UPSTREAM_GIT_DIR", ROOT / ".." / ".mirror" / "jiangshengdev+codex" / "repo"
    )
).resolve()
GOLDEN = ROOT / "tests" / "translator" / "golden" / "app_server_protocol_v2.py"


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Median wall time (s) of ``repeat`` runs and the last result."""
    times: list[float] = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def row(name: str, value: str) -> None:
    print(f"{name:<48} {value}", flush=True)


def bench_mechanical() -> None:
    if not SCHEMAS.is_dir():
        row("schema match", f"skipped: {SCHEMAS} not found")
        return
    roots = [p.stem for p in sorted(SCHEMAS.glob("*.json"))]
    text = GOLDEN.read_text(encoding="utf-8")
    if (MIRROR / "HEAD").exists():
        from translator.mechanical.registry import load_crates
        from translator.sources import GitTree

        tree = GitTree(MIRROR)
        load_s, registry = timed(lambda: load_crates(tree, list(DEFAULT_CRATES)), 3)
        decls = len(registry.decls)  # type: ignore[attr-defined]
        row(
            "parse protocol crates (tree-sitter)",
            f"{load_s * 1000:.0f} ms, {decls} decls, {decls / load_s:.0f} decls/s",
        )
        gen_s, generated = timed(lambda: generate_module(registry, roots, commit=tree.commit), 3)  # type: ignore[arg-type]
        text = generated.text  # type: ignore[attr-defined]
        row(
            "generate v2 module (mechanical)",
            f"{gen_s * 1000:.0f} ms, {len(text.splitlines())} lines",
        )
    else:
        row("regeneration", f"skipped: no mirror at {MIRROR}; using the golden module")
    module = load_module(text, "bench_v2")
    cmp_s, report = timed(lambda: compare_schemas(module, SCHEMAS, {r: r for r in roots}), 1)
    matched, total = report.matched, report.total  # type: ignore[attr-defined]
    row("app-server v2 schemas matched", f"{matched}/{total} = {matched / total:.1%} (goal >= 95%)")
    row("schema comparison time", f"{cmp_s * 1000:.0f} ms")
    if (MIRROR / "HEAD").exists():
        bench_all_schema_dirs(registry, tree.commit)  # type: ignore[arg-type]


def bench_all_schema_dirs(registry: object, commit: str) -> None:
    """v2 plus the root and v1 folders (JSON-RPC envelopes there are macro-generated)."""
    matched = total = 0
    for folder in (SCHEMAS.parent, SCHEMAS.parent / "v1", SCHEMAS):
        roots = [p.stem for p in sorted(folder.glob("*.json"))]
        generated = generate_module(registry, roots, commit=commit)  # type: ignore[arg-type]
        module = load_module(generated.text, f"bench_{folder.name}")
        report = compare_schemas(module, folder, generated.python_names)
        matched += report.matched
        total += report.total
    row("all app-server schemas (root + v1 + v2)", f"{matched}/{total} = {matched / total:.1%}")


def bench_cst() -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    markers = provenance_markers(cst.parse_module(text))
    changes = [SymbolChange(n, "upsert", m) for n, m in markers.items() if "." not in n]
    merge_s, result = timed(lambda: merge_candidate(text, text, changes), 3)
    assert result.text == text  # type: ignore[attr-defined]
    row(
        "libcst merge, all symbols of golden (no-op)",
        f"{merge_s * 1000:.0f} ms, {len(changes) / merge_s:.0f} symbols/s",
    )
    one = [c for c in changes if c.symbol == "ThreadStartParams"]
    small = symbol_source(cst.parse_module(text), "ThreadStartParams") or ""
    single_s, _ = timed(lambda: merge_candidate(text, small, one), 3)
    row("libcst merge, one symbol in a 3.6k-line module", f"{single_s * 1000:.0f} ms")
    candidate = "def f(x: int) -> int:\n    return x + 1\n\n\nclass A:\n    def m(self) -> int:\n        return 2\n"
    check_s, _ = timed(lambda: [check_candidate(candidate, ["f", "A"]) for _ in range(100)], 3)
    row("check_candidate (small candidate)", f"{check_s * 10:.2f} ms each")


def bench_round_trip() -> None:
    from pycodex.testing import MockResponsesServer, ScriptedResponse

    from translator.backends.llm import LlmBackend
    from translator.config import LlmConfig, Price, TranslateConfig
    from translator.plan import Plan, PlannedItem, TranslationUnit
    from translator.translate import Translator

    def answer(code: str) -> ScriptedResponse:
        body = {
            "id": "c",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {
                        "role": "assistant",
                        "content": json.dumps({"code": code, "notes": ""}),
                    },
                }
            ],
            "usage": {"prompt_tokens": 1500, "completion_tokens": 200, "total_tokens": 1700},
        }
        return ScriptedResponse(body=json.dumps(body), content_type="application/json")

    runs = 5
    with tempfile.TemporaryDirectory() as tmp, MockResponsesServer() as server:
        base = Path(tmp)
        target = base / "m.py"
        item = PlannedItem(
            qualified_path="c::m::f",
            item_kind="fn",
            status="added",
            change_kind="new",
            file="codex-rs/c/src/m.rs",
            action="translate",
            python_symbol="f",
            new_text="pub fn f(x: i64) -> i64 { x + 1 }",
        )
        unit = TranslationUnit(
            id="pycodex.m",
            python_module="pycodex.m",
            target_path=str(target),
            layer="core",
            order=0,
            items=(item,),
            est_input_tokens=1500,
            est_output_tokens=200,
            est_cost_usd=0.0,
        )
        plan = Plan(base="a" * 40, head="b" * 40, units=(unit,))
        config = TranslateConfig(
            llm=LlmConfig(base_url=server.base_url, model="m"),
            prices={"m": Price(input=1.25, output=10.0)},
        )
        durations: list[float] = []
        cost = 0.0
        for i in range(runs):
            target.write_text('"""m."""\n')
            server.push(
                answer("def f(x: int) -> int:\n    pass\n"),
                answer("def f(x: int) -> int:\n    return x + 1\n"),
            )
            translator = Translator(
                LlmBackend(config.llm, api_key="k"), config, base_dir=base, state_dir=base / f"s{i}"
            )
            start = time.perf_counter()
            result = translator.run(plan)
            durations.append(time.perf_counter() - start)
            cost = result.cost_usd
            assert result.units[0].attempts == 2
    row(
        "llm unit with one repair (127.0.0.1 server)",
        f"{statistics.median(durations) * 1000:.0f} ms median of {runs}",
    )
    row("  tokens / cost of that unit", f"3000+400 tokens, ${cost:.4f}")


def main() -> int:
    bench_mechanical()
    bench_cst()
    bench_round_trip()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
