"""pycodex's generated protocol package: consistent headers, and a no-op regeneration.

The header check needs nothing but the committed files, so it always runs; regenerating
needs the upstream mirror and the pinned codex binary (for its schema bundle) and skips
cleanly without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.mechanical.protocol_gen import (
    GENERATED_HEADER,
    check_header,
    generate_app_server_protocol,
    read_header,
    recorded_inputs,
)
from translator.mechanical.schema_bundle import bundle_from_binary

PACKAGE = Path(__file__).resolve().parents[3] / "port" / "pycodex" / "app_server" / "protocol"
GENERATED = ("v2.py", "methods.py")


@pytest.mark.parametrize("name", GENERATED)
def test_generated_files_carry_a_consistent_header(name: str) -> None:
    text = (PACKAGE / name).read_text(encoding="utf-8")
    assert text.startswith(GENERATED_HEADER)
    header = read_header(text)
    assert header["upstream"].split()[0] == "1d092cb66d4c782a91690bba03b6065b8a9ed8a6"
    assert header["schema"].startswith("codex-cli 0.169.0 app-server JSON Schema bundle")
    assert "ferry translate --backend mechanical --protocol app-server" in header["regenerate"]
    assert check_header(text, name) == []


def test_a_hand_edit_is_detected_without_any_input() -> None:
    text = (PACKAGE / "methods.py").read_text(encoding="utf-8")
    edited = text.replace("'thread/start'", "'thread/begin'", 1)
    assert edited != text
    problems = check_header(edited, "methods.py")
    assert problems and "edited by hand" in problems[0]
    headless = "\n".join(text.splitlines()[2:])
    assert check_header(headless, "methods.py")


def test_both_files_name_the_same_inputs() -> None:
    inputs = {recorded_inputs((PACKAGE / n).read_text(encoding="utf-8")) for n in GENERATED}
    assert len(inputs) == 1 and None not in inputs


@pytest.mark.oracle
def test_regenerating_from_the_pinned_inputs_is_a_no_op(upstream_git: Path) -> None:
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    try:
        codex = codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"the codex oracle is unavailable: {exc}")
    committed = {n: (PACKAGE / n).read_text(encoding="utf-8") for n in GENERATED}
    commit, schema_sha = recorded_inputs(committed["v2.py"]) or ("", "")
    bundle = bundle_from_binary(codex)
    assert bundle.sha256 == schema_sha, "the pinned binary's schemas changed; regenerate"
    try:
        generated = generate_app_server_protocol(upstream_git, bundle, commit=commit)
    except Exception as exc:  # the mirror may not carry the recorded commit
        pytest.skip(f"cannot read commit {commit} from {upstream_git}: {exc}")
    for name in GENERATED:
        assert generated.files[name] == committed[name], f"{name} differs from a fresh generation"
    overlay = generated.overlay
    assert len(overlay.from_rust) + len(overlay.overlaid) + len(overlay.schema_only) == len(
        bundle.definitions
    )
    assert len(overlay.from_rust) >= 250  # most unchanged types come straight from Rust
