"""Exec policy speed: microseconds per policy match and per safe-command check.

Builds a policy of ~50 prefix rules (the size of a well-used ``default.rules``),
then times ``Policy.matches_for_command`` on matching and non-matching commands,
``is_known_safe_command`` on direct and ``bash -lc`` commands, and the whole
approval decision. Prints a table (median of several rounds); no assertions.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial

from pycodex.execpolicy import (
    AskForApproval,
    MatchOptions,
    SandboxMode,
    create_exec_approval_requirement,
    is_known_safe_command,
    parse_policy,
)

CALLS = int(os.environ.get("BENCH_EXECPOLICY_CALLS", "20000"))
ROUNDS = int(os.environ.get("BENCH_EXECPOLICY_ROUNDS", "5"))

TOOLS = [
    "ls", "cat", "head", "tail", "wc", "grep", "rg", "find", "sed", "awk",
    "npm", "yarn", "pnpm", "cargo", "go", "make", "cmake", "pytest", "tox", "pip",
    "docker", "kubectl", "terraform", "curl", "wget", "ssh", "scp", "rsync", "tar", "zip",
]  # fmt: skip


def _policy_source() -> str:
    lines = [
        'prefix_rule(pattern = ["git", ["status", "log", "diff", "show"]], decision = "allow")',
        'prefix_rule(pattern = ["git", "push", ["--force", "-f"]], decision = "forbidden")',
        'prefix_rule(pattern = ["git", "push"], decision = "prompt", justification = "remote")',
        'prefix_rule(pattern = ["git"], decision = "prompt")',
        'prefix_rule(pattern = ["rm", ["-rf", "-fr"]], decision = "forbidden")',
        'host_executable(name = "git", paths = ["/usr/bin/git"])',
    ]
    decisions = ["allow", "prompt", "forbidden"]
    for i, tool in enumerate(TOOLS):
        lines.append(
            f'prefix_rule(pattern = ["{tool}", "sub{i}"], decision = "{decisions[i % 3]}")'
        )
    for i, tool in enumerate(TOOLS[:15]):
        lines.append(f'prefix_rule(pattern = ["{tool}"], decision = "{decisions[(i + 1) % 3]}")')
    return "\n".join(lines) + "\n"


def _us_per_call(fn: Callable[[], object]) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS):
            fn()
        samples.append((time.perf_counter() - start) / CALLS * 1e6)
    return statistics.median(samples)


def _row(label: str, fn: Callable[[], object]) -> None:
    print(f"{label:<52} {_us_per_call(fn):>8.2f} µs/call", flush=True)


def main() -> int:
    source = _policy_source()
    parse_samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        policy = parse_policy("bench.rules", source)
        parse_samples.append((time.perf_counter() - start) * 1000)
    parse_ms = statistics.median(parse_samples)
    rule_count = sum(len(v) for v in policy.rules_by_program.values())
    print(f"policy: {rule_count} prefix rules, parsed in {parse_ms:.2f} ms (median)")
    print(f"{'case':<52} {'median':>8}")

    resolve = MatchOptions(resolve_host_executables=True)
    cases: list[tuple[str, Sequence[str], MatchOptions]] = [
        ("match: git status (2 rules hit)", ["git", "status"], MatchOptions()),
        ("match: cargo sub13 --release", ["cargo", "sub13", "--release"], MatchOptions()),
        ("no match: unknown program", ["frobnicate", "--all"], MatchOptions()),
        (
            "match via host executable: /usr/bin/git push -f",
            ["/usr/bin/git", "push", "-f"],
            resolve,
        ),
    ]
    for label, cmd, options in cases:
        _row(label, partial(policy.matches_for_command, cmd, None, options))

    safe_cases: list[tuple[str, Sequence[str]]] = [
        ("is_known_safe_command: ls -la", ["ls", "-la"]),
        ("is_known_safe_command: git -C . log -n 3", ["git", "-C", ".", "log", "-n", "3"]),
        ("is_known_safe_command: cargo build (unsafe)", ["cargo", "build"]),
        ("is_known_safe_command: bash -lc 'ls && git status'", ["bash", "-lc", "ls && git status"]),
    ]
    for label, cmd in safe_cases:
        _row(label, partial(is_known_safe_command, cmd))

    decision_cmd = ["bash", "-lc", "git status && cargo sub13"]
    _row(
        "approval decision: bash -lc (2 parts, on-request)",
        lambda: create_exec_approval_requirement(
            decision_cmd, policy, AskForApproval.ON_REQUEST, SandboxMode.WORKSPACE_WRITE
        ),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
