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


def _with_version(dataset: tuple[Path, Path], dest: Path, version: str) -> Path:
    text = dataset[1].read_text()
    if dataset[1].suffix == ".json":
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    dest.write_text("".join(json.dumps({**r, "version": version}) + "\n" for r in rows))
    return dest


def test_predictions_follow_the_official_evaluators_rules() -> None:
    from harness.swe.predictions import FIELDS, prediction_errors

    good = {"instance_id": "a__b-1", "model_name_or_path": "pycodex:gpt", "model_patch": ""}
    assert FIELDS == ("instance_id", "model_name_or_path", "model_patch")
    assert prediction_errors([good], ["a__b-1"]) == []
    bad = [
        ({k: v for k, v in good.items() if k != "model_patch"}, "missing model_patch"),
        ({**good, "patch": "x"}, "unexpected field(s) patch"),
        ({**good, "model_patch": None}, "model_patch must be a string"),
        ({**good, "model_name_or_path": ""}, "model_name_or_path is empty"),
        ({**good, "instance_id": "x__y-9"}, "x__y-9 is not in the dataset"),
    ]
    for row, message in bad:
        assert any(message in e for e in prediction_errors([row], ["a__b-1"])), message
    assert "appears twice" in prediction_errors([good, good], ["a__b-1"])[0]


def test_each_instance_gets_its_versions_environment_and_official_logs(
    dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    import sys

    from harness.swe.envs import load_specs

    instances = _with_version(dataset, tmp_path / "v.jsonl", "1.0")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    specs_file = tmp_path / "specs.json"
    specs_file.write_text(json.dumps({
        repo: {"1.0": {"python": python, "pip_packages": ["iniconfig==2.0.0"],
                       "install": "python -m pip install -e ."}}
        for repo in {i.repo for i in load_instances(instances)}
    }))  # fmt: skip
    ids = (SPECS[0].instance_id,)
    options = dict(model_name="oracle", repos_dir=dataset[0], progress=False,
                   env_specs=load_specs(specs_file), env_cache=tmp_path / "envs")  # fmt: skip
    summary = run_swe(load_instances(instances, ids), make_swe_agent("oracle"),
                      SweOptions(run_dir=tmp_path / "run1", **options),  # type: ignore[arg-type]
                      stamp(SWE_RESULTS_FORMAT, {}))  # fmt: skip
    (result,) = summary.results
    assert result.resolved is True
    assert "env spec keys not applied: install" in result.message
    (env,) = (tmp_path / "envs").glob("*/spec.json")
    assert json.loads(env.read_text())["pip_packages"] == ["pytest", "iniconfig==2.0.0"]
    assert list(env.parent.glob("lib/python*/site-packages/iniconfig-2.0.0.dist-info"))
    logs = tmp_path / "run1" / ids[0] / "logs"
    assert (
        "1 passed" in (logs / "test_output.txt").read_text()
        or "passed" in (logs / "test_output.txt").read_text()
    )
    report = json.loads((logs / "report.json").read_text())[ids[0]]
    assert report["resolved"] is True and report["patch_successfully_applied"] is True
    assert report["tests_status"]["FAIL_TO_PASS"] == {"success": list(SPECS_F2P[ids[0]]),
                                                       "failure": []}  # fmt: skip
    assert (logs / "patch.diff").read_text() == result.model_patch
    # The environment is cached: a second run builds nothing.
    built = (env.parent / ".complete").stat().st_mtime_ns
    run_swe(load_instances(instances, ids), make_swe_agent("oracle"),
            SweOptions(run_dir=tmp_path / "run2", **options),  # type: ignore[arg-type]
            stamp(SWE_RESULTS_FORMAT, {}))  # fmt: skip
    assert (env.parent / ".complete").stat().st_mtime_ns == built


def test_an_environment_that_cannot_be_built_is_an_environment_error(
    dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    instances = _with_version(dataset, tmp_path / "v.jsonl", "2.0")
    specs = {i.repo: {"2.0": {"python": "3.99"}} for i in load_instances(instances)}
    summary = run_swe(
        load_instances(instances, (SPECS[0].instance_id,)),
        make_swe_agent("oracle"),
        SweOptions(
            run_dir=tmp_path / "run",
            model_name="oracle",
            repos_dir=dataset[0],
            progress=False,
            env_specs=specs,
            env_cache=tmp_path / "envs",
        ),
        stamp(SWE_RESULTS_FORMAT, {}),
    )
    (result,) = summary.results
    assert result.failure_mode == "environment_error" and result.resolved is None
    assert "python3.99 is not installed" in result.message


def test_a_bad_specs_file_names_the_entry(dataset: tuple[Path, Path], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ferry.cli import main

    specs = tmp_path / "specs.json"
    specs.write_text(json.dumps({"ferry/mathlib": {"1.0": {"pip_packages": "pytest"}}}))
    result = CliRunner().invoke(main, ["bench", "swe", str(dataset[1]), "--repos", str(dataset[0]),
                                       "--env-specs", str(specs), "-o", str(tmp_path)])  # fmt: skip
    assert result.exit_code != 0
    assert "ferry/mathlib.1.0.pip_packages" in result.output and "Traceback" not in result.output


SPECS_F2P = {
    s.instance_id: [
        f"tests/test_{Path(s.module).stem}_new.py::{s.new_test.split('def ')[1].split('(')[0]}"
    ]
    for s in SPECS
}
