"""SWE-bench style runs: instances, agent patches, predictions and a local evaluator."""
