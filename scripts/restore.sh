#!/usr/bin/env bash
# make restore BACKUP=<file>: replace the database at DATABASE_URL with the dump's content.
# Stop the services and workers first; the restore runs in one transaction, so a failure leaves the
# database as it was.
set -euo pipefail
url="${DATABASE_URL:?DATABASE_URL must point at PostgreSQL}"
url="${url/postgresql+psycopg:/postgresql:}"
file="${BACKUP:?give the dump file: make restore BACKUP=var/backups/jobbro-....dump}"
[ -f "$file" ] || { echo "restore: no such file $file"; exit 2; }
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$url" "$file"
echo "restored $file"
