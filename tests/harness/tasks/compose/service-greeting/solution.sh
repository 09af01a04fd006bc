#!/bin/bash
for i in $(seq 1 30); do
  python3 -c "import urllib.request; open('greeting.txt', 'wb').write(urllib.request.urlopen('http://greeter:8000/greeting.txt').read())" && break
  sleep 1
done
