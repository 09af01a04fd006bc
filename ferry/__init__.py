"""ferry: keeps a Python port in step with its fast-moving Rust upstream."""

__version__ = "0.1.0"
