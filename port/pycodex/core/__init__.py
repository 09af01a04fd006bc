"""The agent loop and its rollout recording."""
