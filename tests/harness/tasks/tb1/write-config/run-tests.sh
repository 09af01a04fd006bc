#!/bin/bash
# Offline variant of the Terminal-Bench template: pytest comes from the environment.
python3 -m pytest "$TEST_DIR/test_outputs.py" -rA
