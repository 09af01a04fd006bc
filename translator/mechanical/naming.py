"""serde's ``rename_all`` rules and Python-safe identifiers."""

from __future__ import annotations

import keyword
import re

from pydantic import BaseModel

_RESERVED = {name for name in dir(BaseModel) if not name.startswith("_")} | {"model_config"}
_PASCAL_SPLIT = re.compile(r"(?<!^)(?=[A-Z])")


def rename_variant(name: str, rule: str | None) -> str:
    """Apply a serde ``rename_all`` rule to a PascalCase variant name."""
    if not rule:
        return name
    snake = _PASCAL_SPLIT.sub("_", name).lower()
    match rule:
        case "lowercase":
            return name.lower()
        case "UPPERCASE":
            return name.upper()
        case "PascalCase":
            return name
        case "camelCase":
            return name[:1].lower() + name[1:]
        case "snake_case":
            return snake
        case "SCREAMING_SNAKE_CASE":
            return snake.upper()
        case "kebab-case":
            return snake.replace("_", "-")
        case "SCREAMING-KEBAB-CASE":
            return snake.replace("_", "-").upper()
    return name


def rename_field(name: str, rule: str | None) -> str:
    """Apply a serde ``rename_all`` rule to a snake_case field name."""
    if not rule:
        return name
    pascal = "".join(part[:1].upper() + part[1:] for part in name.split("_"))
    match rule:
        case "lowercase" | "snake_case":
            return name
        case "UPPERCASE" | "SCREAMING_SNAKE_CASE":
            return name.upper()
        case "PascalCase":
            return pascal
        case "camelCase":
            return pascal[:1].lower() + pascal[1:]
        case "kebab-case":
            return name.replace("_", "-")
        case "SCREAMING-KEBAB-CASE":
            return name.replace("_", "-").upper()
    return name


def python_field_name(name: str) -> str:
    """A valid, non-shadowing Python attribute for a Rust field (``type`` -> ``type_``)."""
    cleaned = re.sub(r"\W", "_", name.removeprefix("r#"))
    if cleaned[:1].isdigit():
        cleaned = f"f{cleaned}"
    if keyword.iskeyword(cleaned) or cleaned in _RESERVED:
        cleaned += "_"
    if cleaned.startswith("_"):
        cleaned = f"f{cleaned}"
    return cleaned


def enum_member_name(value: str) -> str:
    """An ``enum.Enum`` member name for a serialized variant value."""
    cleaned = re.sub(r"\W", "_", _PASCAL_SPLIT.sub("_", value)).upper().strip("_") or "EMPTY"
    cleaned = re.sub(r"_+", "_", cleaned)
    if cleaned[:1].isdigit() or keyword.iskeyword(cleaned.lower()):
        cleaned = f"V_{cleaned}"
    return cleaned
