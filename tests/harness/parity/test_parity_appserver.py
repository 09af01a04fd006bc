"""The ``appserver`` scenario kind: script validation, the client driver, and real runs.

The driver is exercised against ``pycodex app-server`` itself (no Rust needed); the
differential runs against the pinned Rust binary are marked ``oracle``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pycodex.testing.rust_oracle import DEFAULT_CODEX_VERSION, OracleUnavailable

from harness.parity.allowlist import Allowlist
from harness.parity.appserver import ClientStep, resolve_pointer, run_appserver_side
from harness.parity.errors import ParityError, ScenarioError
from harness.parity.normalize import normalized_view, status_changes_last
from harness.parity.oracle import DEFAULT_SCENARIOS, default_pycodex_argv, run_parity, rust_binary
from harness.parity.report import Verdict
from harness.parity.runner import Binary
from harness.parity.scenario import load_scenario

SCENARIO = """
kind: appserver
config:
  features.plugins: false
turns:
  - events:
      - assistant_message: {id: m1, text: hello}
client:
  - send: {id: 1, method: initialize, params: {clientInfo: {name: parity, version: "1.0"}}}
  - wait: {id: 1}
  - send: {id: 2, method: thread/start, params: {cwd: "${ws}"}}
  - wait: {id: 2}
    save: {thread: /result/thread/id}
  - send: {id: 3, method: turn/start, params: {threadId: "${thread}", input: [{type: text, text: hi}]}}
  - wait: {method: turn/completed}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("turn_hello", SCENARIO, "name must start with 'appserver_'"),
        ("appserver_x", "kind: appserver\nclient: []\n", "needs a client script"),
        (
            "appserver_y",
            "kind: appserver\nprompt: hi\nclient: [{send: {id: 1}}]\n",
            "not prompt/stdin",
        ),
        (
            "appserver_z",
            "kind: appserver\nclient: [{send: {id: 1}, raw: x}]\n",
            "exactly one of send, raw",
        ),
        (
            "appserver_w",
            "kind: appserver\nclient: [{wait: {id: 1, method: m}}]\n",
            "exactly one of: id",
        ),
        (
            "appserver_v",
            "kind: appserver\nclient: [{wait: {id: 1}, save: {t: result}}]\n",
            "not a JSON pointer",
        ),
        (
            "exec_with_client",
            "prompt: hi\nturns: [[{assistant_message: x}]]\nclient: [{raw: x}]\n",
            "kind: appserver",
        ),
    ],
)
def test_bad_appserver_scenarios_are_refused(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_write(tmp_path, name, text))


def test_json_pointers_resolve_and_fail_loudly() -> None:
    doc = {"result": {"thread": {"id": "t1"}, "list": [{"a": 1}], "x/y": 2}}
    assert resolve_pointer(doc, "/result/thread/id") == "t1"
    assert resolve_pointer(doc, "/result/list/0/a") == 1
    assert resolve_pointer(doc, "/result/x~1y") == 2
    with pytest.raises(ParityError, match="/result/nope"):
        resolve_pointer(doc, "/result/nope")
    with pytest.raises(ValueError):
        ClientStep.model_validate({"raw": "x", "save": {"t": "/a"}})


def test_driver_runs_a_script_against_pycodex_app_server(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, "appserver_driver", SCENARIO))
    pycodex = Binary("pycodex", (sys.executable, "-c", "from pycodex._entry import main; main()"))
    side = run_appserver_side(pycodex, scenario, tmp_path / "side")
    assert side.exit_code == 0, side.stderr
    assert "[parity client]" not in side.stderr
    events = side.events()
    methods = [e.get("method") for e in events if isinstance(e, dict)]
    assert methods.count("turn/completed") == 1
    view = normalized_view(side, kind="appserver")
    started = next(e for e in view["events"] if e.get("method") == "turn/started")
    assert started["emittedAtMs"] == "<VOLATILE>" and started["params"]["threadId"] == "<UUID>"
    assert len(side.requests) == 1  # the saved thread id reached the turn request


def test_thread_status_changes_are_compared_in_their_own_order() -> None:
    status = [
        {"method": "thread/status/changed", "params": {"status": {"type": s}}}
        for s in ("active", "idle")
    ]
    completed = {"method": "item/completed", "params": {"item": {"id": "c1"}}}
    reply = {"id": 3, "result": {}}
    one_run = [status[0], reply, completed, status[1]]
    another = [reply, status[0], status[1], completed]
    assert status_changes_last(one_run) == status_changes_last(another)
    assert status_changes_last(one_run) == [reply, completed, *status]
    assert status_changes_last([status[1], status[0]]) != status_changes_last(status)


def test_a_script_that_waits_in_vain_is_reported(tmp_path: Path) -> None:
    text = SCENARIO.replace(
        "- wait: {method: turn/completed}", "- wait: {method: never/sent}\n    timeout_s: 3"
    )
    scenario = load_scenario(_write(tmp_path, "appserver_stuck", text))
    pycodex = Binary("pycodex", (sys.executable, "-c", "from pycodex._entry import main; main()"))
    side = run_appserver_side(pycodex, scenario, tmp_path / "side")
    assert "[parity client] step 6: no {'method': 'never/sent'} within 3.0 s" in side.stderr


#: the differential runs CI affords: handshake, a streamed turn, an approval, an interrupt.
DIFFERENTIAL = [
    "appserver_initialize",
    "appserver_unknown_method",
    "appserver_turn_deltas",
    "appserver_approval_decline",
    "appserver_turn_interrupt",
    "appserver_thread_resume",
]


@pytest.fixture(scope="module")
def rust() -> Binary:
    try:
        return rust_binary(DEFAULT_CODEX_VERSION)
    except OracleUnavailable as exc:
        pytest.skip(f"Rust codex {DEFAULT_CODEX_VERSION} unavailable: {exc}")


@pytest.mark.oracle
def test_rust_app_server_against_itself_is_identical_after_normalisation(rust: Binary) -> None:
    only = ["appserver_turn_deltas", "appserver_approval_decline"]
    report = run_parity(
        DEFAULT_SCENARIOS, expected=rust, actual=rust, only=only, allowlist=Allowlist()
    )
    details = {
        r.scenario: [(d.path, d.expected, d.actual) for d in r.differences] or r.error
        for r in report.results
    }
    assert all(r.verdict is Verdict.MATCH for r in report.results), json.dumps(
        details, default=str
    )[:3000]


@pytest.mark.oracle
def test_pycodex_app_server_matches_rust(rust: Binary) -> None:
    report = run_parity(
        DEFAULT_SCENARIOS,
        expected=rust,
        actual=Binary("pycodex", default_pycodex_argv()),
        only=DIFFERENTIAL,
    )
    details = {
        r.scenario: [(d.path, d.expected, d.actual) for d in r.differences if d.allowed_by is None]
        or r.error
        for r in report.results
        if r.verdict not in (Verdict.MATCH, Verdict.ALLOWED)
    }
    assert report.ok, json.dumps(details, default=str)[:4000]
