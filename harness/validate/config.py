"""The ``[validate]`` section of ``ferry.toml`` and the plan/test selection it works on."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ferry.fsutil import read_text
from harness.errors import ConfigError, TaskFormatError
from harness.tasks._validation import validate_model

KNOWN_GATES = ("imports", "pytest", "mypy", "parity", "bench")
#: translator.plan.PLAN_FORMAT (not imported: it would load the whole translator)
PLAN_FORMAT = "ferry.plan/1"


class BenchGateConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scripts: list[str] = Field(default_factory=list)
    baseline: str = "benchmarks/baseline.json"
    tolerance: float = Field(default=0.25, ge=0)
    repeats: int = Field(default=3, ge=1)


class ValidateConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gates: list[str] = Field(default_factory=lambda: ["imports", "pytest", "mypy"])
    #: directories (relative to the project) put first on the gate interpreter's path; the
    #: top-level packages in them are what the gates judge
    source_roots: list[str] = Field(default_factory=lambda: ["port", "."])
    #: the port's test suite, run whole by default
    tests: list[str] = Field(default_factory=lambda: ["port/tests"])
    #: "all": the whole suite; "impacted": tests reached from the changed modules through
    #: the import graph, plus ``e2e_tests`` and every test that starts processes
    selection: Literal["all", "impacted"] = "all"
    #: globs of CLI end-to-end tests, always run
    e2e_tests: list[str] = Field(default_factory=list)
    pytest_args: list[str] = Field(default_factory=lambda: ["-q"])
    mypy_args: list[str] = Field(default_factory=lambda: ["--strict"])
    #: "impacted": the changed modules and every module importing them; "all": the packages
    mypy_scope: Literal["impacted", "all"] = "impacted"
    #: measure with coverage which translated symbols the tests and parity scenarios run
    exercise_check: bool = True
    parity_args: list[str] = Field(default_factory=list)
    bench: BenchGateConfig = Field(default_factory=BenchGateConfig)
    timeout_sec: float = Field(default=1800.0, gt=0)

    @field_validator("gates")
    @classmethod
    def _known_gates(cls, gates: list[str]) -> list[str]:
        unknown = [g for g in gates if g not in KNOWN_GATES]
        if unknown:
            raise ValueError(f"unknown gate(s) {unknown}; known: {list(KNOWN_GATES)}")
        return gates


def load_validate_config(path: Path) -> ValidateConfig:
    """``[validate]`` from ``path``; a missing file or section gives the defaults."""
    if not path.exists():
        return ValidateConfig()
    try:
        data = tomllib.loads(read_text(path))
    except OSError as exc:
        raise ConfigError(str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise TaskFormatError(path, f"invalid TOML: {exc}") from None
    section = data.get("validate", {})
    if not isinstance(section, dict):
        raise TaskFormatError(path, "must be a table", field="validate")
    try:
        return validate_model(ValidateConfig, section, path)
    except TaskFormatError as exc:
        raise ConfigError(str(exc).replace(": field '", ": field 'validate.", 1)) from None


def _strings_under(node: Any, keys: set[str]) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys:
                if isinstance(value, str):
                    found.append(value)
                elif isinstance(value, list):
                    found.extend(v for v in value if isinstance(v, str))
            else:
                found.extend(_strings_under(value, keys))
    elif isinstance(node, list):
        for item in node:
            found.extend(_strings_under(item, keys))
    return found


def module_path(root: Path, module: str) -> Path | None:
    """``pycodex.exec.cli`` -> ``port/pycodex/exec/cli.py`` (or the package ``__init__``)."""
    parts = module.split(".")
    for base in (root / "port", root):
        candidate = base.joinpath(*parts)
        if candidate.with_suffix(".py").is_file():
            return candidate.with_suffix(".py")
        if (candidate / "__init__.py").is_file():
            return candidate / "__init__.py"
    return None


def _plan_units(data: Any) -> dict[str, str | None] | None:
    """``python_module -> target_path`` from a translator Plan (``units``), ``None`` if not one."""
    units = data.get("units") if isinstance(data, dict) else None
    if not isinstance(units, list) or not all(
        isinstance(u, dict) and "python_module" in u for u in units
    ):
        return None
    return {str(u["python_module"]): u.get("target_path") for u in units}


def plan_selection(plan: Path, root: Path) -> tuple[list[str], list[str]]:
    """Test paths and touched module files named by a plan JSON.

    A translator Plan is read through its ``units`` (``python_module``/``target_path``);
    any other JSON through ``tests``/``test_paths`` and ``module``/``modules`` keys.
    Tests are only those the plan names: without them the gates choose from ``[validate]``
    (the whole suite, or the tests the touched modules impact), never by module prefix.
    """
    try:
        data = json.loads(read_text(plan))
    except (OSError, json.JSONDecodeError) as exc:
        raise TaskFormatError(plan, f"cannot be read as a plan JSON: {exc}") from None
    if not isinstance(data, dict):
        raise TaskFormatError(plan, f"a plan is a JSON object, not a {type(data).__name__}")
    if data.get("format") == PLAN_FORMAT and _plan_units(data) is None:
        raise TaskFormatError(plan, "every unit needs a python_module", field="units")
    tests = _strings_under(data, {"tests", "test_paths", "python_tests"})
    units = _plan_units(data)
    if units is None:
        keys = {"module", "modules", "python_module", "target_module", "touched_modules"}
        units = dict.fromkeys(_strings_under(data, keys))
    files: list[str] = []
    for module, target in units.items():
        path: Path | None = None
        if isinstance(target, str) and target:
            candidate = Path(target) if Path(target).is_absolute() else root / target
            path = candidate if candidate.is_file() else None
        if path is None:
            path = root / module if module.endswith(".py") else module_path(root, module)
        if path is None or not path.is_file():
            raise TaskFormatError(
                plan, f"names module '{module}' that does not exist under {root}", field="module"
            )
        files.append(str(path.relative_to(root)) if path.is_relative_to(root) else str(path))
    return list(dict.fromkeys(tests)), list(dict.fromkeys(files))
