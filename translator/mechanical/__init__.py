"""The ``mechanical`` backend: deterministic Rust declaration -> pydantic v2 translation."""
