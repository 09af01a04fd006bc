"""Predictions JSONL as the official ``swebench`` evaluator reads it.

``swebench.harness.run_evaluation`` keys every row by ``instance_id`` and reads
``model_name_or_path`` (part of its log paths) and ``model_patch`` (the diff; empty
means "no patch"), the names of its ``KEY_INSTANCE_ID``/``KEY_MODEL``/``KEY_PREDICTION``
constants. It rejects predictions whose ids are not in the dataset, and a second row
for an id silently replaces the first. :func:`prediction_errors` applies those rules
before the file is written, so a file that would be misread is never produced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

KEY_INSTANCE_ID = "instance_id"
KEY_MODEL = "model_name_or_path"
KEY_PREDICTION = "model_patch"
FIELDS = (KEY_INSTANCE_ID, KEY_MODEL, KEY_PREDICTION)


def prediction_errors(rows: Iterable[Mapping[str, Any]], dataset_ids: Iterable[str]) -> list[str]:
    """Why the official evaluator would reject or misread these rows (empty when it would not)."""
    known = set(dataset_ids)
    seen: set[str] = set()
    errors: list[str] = []
    for n, row in enumerate(rows, 1):
        missing = [k for k in FIELDS if k not in row]
        if missing:
            errors.append(f"row {n}: missing {', '.join(missing)}")
            continue
        extra = sorted(set(row) - set(FIELDS))
        if extra:
            errors.append(f"row {n}: unexpected field(s) {', '.join(extra)}")
        for key in FIELDS:
            if not isinstance(row[key], str):
                errors.append(f"row {n}: {key} must be a string")
        ident = row[KEY_INSTANCE_ID]
        if not row[KEY_MODEL]:
            errors.append(f"row {n}: {KEY_MODEL} is empty (the evaluator names its logs by it)")
        if ident in seen:
            errors.append(f"row {n}: {ident} appears twice (the evaluator keeps only the last)")
        seen.add(ident)
        if known and ident not in known:
            errors.append(f"row {n}: {ident} is not in the dataset")
    return errors


def predictions_jsonl(rows: Iterable[Mapping[str, Any]]) -> str:
    return "".join(json.dumps({k: row[k] for k in FIELDS}) + "\n" for row in rows)
