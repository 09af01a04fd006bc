"""Terminal-Bench runs: trials, results.json, concurrency and resumption."""
