"""Golden prompts for two real upstream commits, rendered through the real translation loop.

* a body change in core: ``codex_core::session::turn::try_run_sampling_request`` in
  34a3e85fc, whose counterpart is ``pycodex.core.session.Session._try_sample``;
* a declaration change in protocol: ``codex_protocol::request_permissions::RequestPermissionsEvent``
  in f8562bd47 (a new module of the port).

The port is read as it was at ferry commit ``PORT_REV`` (so later port edits do not move
the goldens) and the upstream from the mirror; the test skips when either is absent.
Regenerate after a deliberate prompt change, then read the diff of the goldens:

    FERRY_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/translator/test_translate_prompt_golden.py
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from translator.backends.base import BackendAnswer, TranslationRequest
from translator.config import TranslateConfig
from translator.context import ContextBuilder
from translator.diff.engine import diff_range
from translator.errors import BackendError
from translator.plan import Counterpart, Plan, PlannedItem, TranslationUnit
from translator.provenance import ProvenanceIndex
from translator.translate import Translator

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden" / "prompts"
#: the ferry commit whose port/ the goldens are rendered against
PORT_REV = "c97adaaa8bbc6c4c4bbf155f9664d4e8d6116a0b"
CASES = {
    "core_body_34a3e85fc": (
        "34a3e85fcd2e4c8fa29c55647c67529e5b258346",
        "codex_core::session::turn::try_run_sampling_request",
        "pycodex.core.session",
        "Session._try_sample",
    ),
    "protocol_declaration_f8562bd47": (
        "f8562bd47bcc6f2327590506890c0c9f1227e646",
        "codex_protocol::request_permissions::RequestPermissionsEvent",
        "pycodex.protocol.request_permissions",
        "RequestPermissionsEvent",
    ),
}


class CapturingBackend:
    """Records the prompt of the first attempt and answers nothing."""

    name = "capture"
    model = "capture"

    def __init__(self) -> None:
        self.requests: list[TranslationRequest] = []

    def translate(self, request: TranslationRequest) -> BackendAnswer:
        self.requests.append(request)
        raise BackendError("captured")


def _port_at(rev: str, dest: Path) -> Path:
    proc = subprocess.run(
        [
            "git",
            "-C",
            str(REPO_ROOT),
            "archive",
            rev,
            "port/pycodex",
            "port/tests",
            "port/pyproject.toml",
        ],
        capture_output=True,
    )
    if proc.returncode != 0:
        pytest.skip(
            f"ferry commit {rev[:12]} is not in this clone (shallow?): the goldens read its port"
        )
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "port"


def render(case: str, tmp: Path, mirror: Path) -> str:
    sha, path, module, symbol = CASES[case]
    port = _port_at(PORT_REV, tmp)
    changeset = diff_range(mirror, f"{sha}^", sha, "codex-rs")
    item = next(i for i in changeset.items if i.qualified_path == path)
    target = port / Path(*module.split(".")).with_suffix(".py")
    counterparts = (
        (Counterpart(python_module=module, python_symbol=symbol, commit=sha[:12], rust_hash=""),)
        if target.is_file()
        else ()
    )
    planned = PlannedItem(
        qualified_path=item.qualified_path, item_kind=item.item_kind, status=item.status,
        change_kind=item.change_kind, file=item.file, action="translate", python_symbol=symbol,
        counterparts=counterparts, old_text=item.old_text, new_text=item.new_text,
        new_hash=item.new_hash,
    )  # fmt: skip
    unit = TranslationUnit(
        id=module, python_module=module, target_path=str(target), layer="core", order=0,
        items=(planned,), est_input_tokens=0, est_output_tokens=0, est_cost_usd=0.0,
    )  # fmt: skip
    backend = CapturingBackend()
    with ProvenanceIndex(tmp / "provenance.sqlite") as index:
        translator = Translator(
            backend, TranslateConfig(max_attempts=1), base_dir=tmp, state_dir=tmp / "state",
            provenance=index, run_id="golden",
            context=ContextBuilder(
                target_root=port, upstream_git_dir=mirror, provenance=index,
                test_roots=[port / "tests"],
            ),
        )  # fmt: skip
        translator.run(Plan(base=f"{sha}^", head=sha, units=(unit,)))
    (request,) = backend.requests
    return "".join(f"===== {m.role} =====\n{m.content.rstrip()}\n\n" for m in request.messages)


@pytest.mark.parametrize("case", list(CASES))
def test_rendered_prompt_matches_the_golden(case: str, tmp_path: Path, upstream_git: Path) -> None:
    text = render(case, tmp_path, upstream_git)
    golden = GOLDEN / f"{case}.txt"  # not .md: formatters rewrite code blocks in Markdown
    if os.environ.get("FERRY_REGENERATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.is_file(), f"no golden {golden}; run with FERRY_REGENERATE_GOLDEN=1"
    assert text == golden.read_text(), f"{case}: the prompt changed; regenerate and review"
    assert "{%" not in text and "async def /" not in text
    assert str(tmp_path) not in text  # no machine paths
