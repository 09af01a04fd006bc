"""``ferry validate``: the gates a translated change must pass, and the Verdict they produce."""

from harness.validate.gates import GATES, Gate, GateContext, GateResult
from harness.validate.verdict import Verdict, run_gates

__all__ = ["GATES", "Gate", "GateContext", "GateResult", "Verdict", "run_gates"]
