"""Diff and Translate: item-level Rust diffs, plans, model backends, libcst merge, provenance."""
