#!/bin/bash
cat > /app/solution.py <<'PY'
def double(x):
    return 2 * x
PY
