#!/bin/sh
# Run once by the postgres image when its data directory is first made.
# The application connects as dps_app: not a superuser, not the owner of the schema, so it
# cannot switch off the audit trail's append-only trigger. Its table rights are granted after
# the migrations by `flask --app wsgi grant-app-role dps_app` (the compose `migrate` service).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$DPS_APP_PASSWORD" -v dbname="$POSTGRES_DB" <<'SQL'
CREATE ROLE dps_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"dbname" TO dps_app;
SQL
