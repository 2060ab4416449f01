#!/usr/bin/env bash
# One PostgreSQL database and one login role per Jobbro service that keeps data: crm, matching and
# notifications (web keeps none). Each database is owned by its role, and CONNECT is revoked from
# PUBLIC, so a service's role cannot open another service's database; the roles are neither
# superusers nor allowed to create databases or roles.
#
# docker-compose.yml mounts this file into /docker-entrypoint-initdb.d, where the postgres image
# runs it once, when the data volume is new. It may be run again at any time (it is idempotent and
# sets the passwords anew, e.g. after a rotation):
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-jobbro-databases.sh
# The passwords come from CRM_DB_PASSWORD, MATCHING_DB_PASSWORD and NOTIFICATIONS_DB_PASSWORD.
# Works executed or sourced (the image sources scripts that lack the executable bit).
set -Eeo pipefail

jobbro_service_database() {
	local name="$1" password="$2"
	if [ -z "$password" ]; then
		echo "init-databases: no password for the '$name' role (set ${name^^}_DB_PASSWORD)" >&2
		return 1
	fi
	# psql variables (:"name" quotes an identifier, :'pw' a literal), so a password is never
	# pasted into SQL text.
	psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
		--username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
		--set=svc="$name" --set=pw="$password" <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'svc') AS new_role \gset
\if :new_role
CREATE ROLE :"svc" LOGIN PASSWORD :'pw';
\else
ALTER ROLE :"svc" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'svc') AS new_db \gset
\if :new_db
CREATE DATABASE :"svc" OWNER :"svc";
\endif
ALTER DATABASE :"svc" OWNER TO :"svc";
REVOKE ALL ON DATABASE :"svc" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"svc" TO :"svc";
SQL
	echo "init-databases: database '$name' owned by role '$name'; CONNECT only for '$name'"
}

jobbro_service_database crm "$CRM_DB_PASSWORD"
jobbro_service_database matching "$MATCHING_DB_PASSWORD"
jobbro_service_database notifications "$NOTIFICATIONS_DB_PASSWORD"

# The maintenance database is the superuser's alone.
psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" \
	--dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
	--command 'REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC'
