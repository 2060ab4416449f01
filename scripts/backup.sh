#!/usr/bin/env bash
# make backup: a consistent PostgreSQL dump (custom format) of DATABASE_URL into BACKUP_DIR.
# pg_dump takes a snapshot, so services may keep running while it works.
set -euo pipefail
url="${DATABASE_URL:?DATABASE_URL must point at PostgreSQL}"
url="${url/postgresql+psycopg:/postgresql:}"
case "$url" in postgresql://*|postgres://*) ;; *) echo "backup: DATABASE_URL is not PostgreSQL ($url)"; exit 2;; esac
dir="${BACKUP_DIR:-var/backups}"
mkdir -p "$dir"
file="$dir/jobbro-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$url"
mv "$file.partial" "$file"   # a half-written dump never looks like a backup
echo "$file"
