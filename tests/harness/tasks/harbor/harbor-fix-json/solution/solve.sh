#!/bin/bash
# Uses a file shipped beside solve.sh: Harbor uploads the whole solution/ directory.
cp /solution/fixed.json /app/config.json
