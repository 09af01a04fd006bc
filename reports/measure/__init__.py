"""Fresh measurements behind Tables VI, VII and X: pycodex beside the Rust binary.

``make bench`` (``benchmarks/bench_paper_*.py``) and ``ferry report --measure`` run the same
functions and store one JSON artifact per table (format-tagged, with the config and the
machine's load), which ``ferry report`` reads. Nothing here asserts a speed: the figures are
printed and stored, never turned into pass/fail.
"""
