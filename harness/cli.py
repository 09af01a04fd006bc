"""``ferry validate``: run the gates from ``ferry.toml`` and write a Verdict JSON.

The gates judge the tree holding ``ferry.toml`` in its own gate environment (see
``harness.validate.isolation``), whatever interpreter runs this command.

Exit status: 0 when every gate passed, 1 when a gate failed, 2 on bad input.
"""

from __future__ import annotations

from pathlib import Path

import click

from harness.errors import HarnessError


@click.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=Path("ferry.toml"),
              show_default=True)  # fmt: skip
@click.option(
    "--plan", type=click.Path(path_type=Path), default=None, help="plan JSON naming modules/tests"
)
@click.option("--tests", "tests", multiple=True, help="test path for the pytest gate (repeatable)")
@click.option(
    "--modules", "modules", multiple=True, help="module file for the mypy gate (repeatable)"
)
@click.option(
    "--gate", "gates", multiple=True, help="run only these gates (default: [validate] gates)"
)
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path(".ferry/verdict.json"),
              show_default=True)  # fmt: skip
@click.option(
    "--record-baseline", is_flag=True, help="bench gate: store the measured figures as the baseline"
)
def validate(config_path: Path, plan: Path | None, tests: tuple[str, ...], modules: tuple[str, ...],
             gates: tuple[str, ...], output: Path, record_baseline: bool) -> None:  # fmt: skip
    """Run the validation gates and write a Verdict JSON."""
    from ferry.fsutil import write_text_atomic
    from harness.validate.config import load_validate_config, plan_selection
    from harness.validate.gates import GateContext
    from harness.validate.verdict import run_gates

    root = config_path.resolve().parent
    try:
        config = load_validate_config(config_path)
        if gates:
            config = config.model_validate({**config.model_dump(), "gates": list(gates)})
        selected_tests, selected_modules = list(tests), list(modules)
        if plan is not None:
            plan_tests, plan_modules = plan_selection(plan, root)
            selected_tests += plan_tests
            selected_modules += plan_modules
    except (HarnessError, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc
    verdict = run_gates(
        GateContext(
            root,
            config,
            selected_tests,
            selected_modules,
            record_baseline,
            changed=selected_modules if plan is not None else None,
        )
    )
    write_text_atomic(output, verdict.model_dump_json(indent=2) + "\n")
    click.echo(f"gate environment: {verdict.environment.get('venv')}")
    for gate in verdict.gates:
        click.echo(f"{gate.name:8} {'PASS' if gate.passed else 'FAIL'} ({gate.duration_sec:.1f}s)")
        if not gate.passed:
            click.echo("  " + gate.output.strip().replace("\n", "\n  ")[-3000:])
    click.echo(f"verdict: {'PASS' if verdict.passed else 'FAIL'} -> {output}")
    raise SystemExit(0 if verdict.passed else 1)
