"""``ferry bench swe``: agent patches for SWE-bench instances, predictions JSONL, local evaluation.

Per instance: clone at ``base_commit``, let the agent edit the checkout, take
``git diff`` as ``model_patch``; then (optionally) evaluate it locally. Outputs:
``predictions.jsonl`` in the official evaluator's format and ``results.json``.
Instances with a stored ``<run_dir>/<id>/result.json`` are not run again.
"""

from __future__ import annotations

import concurrent.futures as cf
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from rich.progress import Progress

from ferry.fsutil import write_text_atomic
from harness.errors import HarnessError
from harness.outcomes import FailureMode
from harness.records import SWE_INSTANCE_FORMAT, Stamp, utcnow
from harness.swe.agents import SweAgent
from harness.swe.envs import EnvBuildError, default_cache, instance_python, spec_for
from harness.swe.evaluate import evaluate
from harness.swe.git import GitError, checkout, diff_from, resolve_source
from harness.swe.instances import SweInstance
from harness.swe.predictions import FIELDS, prediction_errors, predictions_jsonl


class SweResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    instance_id: str
    model_name_or_path: str
    model_patch: str
    failure_mode: FailureMode
    resolved: bool | None = None
    evaluation: dict[str, Any] | None = None
    total_input_tokens: int | None = None
    total_output_tokens: int | None = None
    cost_usd: float | None = None
    message: str = ""
    started_at: str
    ended_at: str
    stamp: Stamp


class SweRunResults(BaseModel):
    model_config = ConfigDict(frozen=True)

    results: list[SweResult]
    n_instances: int
    n_resolved: int
    resolved_ids: list[str]
    accuracy: float
    stamp: Stamp


@dataclass(frozen=True)
class SweOptions:
    run_dir: Path
    model_name: str
    repos_dir: Path | None = None
    n_concurrent: int = 1
    agent_timeout_sec: float = 1800.0
    evaluate: bool = True
    progress: bool = True
    keep_checkouts: bool = False
    #: ``{"owner/name": {"VERSION": spec}}`` (see :mod:`harness.swe.envs`).
    env_specs: dict[str, Any] | None = None
    env_cache: Path | None = None


def _run_one(
    instance: SweInstance, agent: SweAgent, options: SweOptions, stamp: Stamp
) -> SweResult:
    work = options.run_dir / instance.instance_id
    shutil.rmtree(work / "repo", ignore_errors=True)
    shutil.rmtree(work / "eval", ignore_errors=True)
    started = utcnow().isoformat()
    source = resolve_source(instance.repo, options.repos_dir)
    fields: dict[str, Any] = {
        "instance_id": instance.instance_id,
        "model_name_or_path": options.model_name,
        "model_patch": "",
        "failure_mode": FailureMode.NONE,
        "started_at": started,
        "stamp": stamp,
    }
    try:
        repo = checkout(source, instance.base_commit, work / "repo")
        outcome = agent.solve(instance, repo, work / "agent-logs", options.agent_timeout_sec)
        fields["failure_mode"] = outcome.failure_mode
        fields["message"] = outcome.message
        fields["cost_usd"] = outcome.cost_usd
        if outcome.tokens is not None:
            fields["total_input_tokens"] = outcome.tokens.input_tokens
            fields["total_output_tokens"] = outcome.tokens.output_tokens
        fields["model_patch"] = diff_from(repo, instance.base_commit)
        if options.evaluate:
            spec = spec_for(instance, options.env_specs or {})
            if spec.ignored:
                fields["message"] = "; ".join(
                    m for m in (fields.get("message"), f"env spec keys not applied: "
                                f"{', '.join(spec.ignored)}") if m
                )  # fmt: skip
            python = instance_python(instance, spec, options.env_cache or default_cache())
            evaluation = evaluate(
                instance,
                fields["model_patch"],
                source,
                work / "eval",
                python=python,
                log_dir=work / "logs",
            )
            fields["resolved"] = evaluation.resolved
            fields["evaluation"] = asdict(evaluation)
    except EnvBuildError as exc:
        fields["failure_mode"] = FailureMode.ENVIRONMENT_ERROR
        fields["message"] = str(exc)
        fields["resolved"] = None
    except GitError as exc:
        fields["failure_mode"] = FailureMode.ENVIRONMENT_ERROR
        fields["message"] = str(exc)
        fields["resolved"] = False if options.evaluate else None
    finally:
        if not options.keep_checkouts:
            shutil.rmtree(work / "repo", ignore_errors=True)
            shutil.rmtree(work / "eval", ignore_errors=True)
    fields["ended_at"] = utcnow().isoformat()
    result = SweResult.model_validate(fields)
    write_text_atomic(work / "result.json", result.model_dump_json(indent=2) + "\n")
    return result


def _stored(run_dir: Path, instance: SweInstance) -> SweResult | None:
    path = run_dir / instance.instance_id / "result.json"
    try:
        return (
            SweResult.model_validate_json(path.read_text(encoding="utf-8"))
            if path.is_file()
            else None
        )
    except ValidationError:
        return None


def run_swe(
    instances: list[SweInstance], agent: SweAgent, options: SweOptions, stamp: Stamp
) -> SweRunResults:
    options.run_dir.mkdir(parents=True, exist_ok=True)
    run_stamp, stamp = stamp, stamp.model_copy(update={"format": SWE_INSTANCE_FORMAT})
    results: list[SweResult] = []
    todo: list[SweInstance] = []
    for instance in instances:
        previous = _stored(options.run_dir, instance)
        if previous is None:
            todo.append(instance)
        else:
            results.append(previous)
    with Progress(disable=not options.progress) as progress:
        bar = progress.add_task("swe", total=len(instances), completed=len(results))
        with cf.ThreadPoolExecutor(max_workers=max(1, options.n_concurrent)) as pool:
            for future in cf.as_completed(
                [pool.submit(_run_one, i, agent, options, stamp) for i in todo]
            ):
                results.append(future.result())
                progress.advance(bar)
    results.sort(key=lambda r: r.instance_id)
    rows = [{k: getattr(r, k) for k in FIELDS} for r in results]
    problems = prediction_errors(rows, [i.instance_id for i in instances])
    if problems:
        raise HarnessError(
            "predictions the official evaluator would misread: " + "; ".join(problems)
        )
    write_text_atomic(options.run_dir / "predictions.jsonl", predictions_jsonl(rows))
    resolved = [r.instance_id for r in results if r.resolved]
    summary = SweRunResults(
        results=results,
        n_instances=len(results),
        n_resolved=len(resolved),
        resolved_ids=resolved,
        accuracy=len(resolved) / len(results) if results else 0.0,
        stamp=run_stamp,
    )
    write_text_atomic(options.run_dir / "results.json", summary.model_dump_json(indent=2) + "\n")
    return summary
