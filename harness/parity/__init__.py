"""The parity oracle: differential runs of ``pycodex exec`` against the real Rust ``codex exec``.

Use :func:`run_parity` (a :class:`ParityReport`, ``.ok`` gates) or ``ferry parity run``.
"""

from harness.parity.allowlist import AllowEntry, Allowlist, load_allowlist
from harness.parity.diff import Difference, diff_values
from harness.parity.errors import AllowlistError, ParityError, ScenarioError
from harness.parity.oracle import DEFAULT_SCENARIOS, compare_sides, run_parity, rust_binary
from harness.parity.report import ParityReport, ScenarioResult, Verdict
from harness.parity.runner import Binary, SideResult, run_side
from harness.parity.scenario import Scenario, load_scenario, load_scenarios

__all__ = [
    "DEFAULT_SCENARIOS",
    "AllowEntry",
    "Allowlist",
    "AllowlistError",
    "Binary",
    "Difference",
    "ParityError",
    "ParityReport",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "SideResult",
    "Verdict",
    "compare_sides",
    "diff_values",
    "load_allowlist",
    "load_scenario",
    "load_scenarios",
    "run_parity",
    "run_side",
    "rust_binary",
]
