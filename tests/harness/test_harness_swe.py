"""SWE-bench style runs on tiny local repositories: oracle patches resolve, empty ones do not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from swe_fixtures import SPECS, build_instances

from harness.errors import TaskFormatError
from harness.records import SWE_INSTANCE_FORMAT, SWE_RESULTS_FORMAT, stamp
from harness.swe.agents import make_swe_agent
from harness.swe.evaluate import evaluate
from harness.swe.instances import load_instances
from harness.swe.runner import SweOptions, run_swe

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed (make setup installs it)"
)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_instances(tmp_path_factory.mktemp("swe"))


def _run(
    dataset: tuple[Path, Path], run_dir: Path, agent: str, ids: tuple[str, ...] = ()
) -> dict[str, object]:
    repos, path = dataset
    summary = run_swe(
        load_instances(path, ids),
        make_swe_agent(agent),
        SweOptions(
            run_dir=run_dir, model_name=agent, repos_dir=repos, n_concurrent=2, progress=False
        ),
        stamp(SWE_RESULTS_FORMAT, {"agent": agent}),
    )
    return summary.model_dump(mode="json")


def test_instances_decode_json_test_lists(dataset: tuple[Path, Path]) -> None:
    instances = load_instances(dataset[1])
    assert len(instances) == len(SPECS) >= 5
    assert instances[0].FAIL_TO_PASS == ["tests/test_add_new.py::test_add"]
    assert instances[0].PASS_TO_PASS == ["tests/test_add_existing.py::test_zero"]


def test_oracle_resolves_every_instance(dataset: tuple[Path, Path], tmp_path: Path) -> None:
    summary = _run(dataset, tmp_path, "oracle")
    assert summary["n_resolved"] == summary["n_instances"] == len(SPECS)
    assert summary["stamp"]["format"] == SWE_RESULTS_FORMAT  # type: ignore[index]
    assert summary["results"][0]["stamp"]["format"] == SWE_INSTANCE_FORMAT  # type: ignore[index]
    lines = (tmp_path / "predictions.jsonl").read_text().splitlines()
    predictions = [json.loads(line) for line in lines]
    assert [set(p) for p in predictions] == [
        {"instance_id", "model_name_or_path", "model_patch"}
    ] * len(SPECS)
    gold = {i.instance_id: i.patch for i in load_instances(dataset[1])}
    for prediction in predictions:
        assert prediction["model_patch"] == gold[prediction["instance_id"]]


def test_nop_resolves_nothing(dataset: tuple[Path, Path], tmp_path: Path) -> None:
    summary = _run(dataset, tmp_path, "nop", (SPECS[0].instance_id, SPECS[2].instance_id))
    assert summary["n_resolved"] == 0
    statuses = {r["evaluation"]["status"] for r in summary["results"]}  # type: ignore[attr-defined]
    assert statuses == {"empty_patch"}


def test_wrong_patch_is_unresolved_and_reports_tests(
    dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    repos, path = dataset
    instance = load_instances(path)[0]
    # Breaks the previously passing test instead of fixing the failing one.
    wrong = instance.patch.replace("return a + b", "return 1")
    evaluation = evaluate(instance, wrong, str(repos / "mathlib__mathlib"), tmp_path)
    assert evaluation.status == "unresolved" and not evaluation.resolved
    assert evaluation.fail_to_pass == {"tests/test_add_new.py::test_add": "failed"}
    assert evaluation.pass_to_pass == {"tests/test_add_existing.py::test_zero": "failed"}


def test_unappliable_patch(dataset: tuple[Path, Path], tmp_path: Path) -> None:
    repos, path = dataset
    instance = load_instances(path)[0]
    evaluation = evaluate(
        instance,
        "--- a/nope\n+++ b/nope\n@@ -1 +1 @@\n-x\n+y\n",
        str(repos / "mathlib__mathlib"),
        tmp_path,
    )
    assert evaluation.status == "patch_apply_failed"


def test_resume_keeps_stored_results(dataset: tuple[Path, Path], tmp_path: Path) -> None:
    ids = (SPECS[0].instance_id, SPECS[1].instance_id)
    _run(dataset, tmp_path, "oracle", ids[:1])
    stored = tmp_path / SPECS[0].instance_id / "result.json"
    data = json.loads(stored.read_text())
    data["message"] = "kept"
    stored.write_text(json.dumps(data))
    summary = _run(dataset, tmp_path, "oracle", ids)
    assert summary["results"][0]["message"] == "kept"  # type: ignore[index]
    assert summary["n_resolved"] == 2


def test_bad_instance_names_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    row = {
        "instance_id": "x",
        "repo": "a/b",
        "base_commit": "0",
        "problem_statement": "p",
        "FAIL_TO_PASS": "[oops",
    }
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(TaskFormatError) as info:
        load_instances(path)
    assert info.value.field == "FAIL_TO_PASS" and "bad.jsonl:1" in str(info.value)
