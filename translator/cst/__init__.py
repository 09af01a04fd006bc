"""libcst checks and byte-preserving merges of translated Python."""
