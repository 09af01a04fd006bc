"""The ``apply_patch`` tool definition codex sends to the model.

``APPLY_PATCH_TOOL`` is exactly the object the Rust ``codex`` 0.169.0 binary puts
in the ``tools`` array of its ``POST /v1/responses`` body (model ``gpt-5.5``): a
freeform (``custom``) tool whose input is constrained by the lark grammar in
``apply_patch.lark`` (kept byte-for-byte, including its final newline).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

APPLY_PATCH_TOOL_NAME = "apply_patch"
APPLY_PATCH_TOOL_DESCRIPTION = (
    "The `apply_patch` tool can be used to edit files. "
    "This is a FREEFORM tool, so do not wrap the patch in JSON."
)


def _load_grammar() -> str:
    return resources.files(__package__).joinpath("apply_patch.lark").read_text(encoding="utf-8")


#: The lark grammar of the patch format (what the model's output is constrained to).
APPLY_PATCH_LARK_GRAMMAR: str = _load_grammar()


# ferry: codex_tools::apply_patch_tool::create_apply_patch_freeform_tool @ 1d092cb66
def apply_patch_tool() -> dict[str, Any]:
    """A fresh copy of :data:`APPLY_PATCH_TOOL` (safe to mutate)."""
    return {
        "type": "custom",
        "name": APPLY_PATCH_TOOL_NAME,
        "description": APPLY_PATCH_TOOL_DESCRIPTION,
        "format": {
            "type": "grammar",
            "syntax": "lark",
            "definition": APPLY_PATCH_LARK_GRAMMAR,
        },
    }


APPLY_PATCH_TOOL: dict[str, Any] = apply_patch_tool()
