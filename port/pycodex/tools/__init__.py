"""The tools offered to the model and their handlers."""
