#!/bin/bash
printf '%s\n' "${GREETING^^}" > /app/out/greeting.txt
