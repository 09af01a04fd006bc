"""``model/list``: the models codex offers, from the model catalog the port ships.

The presets (``model_presets.json``, extracted from the pinned binary's ``codex debug
models`` by ``scripts/gen_model_presets.py``) list every model with its visibility and
priority; ``model/list`` shows the ``list``-visible ones by priority, the first being the
default.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from pycodex.app_server.wire import INTERNAL_ERROR, RpcError, invalid_request

JsonObject = dict[str, Any]


# ferry: codex_models_manager::manager::ModelsManager::list_models @ 1d092cb66 -- 0.169.0: the bundled catalog
def catalog() -> list[JsonObject]:
    """The catalog's models, or an error saying it is missing from this build."""
    try:
        text = (
            resources.files("pycodex.app_server")
            .joinpath("model_presets.json")
            .read_text(encoding="utf-8")
        )
    except (FileNotFoundError, OSError):
        raise RpcError(
            INTERNAL_ERROR,
            "model presets missing from this build (pycodex/app_server/model_presets.json)",
        ) from None
    models = json.loads(text).get("models", [])
    return [m for m in models if isinstance(m, dict)]


# ferry: codex_app_server_protocol::protocol::v2::Model @ 1d092cb66 -- 0.169.0 fields
def model_entry(model: JsonObject, *, is_default: bool) -> JsonObject:
    levels = model.get("supported_reasoning_levels") or []
    nux = model.get("availability_nux")
    upgrade = model.get("upgrade") if isinstance(model.get("upgrade"), dict) else None
    return {
        "id": model["slug"],
        "model": model["slug"],
        "upgrade": upgrade.get("model") if upgrade else None,
        "upgradeInfo": {
            "model": upgrade.get("model"),
            "upgradeCopy": upgrade.get("upgrade_copy"),
            "modelLink": upgrade.get("model_link"),
            "migrationMarkdown": upgrade.get("migration_markdown"),
            "retirementAt": upgrade.get("retirement_at"),
        }
        if upgrade
        else None,
        "availabilityNux": nux if isinstance(nux, dict) else None,
        "displayName": model.get("display_name") or model["slug"],
        "description": model.get("description") or "",
        "modelSpecialty": None,
        "hidden": model.get("visibility") != "list",
        "supportedReasoningEfforts": [
            {"reasoningEffort": level.get("effort"), "description": level.get("description", "")}
            for level in levels
            if isinstance(level, dict)
        ],
        "defaultReasoningEffort": model.get("default_reasoning_level"),
        "inputModalities": model.get("input_modalities") or ["text"],
        "supportsPersonality": False,
        "multiAgentVersion": model.get("multi_agent_version"),
        "additionalSpeedTiers": model.get("additional_speed_tiers") or [],
        "serviceTiers": model.get("service_tiers") or [],
        "defaultServiceTier": model.get("default_service_tier"),
        "availableAccessPrograms": None,
        "isDefault": is_default,
    }


# ferry: codex_app_server::models::supported_models @ 1d092cb66
# ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::list_models @ 1d092cb66 -- hidden models and paging
def list_models(params: Any) -> JsonObject:
    include_hidden = bool(getattr(params, "include_hidden", False))
    models = sorted(catalog(), key=lambda m: (int(m.get("priority") or 0), str(m.get("slug"))))
    shown = [m for m in models if include_hidden or m.get("visibility") == "list"]
    cursor = getattr(params, "cursor", None) or "0"
    if not str(cursor).isdigit():
        raise invalid_request(f"invalid cursor: {cursor}")
    start = int(cursor)
    limit = getattr(params, "limit", None)
    end = start + limit if isinstance(limit, int) and limit > 0 else len(shown)
    page = shown[start:end]
    return {
        "data": [model_entry(m, is_default=start + i == 0) for i, m in enumerate(page)],
        "nextCursor": str(end) if end < len(shown) else None,
    }
