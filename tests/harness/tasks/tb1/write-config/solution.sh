#!/bin/bash
cat > /app/service.ini <<'INI'
[service]
name = ferry
port = 8080
INI
cat > /app/run.sh <<'SH'
#!/bin/bash
name=$(sed -n 's/^name = //p' /app/service.ini)
port=$(sed -n 's/^port = //p' /app/service.ini)
echo "$name:$port"
SH
chmod +x /app/run.sh
