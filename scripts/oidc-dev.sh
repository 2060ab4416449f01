#!/usr/bin/env bash
# The development OpenID Connect providers for `make run` (infra/oidc-dev, never for production):
#   scripts/oidc-dev.sh company PORT   the MitID Erhverv broker (NemLog-in stand-in)
#   scripts/oidc-dev.sh staff PORT     the municipality's staff provider (Entra ID stand-in)
# Jobbro's web must be at WEB_URL (default http://127.0.0.1:8000). The company persons of the demo
# companies come from var/oidc-dev/identities.json (`python -m services.crm demo-identities`).
set -euo pipefail
instance="$1"; port="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$here/infra/oidc-dev"
if ! command -v node >/dev/null; then
  echo "oidc-dev: node (>= 20) is not installed; the sign-in buttons will not work (apt-get install nodejs npm)"
  exec sleep infinity
fi
if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
extra=()
if [ -f "$here/var/oidc-dev/identities.json" ]; then extra=(--identities "$here/var/oidc-dev/identities.json"); fi
exec node "$dir/server.mjs" --instance "$instance" --port "$port" --rp "${WEB_URL:-http://127.0.0.1:8000}" "${extra[@]}"
