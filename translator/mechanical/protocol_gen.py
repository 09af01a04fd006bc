"""Generate pycodex's app-server protocol package from the pinned Rust sources.

Inputs: the upstream git mirror at one commit (the Rust declarations and the method macros
of ``codex-rs/app-server-protocol`` and ``codex-rs/protocol``) and the JSON Schema bundle of
the binary the port must match (:mod:`translator.mechanical.schema_bundle`). Outputs, under
``pycodex/app_server/protocol/``:

* ``v2.py`` -- every wire type as a pydantic model, enum or alias (see
  :mod:`translator.mechanical.overlay` for which come straight from Rust);
* ``methods.py`` -- the JSON-RPC method tables: method -> params/response type names, in
  upstream's declaration order (serde lists the methods in that order in its errors).

Each file starts with a header naming the generator, the upstream revision, the schema
bundle (with its sha256) and the sha256 of the rest of the file, so a hand edit is
detectable without any of the inputs, and a regeneration from the recorded inputs must
reproduce the file byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from translator.errors import InputError
from translator.mechanical.emit import GENERATED_HEADER, item_hash
from translator.mechanical.module import render_module
from translator.mechanical.overlay import MESSAGE_MACROS, OverlayResult, overlay_protocol
from translator.mechanical.registry import load_crates
from translator.mechanical.schema_bundle import SchemaBundle, ref_name
from translator.mechanical.schema_ir import split_null
from translator.sources import GitTree

CRATES = ("codex-rs/app-server-protocol", "codex-rs/protocol")
COMMON_RS = "codex-rs/app-server-protocol/src/protocol/common.rs"
COMMON_PATH = "codex_app_server_protocol::protocol::common"
REGENERATE = "ferry translate --backend mechanical --protocol app-server"
BODY_HASH_PREFIX = "# sha256 of the lines below: "
_HEADER_KEYS = ("upstream", "schema", "regenerate")


@dataclass(frozen=True)
class MacroMethod:
    """One entry of an upstream ``*_definitions!`` macro."""

    variant: str
    wire: str
    params: str | None  # Rust type text
    response: str | None


@dataclass(frozen=True)
class GeneratedProtocol:
    files: dict[str, str]  # file name -> text
    overlay: OverlayResult


def body_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def header_lines(commit: str, bundle: SchemaBundle, body: str) -> list[str]:
    return [
        f"upstream: {commit} ({', '.join(CRATES)})",
        f"schema: {bundle.source} app-server JSON Schema bundle, sha256 {bundle.sha256}",
        f"regenerate: {REGENERATE}",
        f"{BODY_HASH_PREFIX[2:]}{body_sha256(body)}",
    ]


def with_header(body: str, commit: str, bundle: SchemaBundle) -> str:
    """``body`` (a generated module without its first line) under the full header."""
    head = "".join(f"# {line}\n" for line in header_lines(commit, bundle, body))
    return f"{GENERATED_HEADER}\n{head}{body}"


def read_header(text: str) -> dict[str, str]:
    """The header fields of a generated file (``upstream``, ``schema``, ``sha256`` ...)."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    if not lines or lines[0] != GENERATED_HEADER:
        return out
    for line in lines[1:]:
        if not line.startswith("# "):
            break
        if line.startswith(BODY_HASH_PREFIX):
            out["sha256"] = line[len(BODY_HASH_PREFIX) :].strip()
            continue
        key, sep, value = line[2:].partition(": ")
        if not sep or key not in _HEADER_KEYS:
            break
        out[key] = value
    return out


def check_header(text: str, name: str = "file") -> list[str]:
    """Problems with a generated file's header: missing fields or a body that was edited."""
    header = read_header(text)
    problems = [
        f"{name}: header field {k!r} missing" for k in (*_HEADER_KEYS, "sha256") if k not in header
    ]
    if problems:
        return problems
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(BODY_HASH_PREFIX))
    body = "".join(lines[index + 1 :])
    if body_sha256(body) != header["sha256"]:
        return [
            f"{name}: its content does not match the sha256 in its header (edited by hand?); "
            f"regenerate it with `{REGENERATE}`"
        ]
    return []


def recorded_inputs(text: str) -> tuple[str, str] | None:
    """(upstream commit, schema sha256) a generated file was made from."""
    header = read_header(text)
    upstream = header.get("upstream", "").split()
    schema = re.search(r"sha256 ([0-9a-f]{64})", header.get("schema", ""))
    if not upstream or schema is None:
        return None
    return upstream[0], schema.group(1)


# ---------------------------------------------------------------------- method macros

_ENTRY = re.compile(
    r"(?P<variant>[A-Z]\w*)\s*(?:=>\s*\"(?P<wire>[^\"]+)\")?\s*"
    r"(?:\{\s*params:\s*(?P<params>(?:#\[[^\]]*\]\s*)*[^,{}]+?)\s*,"
    r"(?:\s*inspect_params:\s*\w+\s*,)?\s*response:\s*(?P<response>[^,{}]+?)\s*,?\s*\}"
    r"|\((?P<payload>[^()]+)\))?\s*(?:,|$)"
)


def macro_body(source: str, macro: str) -> str:
    """The text between the braces of the invocation ``macro! { ... }``."""
    start = source.find(f"{macro}! {{")
    if start < 0:
        raise InputError(f"{COMMON_RS}: no `{macro}!` invocation found")
    depth = 0
    for index in range(source.index("{", start), len(source)):
        char = source[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return source[source.index("{", start) + 1 : index]
    raise InputError(f"{COMMON_RS}: unbalanced braces in `{macro}!`")


def parse_macro_methods(body: str) -> list[MacroMethod]:
    """Entries of a ``*_definitions!`` body (comments and attributes dropped)."""
    text = re.sub(r"//[^\n]*", "", body)
    text = re.sub(r"#\[experimental\([^)]*\)\]", "", text)
    out: list[MacroMethod] = []
    for match in _ENTRY.finditer(text):
        variant = match.group("variant")
        wire = match.group("wire") or variant[:1].lower() + variant[1:]
        params = match.group("params") or match.group("payload")
        if params is not None:
            params = re.sub(r"#\[[^\]]*\]\s*", "", params).strip()
        response = match.group("response")
        out.append(MacroMethod(variant, wire, params, response.strip() if response else None))
    return out


def _leaf(rust_type: str | None) -> str | None:
    if rust_type is None:
        return None
    return rust_type.strip().rsplit("::", 1)[-1]


def optional_params(bundle: SchemaBundle, name: str) -> list[str]:
    """Methods of a message enum whose ``params`` may be left out (not required)."""
    out: list[str] = []
    for member in bundle.members(name):
        props = member.get("properties") or {}
        method = props.get("method", {}).get("enum", [None])[0]
        if (
            isinstance(method, str)
            and "params" in props
            and "params" not in member.get("required", [])
        ):
            out.append(method)
    return out


def _member_methods(bundle: SchemaBundle, name: str) -> list[tuple[str, str | None]]:
    """(method, params definition) of each member of a message enum, in bundle order."""
    out: list[tuple[str, str | None]] = []
    for member in bundle.members(name):
        props = member.get("properties") or {}
        method = props.get("method", {}).get("enum", [None])[0]
        if not isinstance(method, str):
            continue
        params, _ = split_null(props.get("params"))
        params_name = (
            ref_name(str(params["$ref"]))
            if isinstance(params, Mapping) and "$ref" in params
            else None
        )
        out.append((method, params_name))
    return out


def _merge_order(bundle_order: list[str], rust: list[MacroMethod], keep: set[str]) -> list[str]:
    """The bundle's methods, plus ``keep`` Rust-only methods after their Rust predecessor."""
    merged = list(bundle_order)
    previous: str | None = None
    for method in rust:
        if method.wire in keep and method.wire not in merged:
            at = merged.index(previous) + 1 if previous in merged else len(merged)
            merged.insert(at, method.wire)
        previous = method.wire
    return merged


def method_tables(source: str, bundle: SchemaBundle, commit: str, version: str) -> str:
    """The body of ``methods.py``."""
    client = parse_macro_methods(macro_body(source, "client_request_definitions"))
    server_req = parse_macro_methods(macro_body(source, "server_request_definitions"))
    server_note = parse_macro_methods(macro_body(source, "server_notification_definitions"))
    client_note = parse_macro_methods(macro_body(source, "client_notification_definitions"))
    defs = set(bundle.definitions)

    def response_for(params: str | None, rust: MacroMethod | None) -> str | None:
        if rust is not None and _leaf(rust.response) in defs:
            return _leaf(rust.response)
        if params is not None and params.endswith("Params"):
            candidate = params[: -len("Params")] + "Response"
            if candidate in defs:
                return candidate
        return None

    def request_table(name: str, rust: list[MacroMethod], const: str) -> str:
        by_wire = {m.wire: m for m in rust}
        members = dict(_member_methods(bundle, name))
        # upstream leaves v1 methods out of its schema export; the binary still accepts them
        v1_only = {m.wire for m in rust if (m.params or "").startswith("v1::")}
        order = _merge_order(list(members), rust, v1_only)
        rows = []
        for wire in order:
            params = members.get(wire)
            response = response_for(params, by_wire.get(wire)) if wire in members else None
            rows.append(f"    {wire!r}: ({params!r}, {response!r}),\n")
        text = _macro_text(source, name) + json.dumps(bundle.get(name), sort_keys=True)
        added = sorted(set(members) - set(by_wire))
        note = f"{version}: methods from the binary's JSON Schema ({len(added)} not in the pinned macro)"
        return (
            f"# ferry: {_table_link(name)} @ {commit[:12]} {item_hash(text)[:8]} -- {note}\n"
            f"{const}: Final[dict[str, tuple[str | None, str | None]]] = {{\n{''.join(rows)}}}\n"
        )

    def notification_table(name: str, rust: list[MacroMethod], const: str) -> str:
        members = _member_methods(bundle, name)
        rows = "".join(f"    {wire!r}: {params!r},\n" for wire, params in members)
        if not members:  # the bundle has no entry: the pinned macro's own list
            rows = "".join(f"    {m.wire!r}: {_leaf(m.params)!r},\n" for m in rust)
        text = _macro_text(source, name) + json.dumps(bundle.get(name), sort_keys=True)
        note = f"{version}: methods from the binary's JSON Schema"
        return (
            f"# ferry: {_table_link(name)} @ {commit[:12]} {item_hash(text)[:8]} -- {note}\n"
            f"{const}: Final[dict[str, str | None]] = {{\n{rows}}}\n"
        )

    parts = [
        "# fmt: off\n",
        '"""JSON-RPC method tables of the app-server protocol: method -> type names in ``v2``.\n\n'
        "Client requests and server requests map to ``(params, response)``; notifications to\n"
        "their params. Order is upstream's declaration order (serde's error messages list it).\n"
        '"""\n\n',
        "from __future__ import annotations\n\nfrom typing import Final\n\n",
        request_table("ClientRequest", client, "CLIENT_REQUESTS"),
        "\n",
        _optional_table(bundle, source, commit, version),
        "\n",
        request_table("ServerRequest", server_req, "SERVER_REQUESTS"),
        "\n",
        notification_table("ServerNotification", server_note, "SERVER_NOTIFICATIONS"),
        "\n",
        notification_table("ClientNotification", client_note, "CLIENT_NOTIFICATIONS"),
    ]
    return "".join(parts)


def _optional_table(bundle: SchemaBundle, source: str, commit: str, version: str) -> str:
    methods = optional_params(bundle, "ClientRequest")
    text = _macro_text(source, "ClientRequest") + json.dumps(methods)
    rows = "".join(f"    {m!r},\n" for m in methods)
    return (
        f"# ferry: {_table_link('ClientRequest')} @ {commit[:12]} {item_hash(text)[:8]} -- "
        f"{version}: requests whose params may be left out\n"
        f"CLIENT_REQUESTS_OPTIONAL_PARAMS: Final[frozenset[str]] = frozenset({{\n{rows}}})\n"
    )


def _macro_text(source: str, name: str) -> str:
    return macro_body(source, MESSAGE_MACROS[name])


def _table_link(name: str) -> str:
    """A method table renders the ``*_definitions!`` invocation that declares the enum."""
    return f"{COMMON_PATH}::{MESSAGE_MACROS[name]}!{{}}"


# ---------------------------------------------------------------------- the package


def version_of(bundle: SchemaBundle) -> str:
    """``codex-cli 0.169.0`` -> ``0.169.0`` (the marker notes' prefix)."""
    found = re.search(r"\d+\.\d+\.\d+\S*", bundle.source)
    return found.group(0) if found else bundle.source


def generate_app_server_protocol(
    git_dir: Any, bundle: SchemaBundle, *, commit: str = "HEAD", crates: Sequence[str] = CRATES
) -> GeneratedProtocol:
    """The generated files of ``pycodex.app_server.protocol`` (name -> text)."""
    tree = GitTree(git_dir, commit)
    registry = load_crates(tree, list(crates))
    version = version_of(bundle)
    overlay = overlay_protocol(registry, bundle, version)
    types_text = render_module(
        overlay.defs,
        commit=tree.commit,
        docstring=(
            "The app-server protocol's wire types (JSON-RPC v2) as pydantic models.\n\n"
            "Translated from the pinned Rust declarations; where the binary the port follows\n"
            f"({bundle.source}) has another shape, brought to its JSON Schema (the marker says so).\n"
            'Serialize with ``model_dump(mode="json", by_alias=True)``.'
        ),
        notes=overlay.notes,
        links=overlay.links,
        port_only=overlay.port_only,
    )
    first, _, body = types_text.partition("\n")
    if first != GENERATED_HEADER:
        raise InputError("render_module no longer starts with the generated-by header")
    methods_body = method_tables(tree.read(COMMON_RS), bundle, tree.commit, version)
    return GeneratedProtocol(
        files={
            "v2.py": with_header(body, tree.commit, bundle),
            "methods.py": with_header(methods_body, tree.commit, bundle),
        },
        overlay=overlay,
    )
