"""What the model is told: base instructions, permissions, AGENTS.md and environment context."""
