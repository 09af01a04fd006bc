"""``ferry bench``: Terminal-Bench (``tb``), SWE-bench (``swe``) and head-to-head (``h2h``)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.agents.codex_cli import ModelSettings

console = Console()
INTERRUPTED_EXIT = 130


def _model_options(
    model: str,
    base_url: str | None,
    api_key_env: str,
    prices: str | None,
    overrides: tuple[str, ...] = (),
    *,
    agent: str = "oracle",
) -> ModelSettings:
    """The endpoint settings from the command line; the key from ``$api_key_env``.

    The key is read here, once, and only ever passed to the agent's processes.
    """
    from harness.agents.codex_cli import ModelSettings

    price_map: dict[str, float] = {}
    if prices:
        try:
            price_map = {k: float(v) for k, v in (p.split("=", 1) for p in prices.split(","))}
        except ValueError:
            raise click.BadParameter(
                "use input=1.25,cached_input=0.125,output=10", param_hint="--prices"
            ) from None
    for override in overrides:
        key, sep, _ = override.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(
                f"'{override}' is not KEY=VALUE (e.g. -c model_reasoning_effort=high)",
                param_hint="--agent-config",
            )
    api_key = os.environ.get(api_key_env)
    if agent in ("pycodex", "codex") and not api_key:
        raise click.UsageError(
            f"the {agent} agent needs an API key: set ${api_key_env} (or name another "
            "variable with --api-key-env); for a local server without auth any value works"
        )
    return ModelSettings(
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        api_key=api_key,
        prices_per_million=price_map,
        config_overrides=overrides,
    )


def agent_build(agent: str) -> str | None:
    """What identifies the agent's build in a fingerprint (port state / codex version)."""
    if agent == "pycodex":
        from harness.agents.codex_cli import port_fingerprint

        return f"pycodex@{port_fingerprint()}"
    if agent == "codex":
        from pycodex.testing.rust_oracle import DEFAULT_CODEX_VERSION

        return f"codex@{DEFAULT_CODEX_VERSION}"
    return None


def _run_id() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d__%H-%M-%S")


@click.group()
def bench() -> None:
    """Run agent benchmarks and compare runs."""


_agent = click.option("--agent", "-a", default="oracle", show_default=True,
                      type=click.Choice(["oracle", "nop", "pycodex", "codex", "scripted-pycodex",
                                         "scripted-codex"]))  # fmt: skip
_model = click.option("--model", "-m", default="gpt-5-codex", show_default=True)
_base_url = click.option(
    "--base-url", default=None, help="model provider base_url (e.g. http://127.0.0.1:8000/v1)"
)
_key_env = click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True)
_prices = click.option(
    "--prices", default=None, help="per-million prices: input=..,cached_input=..,output=.."
)
_overrides = click.option(
    "--agent-config", "-c", "overrides", multiple=True, metavar="KEY=VALUE",
    help="extra `-c KEY=VALUE` passed to the agent's exec (repeatable)",
)  # fmt: skip


@bench.command("tb")
@click.argument("dataset", type=click.Path(path_type=Path))
@_agent
@click.option(
    "--env", "env_name", default="local", show_default=True, type=click.Choice(["local", "docker"])
)
@click.option(
    "--task-id", "-t", "task_ids", multiple=True, help="run only these tasks (repeatable)"
)
@click.option("--n-concurrent", "-n", default=1, show_default=True, type=click.IntRange(1))
@click.option(
    "--output",
    "-o",
    "output",
    default=Path("runs/tb"),
    type=click.Path(path_type=Path),
    show_default=True,
)
@click.option("--run-id", default=None, help="reuse an id to resume an interrupted run")
@click.option(
    "--timeout-multiplier", default=1.0, show_default=True, type=click.FloatRange(min=0.01)
)
@click.option("--attempts", "-k", default=1, show_default=True, type=click.IntRange(1),
              help="trials per task (pass@k)")  # fmt: skip
@click.option("--executor", default="local", show_default=True, type=click.Choice(["local", "ray"]))
@click.option("--ray-address", default=None, help="Ray cluster address (default: $RAY_ADDRESS)")
@click.option("--offline", is_flag=True,
              help="no network in any task (a coding agent still reaches its model); the "
                   "packages the task scripts install come from a local wheelhouse")  # fmt: skip
@_model
@_base_url
@_key_env
@_prices
@_overrides
def tb(dataset: Path, agent: str, env_name: str, task_ids: tuple[str, ...], n_concurrent: int, output: Path,
       run_id: str | None, timeout_multiplier: float, attempts: int, executor: str, ray_address: str | None,
       offline: bool, model: str, base_url: str | None, api_key_env: str, prices: str | None,
       overrides: tuple[str, ...]) -> None:  # fmt: skip
    """Run Terminal-Bench tasks (TB1 or Harbor format) from DATASET."""
    from harness.agents import make_agent
    from harness.environments import environment_factory
    from harness.environments.standins import standin_kit
    from harness.records import TB_RESULTS_FORMAT, stamp
    from harness.tasks import load_tasks_lenient
    from harness.tb.executors import make_executor
    from harness.tb.results import SkippedTask
    from harness.tb.runner import RunInterrupted, RunOptions, run_benchmark

    settings = _model_options(model, base_url, api_key_env, prices, overrides, agent=agent)
    run_id = run_id or _run_id()
    fingerprint = {"agent": agent, "agent_build": agent_build(agent), "environment": env_name,
                   "timeout_multiplier": timeout_multiplier, "offline": offline,
                   **settings.public()}  # fmt: skip
    config: dict[str, object] = {"dataset": str(dataset), "task_ids": list(task_ids),
                                 "n_concurrent": n_concurrent, "attempts": attempts,
                                 "executor": executor, "run_id": run_id, **fingerprint}  # fmt: skip
    try:
        tasks, errors = load_tasks_lenient(dataset, task_ids)
        for error in errors:
            click.echo(f"skipped a malformed task: {error}")
        if not tasks:
            raise click.ClickException(f"{dataset}: no task could be loaded")
        kit = standin_kit(tasks, offline=offline)
        if kit is not None:
            config["standins"] = {"uv": list(kit.uv_versions), "wheels": list(kit.requirements)}
        results = run_benchmark(
            tasks,
            lambda: make_agent(agent, settings),
            environment_factory(env_name, kit=kit),
            RunOptions(
                run_id,
                output / run_id,
                n_concurrent,
                timeout_multiplier,
                progress=True,
                attempts=attempts,
                executor=make_executor(executor, n_concurrent=n_concurrent, address=ray_address),
                fingerprint=fingerprint,
                skipped=tuple(SkippedTask(path=str(e.path), error=str(e)) for e in errors),
            ),
            stamp(TB_RESULTS_FORMAT, config),
        )
    except RunInterrupted as exc:
        console.print(f"[red]{exc}[/]: {output / run_id / 'results.json'}")
        raise SystemExit(INTERRUPTED_EXIT) from exc
    except HarnessError as exc:
        raise click.ClickException(str(exc)) from exc
    table = Table("trial", "resolved", "failure mode", "tokens in/out")
    for r in results.results:
        verdict = ("yes" if r.is_resolved else "no") if r.scored else f"error: {r.error_category}"
        table.add_row(r.trial_name, verdict, str(r.failure_mode),
                      f"{r.total_input_tokens or 0}/{r.total_output_tokens or 0}")  # fmt: skip
    console.print(table)
    errors_text = ", ".join(f"{k} {len(v)}" for k, v in sorted(results.errors.items()))
    passk = " ".join(f"{k} {v:.1%}" for k, v in results.pass_at_k.items() if k != "pass@1")
    console.print(f"accuracy {results.accuracy:.1%} ({results.n_resolved}/{results.n_scored} scored); "
                  f"errors (not scored): {errors_text or 'none'}"
                  + (f"; {passk}" if passk else "")
                  + (f"; skipped tasks: {len(results.skipped_tasks)}" if results.skipped_tasks else "")
                  + f"; results: {output / run_id / 'results.json'}")  # fmt: skip


@bench.command("swe")
@click.argument("instances", type=click.Path(path_type=Path))
@_agent
@click.option("--instance-id", "-i", "instance_ids", multiple=True)
@click.option("--repos", "repos_dir", type=click.Path(path_type=Path), default=None,
              help="directory of local clones named owner__name (otherwise GitHub is cloned)")  # fmt: skip
@click.option("--n-concurrent", "-n", default=1, show_default=True, type=click.IntRange(1))
@click.option(
    "--output", "-o", default=Path("runs/swe"), type=click.Path(path_type=Path), show_default=True
)
@click.option("--run-id", default=None)
@click.option(
    "--no-eval",
    is_flag=True,
    help="only write predictions.jsonl (evaluate with the official harness)",
)
@click.option("--agent-timeout", default=1800.0, show_default=True, type=click.FloatRange(min=1))
@click.option("--env-specs", type=click.Path(path_type=Path), default=None,
              help='per repo/version test environments: {"owner/name": {"VERSION": '
                   '{"python": "3.11", "pip_packages": [...]}}}')  # fmt: skip
@_model
@_base_url
@_key_env
@_prices
@_overrides
def swe(instances: Path, agent: str, instance_ids: tuple[str, ...], repos_dir: Path | None, n_concurrent: int,
        output: Path, run_id: str | None, no_eval: bool, agent_timeout: float, env_specs: Path | None,
        model: str, base_url: str | None, api_key_env: str, prices: str | None,
        overrides: tuple[str, ...]) -> None:  # fmt: skip
    """Run an agent on SWE-bench INSTANCES (.json/.jsonl); write predictions and a local evaluation."""
    from harness.records import SWE_RESULTS_FORMAT, stamp
    from harness.swe.agents import make_swe_agent
    from harness.swe.envs import load_specs
    from harness.swe.instances import load_instances
    from harness.swe.runner import SweOptions, run_swe

    settings = _model_options(model, base_url, api_key_env, prices, overrides, agent=agent)
    run_id = run_id or _run_id()
    config = {"instances": str(instances), "agent": agent, "evaluate": not no_eval, "run_id": run_id,
              "env_specs": str(env_specs) if env_specs else None, **settings.public()}  # fmt: skip
    try:
        specs = load_specs(env_specs) if env_specs is not None else None
        summary = run_swe(
            load_instances(instances, instance_ids),
            make_swe_agent(agent, settings),
            SweOptions(
                output / run_id,
                model_name=f"{agent}:{model}",
                repos_dir=repos_dir,
                n_concurrent=n_concurrent,
                agent_timeout_sec=agent_timeout,
                evaluate=not no_eval,
                progress=console.is_terminal,
                env_specs=specs,
            ),
            stamp(SWE_RESULTS_FORMAT, config),
        )
    except HarnessError as exc:
        raise click.ClickException(str(exc)) from exc
    console.print(f"resolved {summary.n_resolved}/{summary.n_instances}; "
                  f"predictions: {output / run_id / 'predictions.jsonl'}")  # fmt: skip


@bench.command("h2h")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--name-a", default=None, help="label of the first run (default: Python / A)")
@click.option("--name-b", default=None, help="label of the second run (default: Rust / B)")
@click.option("--env", "env_name", default="local", show_default=True,
              type=click.Choice(["local", "docker"]))  # fmt: skip
@click.option("--task-id", "-t", "task_ids", multiple=True)
@click.option("--n-concurrent", "-n", default=1, show_default=True, type=click.IntRange(1))
@click.option("--output", "-o", default=Path("runs/h2h"), type=click.Path(path_type=Path),
              show_default=True)  # fmt: skip
@click.option("--run-id", default=None)
@click.option("--json", "as_json", is_flag=True, help="print the record as JSON")
def h2h(sources: tuple[Path, ...], name_a: str | None, name_b: str | None, env_name: str,
        task_ids: tuple[str, ...], n_concurrent: int, output: Path, run_id: str | None,
        as_json: bool) -> None:  # fmt: skip
    """Head-to-head (the paper's Table XI): both / only Python / only Rust / neither.

    With a DATASET, runs the oracle and the scripted-solution agent through pycodex
    and through the Rust codex in the same environments, then compares. With two
    ``results.json`` files, compares those runs.
    """
    from harness.h2h import head_to_head, run_head_to_head

    try:
        if len(sources) == 2 and all(s.is_file() for s in sources):
            table_data = head_to_head(
                sources[0], sources[1], name_a=name_a or "A", name_b=name_b or "B"
            )
        elif len(sources) == 1:
            table_data = run_head_to_head(
                sources[0], output / (run_id or _run_id()), env_name=env_name,
                task_ids=task_ids, n_concurrent=n_concurrent,
            )  # fmt: skip
        else:
            raise click.UsageError("give one DATASET, or two results.json files")
    except HarnessError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(table_data.model_dump(mode="json"), indent=2))
        return
    table = Table("outcome", "tasks", "ids")
    for label, ids in table_data.labelled_rows():
        table.add_row(label, str(len(ids)), ", ".join(ids))
    console.print(table)
    if table_data.oracle_resolved is not None:
        missed = table_data.missed_by_either()
        console.print(f"oracle resolved {len(table_data.oracle_resolved)}; "
                      f"differences (port bugs to look at): {', '.join(missed) or 'none'}")  # fmt: skip
