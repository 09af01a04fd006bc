"""Real-task needs without the internet: the uv installer stand-in, the offline index,
Debian substitutes per image name, and what ``docker-compose.yaml`` says.

The CLI runs use the ``local`` environment (bubblewrap) with ``--offline``: the task's
commands have no network at all, so a pass shows the kit served everything.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import TASKS, copy_task

from ferry.cli import main
from harness.environments.images import substitute_for
from harness.environments.standins import requirements, standin_kit, uv_versions
from harness.errors import TaskFormatError
from harness.tasks import load_task

OFFLINE_TASKS = TASKS / "offline"
COMPOSE_TASKS = TASKS / "compose"


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.output


def _trial(run_dir: Path, task_id: str) -> dict[str, object]:
    records = json.loads((run_dir / "results.json").read_text())["results"]
    return next(r for r in records if r["task_id"] == task_id)


def test_offline_run_serves_the_uv_installer_and_packages(tmp_path: Path, need_bwrap: None) -> None:
    code, out = _run(["bench", "tb", str(OFFLINE_TASKS), "--env", "local", "--offline",
                      "-a", "oracle", "-o", str(tmp_path), "--run-id", "oracle"])  # fmt: skip
    assert code == 0, out
    trial = _trial(tmp_path / "oracle", "uv-project")
    assert trial["is_resolved"] is True and trial["scored"] is True, trial["message"]
    tests = next((tmp_path / "oracle" / "uv-project").glob("*/tests.txt")).read_text()
    assert "served https://astral.sh/uv/0.7.13/install.sh from the offline kit" in tests
    assert "+ iniconfig==2.0.0" in tests
    notes = " ".join(trial["environment_notes"])  # type: ignore[arg-type]
    assert "--unshare-net" in notes and "wheelhouse" in notes
    run = json.loads((tmp_path / "oracle" / "run.json").read_text())
    assert run["settings"]["offline"] is True
    # nop: the same verifier, nothing solved -> a scored failure, not an error.
    code, out = _run(["bench", "tb", str(OFFLINE_TASKS), "--env", "local", "--offline",
                      "-a", "nop", "-o", str(tmp_path), "--run-id", "nop"])  # fmt: skip
    assert code == 0, out
    trial = _trial(tmp_path / "nop", "uv-project")
    assert trial["scored"] is True and trial["is_resolved"] is False
    assert trial["parser_results"] == {"test_double": "failed",
                                       "test_project_dependency_installed": "passed"}  # fmt: skip


def test_the_stand_in_refuses_an_unknown_uv_release_and_passes_other_urls_on(
    tmp_path: Path, need_bwrap: None
) -> None:
    from harness.environments.local import LocalEnvironment

    task = load_task(OFFLINE_TASKS / "uv-project")
    kit = standin_kit([task])
    assert kit is not None and "0.7.13" in kit.uv_versions and not kit.offline
    env = LocalEnvironment(task, tmp_path / "trial", scratch=tmp_path / "scratch", kit=kit)
    env.start()
    try:
        unknown = env.exec("curl -LsSf https://astral.sh/uv/9.9.9/install.sh | sh; "
                           "echo status=${PIPESTATUS[0]}", timeout_sec=60)  # fmt: skip
        assert "no offline stand-in for uv 9.9.9" in unknown.output
        assert "status=22" in unknown.output
        to_file = env.exec("curl -LsSf -o /tmp/i.sh https://astral.sh/uv/install.sh && "
                           "sh /tmp/i.sh && ~/.local/bin/uv --version", timeout_sec=60)  # fmt: skip
        assert to_file.exit_code == 0 and "uv 0.7.13" in to_file.output
        passthrough = env.exec("curl --version | head -1", timeout_sec=60)
        if shutil.which("curl"):
            assert passthrough.output.startswith("curl ")
        else:
            assert "command not found" in passthrough.output
    finally:
        env.stop()


def test_scripts_are_scanned_for_installers_and_requirements() -> None:
    scripts = [
        "curl -LsSf https://astral.sh/uv/0.7.13/install.sh | sh\nuv add pytest==8.4.1 requests",
        "curl -LsSf https://astral.sh/uv/install.sh | sh",
        "uvx -p 3.13 -w pytest==8.4.1 -w pytest-json-ctrf==0.3.5 pytest /tests -rA",
        "pip install --no-cache-dir numpy==2.0 'pandas>=2' -r req.txt $EXTRA ./local",
        "uv run --with pytest==8.4.1 pytest",
    ]
    assert uv_versions(scripts) == {"0.7.13", ""}
    assert requirements(scripts) == {"pytest==8.4.1", "requests", "pytest-json-ctrf==0.3.5",
                                     "numpy==2.0", "pandas>=2"}  # fmt: skip
    assert uv_versions(["curl https://example.com/install.sh"]) == set()


@pytest.mark.parametrize(
    ("name", "suite", "flavour", "workdir"),
    [
        ("ghcr.io/laude-institute/t-bench/python-3-13:20250620", "trixie", "python", "/app"),
        ("ghcr.io/laude-institute/t-bench/ubuntu-24-04:20250624", "trixie", "os", "/app"),
        ("python:3.11-slim", "bookworm", "python", None),
        ("python:3.9-bullseye", "bullseye", "python", None),
        ("docker.io/library/python:3.13", "trixie", "python", None),
        ("buildpack-deps:jammy", "bookworm", "buildpack", None),
        ("ubuntu:24.04", "trixie", "os", None),
        ("debian:bookworm-slim", "bookworm", "os", None),
        ("registry.example/some/thing:1", "bookworm", "os", None),
    ],
)
def test_image_names_map_to_debian_substitutes(
    name: str, suite: str, flavour: str, workdir: str | None
) -> None:
    sub = substitute_for(name)
    assert (sub.suite, sub.flavour, sub.workdir) == (suite, flavour, workdir)
    if flavour == "buildpack":
        assert "build-essential" in sub.packages


def test_a_python_version_no_debian_ships_is_named_on_the_substitute() -> None:
    sub = substitute_for("python:3.12-slim")
    assert sub.suite in ("bookworm", "trixie")
    assert "python 3.12 is not in any Debian release" in sub.reason


def test_compose_settings_are_read() -> None:
    task = load_task(COMPOSE_TASKS / "service-greeting")
    assert task.compose_working_dir == "/work"
    assert task.tmpfs == ("/scratch",)
    assert (task.cpus, task.memory_mb) == (1.0, 512)
    assert set(task.services) == {"greeter"}
    assert task.services["greeter"]["build"] == {"context": "server"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("memory: 512M", "memory: lots"),
        ("cpus: '1'", "cpus: '-2'"),
        ('    command: [ "python3", "-m", "http.server", "8000" ]\n', ""),
    ],
)
def test_bad_compose_values_are_rejected_with_the_field(
    tmp_path: Path, edit: str, message: str
) -> None:
    task_dir = copy_task(COMPOSE_TASKS / "service-greeting", tmp_path)
    compose = task_dir / "docker-compose.yaml"
    text = compose.read_text()
    if edit.startswith("    command"):
        text = text.replace("    build:\n      context: server\n", "")
    else:
        text = text.replace(edit, message)
    compose.write_text(text)
    with pytest.raises(TaskFormatError) as info:
        load_task(task_dir)
    assert "docker-compose.yaml" in str(info.value)
    assert "services." in str(info.value)


def test_unapplied_compose_keys_are_reported_and_network_mode_none_is_honoured(
    tmp_path: Path,
) -> None:
    task_dir = copy_task(COMPOSE_TASKS / "service-greeting", tmp_path)
    compose = task_dir / "docker-compose.yaml"
    extra = "    working_dir: /work\n    network_mode: none\n    privileged: true\n"
    compose.write_text(compose.read_text().replace("    working_dir: /work\n", extra))
    task = load_task(task_dir)
    assert task.allow_internet is False
    assert task.compose_ignored == ("services.client.privileged",)


def test_local_environment_refuses_companion_services(tmp_path: Path, need_bwrap: None) -> None:
    code, out = _run(["bench", "tb", str(COMPOSE_TASKS), "--env", "local", "-a", "oracle",
                      "-o", str(tmp_path), "--run-id", "r"])  # fmt: skip
    assert code == 0, out
    trial = _trial(tmp_path / "r", "service-greeting")
    assert trial["failure_mode"] == "environment_error" and trial["scored"] is False
    assert "greeter" in str(trial["message"]) and "--env docker" in str(trial["message"])
