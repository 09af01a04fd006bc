#!/bin/bash
# Offline verifier: pytest comes from the environment; the reward is 1 only if all tests pass.
cd /app
python3 -m pytest /tests/test_outputs.py -rA
if [ $? -eq 0 ]; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
