#!/bin/bash
echo 'Hello from Harbor' > /app/hello.txt
