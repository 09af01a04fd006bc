"""``ferry bench``: Terminal-Bench (``tb``), SWE-bench (``swe``) and head-to-head (``h2h``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from harness.errors import HarnessError

console = Console()


def _model_options(
    model: str, base_url: str | None, api_key_env: str, prices: str | None
) -> object:
    from harness.agents.codex_cli import ModelSettings

    price_map: dict[str, float] = {}
    if prices:
        try:
            price_map = {k: float(v) for k, v in (p.split("=", 1) for p in prices.split(","))}
        except ValueError:
            raise click.BadParameter(
                "use input=1.25,cached_input=0.125,output=10", param_hint="--prices"
            ) from None
    return ModelSettings(
        model=model, base_url=base_url, api_key_env=api_key_env, prices_per_million=price_map
    )


def _run_id() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d__%H-%M-%S")


@click.group()
def bench() -> None:
    """Run agent benchmarks and compare runs."""


_agent = click.option("--agent", "-a", default="oracle", show_default=True,
                      type=click.Choice(["oracle", "nop", "pycodex", "codex"]))  # fmt: skip
_model = click.option("--model", "-m", default="gpt-5-codex", show_default=True)
_base_url = click.option(
    "--base-url", default=None, help="model provider base_url (e.g. http://127.0.0.1:8000/v1)"
)
_key_env = click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True)
_prices = click.option(
    "--prices", default=None, help="per-million prices: input=..,cached_input=..,output=.."
)


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
@_model
@_base_url
@_key_env
@_prices
def tb(dataset: Path, agent: str, env_name: str, task_ids: tuple[str, ...], n_concurrent: int, output: Path,
       run_id: str | None, timeout_multiplier: float, model: str, base_url: str | None, api_key_env: str,
       prices: str | None) -> None:  # fmt: skip
    """Run Terminal-Bench tasks (TB1 or Harbor format) from DATASET."""
    from harness.agents import make_agent
    from harness.agents.codex_cli import ModelSettings
    from harness.environments import environment_factory
    from harness.records import TB_RESULTS_FORMAT, stamp
    from harness.tasks import load_tasks
    from harness.tb.runner import RunOptions, run_benchmark

    settings = _model_options(model, base_url, api_key_env, prices)
    assert isinstance(settings, ModelSettings)
    run_id = run_id or _run_id()
    config = {"dataset": str(dataset), "agent": agent, "environment": env_name, "task_ids": list(task_ids),
              "n_concurrent": n_concurrent, "timeout_multiplier": timeout_multiplier, "model": model,
              "base_url": base_url, "run_id": run_id}  # fmt: skip
    try:
        tasks = load_tasks(dataset, task_ids)
        results = run_benchmark(
            tasks,
            lambda: make_agent(agent, settings),
            environment_factory(env_name),
            RunOptions(
                run_id,
                output / run_id,
                n_concurrent,
                timeout_multiplier,
                progress=console.is_terminal,
            ),
            stamp(TB_RESULTS_FORMAT, config),
        )
    except HarnessError as exc:
        raise click.ClickException(str(exc)) from exc
    table = Table("task", "resolved", "failure mode", "tokens in/out")
    for r in results.results:
        table.add_row(r.task_id, "yes" if r.is_resolved else "no", str(r.failure_mode),
                      f"{r.total_input_tokens or 0}/{r.total_output_tokens or 0}")  # fmt: skip
    console.print(table)
    console.print(f"accuracy {results.accuracy:.1%} ({results.n_resolved}/{len(results.results)}); "
                  f"results: {output / run_id / 'results.json'}")  # fmt: skip


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
@_model
@_base_url
@_key_env
@_prices
def swe(instances: Path, agent: str, instance_ids: tuple[str, ...], repos_dir: Path | None, n_concurrent: int,
        output: Path, run_id: str | None, no_eval: bool, agent_timeout: float, model: str, base_url: str | None,
        api_key_env: str, prices: str | None) -> None:  # fmt: skip
    """Run an agent on SWE-bench INSTANCES (.json/.jsonl); write predictions and a local evaluation."""
    from harness.agents.codex_cli import ModelSettings
    from harness.records import SWE_RESULTS_FORMAT, stamp
    from harness.swe.agents import make_swe_agent
    from harness.swe.instances import load_instances
    from harness.swe.runner import SweOptions, run_swe

    settings = _model_options(model, base_url, api_key_env, prices)
    assert isinstance(settings, ModelSettings)
    run_id = run_id or _run_id()
    config = {"instances": str(instances), "agent": agent, "model": model, "base_url": base_url,
              "evaluate": not no_eval, "run_id": run_id}  # fmt: skip
    try:
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
            ),
            stamp(SWE_RESULTS_FORMAT, config),
        )
    except HarnessError as exc:
        raise click.ClickException(str(exc)) from exc
    console.print(f"resolved {summary.n_resolved}/{summary.n_instances}; "
                  f"predictions: {output / run_id / 'predictions.jsonl'}")  # fmt: skip


@bench.command("h2h")
@click.argument("results_a", type=click.Path(path_type=Path))
@click.argument("results_b", type=click.Path(path_type=Path))
@click.option("--name-a", default="A", show_default=True)
@click.option("--name-b", default="B", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the record as JSON")
def h2h(results_a: Path, results_b: Path, name_a: str, name_b: str, as_json: bool) -> None:
    """Head-to-head table of two runs' results.json."""
    from harness.h2h import head_to_head

    try:
        table_data = head_to_head(results_a, results_b, name_a=name_a, name_b=name_b)
    except HarnessError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(table_data.model_dump(mode="json"), indent=2))
        return
    table = Table("outcome", "tasks")
    for label, count in table_data.rows():
        table.add_row(label, str(count))
    console.print(table)
