#!/bin/bash
# Offline verifier reporting through reward.json.
cd /app
if python3 -m pytest /tests/test_outputs.py -rA; then
  echo '{"reward": 1.0}' > /logs/verifier/reward.json
else
  echo '{"reward": 0.0}' > /logs/verifier/reward.json
fi
