"""Validate: gates, parity oracle, benchmark runners and execution environments."""
