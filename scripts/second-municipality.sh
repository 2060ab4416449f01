#!/usr/bin/env bash
# Run a command as `make run-cooperation`'s second demo municipality (Jobcenter Vordingborg, 390):
# its own SQLite files and installation id under var/vordingborg (so its own Redis namespace), its
# own secret key, and ports 8100 (web), 8101 (crm), 8102 (matching). docs/cooperation.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/vordingborg
export JOBBRO_DATA_DIR="$PWD/var/vordingborg"
export DATABASE_URL="sqlite:///$PWD/var/vordingborg/jobbro.sqlite3"
unset CRM_DATABASE_URL MATCHING_DATABASE_URL NOTIFICATIONS_DATABASE_URL JOBBRO_INSTALLATION_ID
export JOBBRO_MUNICIPALITY_CODE=390 JOBBRO_JOBCENTRE_NAME="Jobcenter Vordingborg"
export JOBBRO_SECRET_KEY="${JOBBRO_SECOND_SECRET_KEY:-dev-insecure-vordingborg-change-me}"
# Open the second web front as http://localhost:8100 (the first as http://127.0.0.1:8000): browsers
# keep cookies per host name, not per port, so the two logins stay apart.
# The development sign-in providers know the first municipality's web front only: the second signs in
# with the passwords scripts/cooperation_demo.py gives its staff.
unset $(compgen -v OIDC_) || true
export CRM_URL=http://127.0.0.1:8101 MATCHING_URL=http://127.0.0.1:8102 WEB_URL=http://localhost:8100
exec "$@"
