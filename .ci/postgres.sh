#!/usr/bin/env bash
# Installs (Debian packages), starts and prepares a local PostgreSQL for the storage tests, then
# prints the URL to use as TEST_DATABASE_URL on stdout. Everything else goes to stderr.
# Idempotent: run it as root on a fresh Debian machine or again on a prepared one.
#
#   export TEST_DATABASE_URL="$(bash .ci/postgres.sh)"
#
# Settings (environment): LOANGUARD_PG_USER, LOANGUARD_PG_PASSWORD, LOANGUARD_PG_DB.
set -euo pipefail

user="${LOANGUARD_PG_USER:-loanguard}"
password="${LOANGUARD_PG_PASSWORD:-loanguard}"
db="${LOANGUARD_PG_DB:-loanguard_test}"
export DEBIAN_FRONTEND=noninteractive

log() { echo "postgres.sh: $*" >&2; }

# Identifiers and the password go into SQL literals: allow only safe characters.
for value in "$user" "$password" "$db"; do
    if [[ ! "$value" =~ ^[A-Za-z0-9_]+$ ]]; then
        log "LOANGUARD_PG_USER, LOANGUARD_PG_PASSWORD and LOANGUARD_PG_DB may hold only [A-Za-z0-9_]"
        exit 2
    fi
done

# 1. Install the server (the postgresql metapackage brings Debian's supported version and
#    creates a "main" cluster).
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || ! command -v pg_lsclusters >/dev/null; then
    log "installing postgresql"
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

# 2. Make sure a cluster exists; pick the first one.
if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    version="$(basename "$(ls -d /usr/lib/postgresql/*/ | sort -V | tail -n 1)")"
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
fi
read -r version cluster port status _ < <(pg_lsclusters -h | head -n 1)

# 3. Start it (no systemd needed: pg_ctlcluster runs the server as the postgres user).
if [ "$status" != "online" ]; then
    log "starting cluster $version/$cluster on port $port"
    pg_ctlcluster "$version" "$cluster" start >&2
fi
for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
        break
    fi
    sleep 0.5
done
if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
    log "PostgreSQL did not become ready on port $port"
    exit 1
fi

# 4. A login role with a password (the default pg_hba.conf allows scram-sha-256 on 127.0.0.1)
#    and a database it owns.
psql_admin() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != "1" ]; then
    log "creating role $user"
    psql_admin -c "CREATE ROLE $user LOGIN PASSWORD '$password'" >&2
else
    psql_admin -c "ALTER ROLE $user LOGIN PASSWORD '$password'" >&2
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
    log "creating database $db"
    psql_admin -c "CREATE DATABASE $db OWNER $user" >&2
fi
# PostgreSQL 15 no longer lets every role create in the public schema; the owner of the
# database may, and the tests create one schema per test.
psql_admin -d "$db" -c "GRANT ALL ON SCHEMA public TO $user" >&2

echo "postgres://$user:$password@127.0.0.1:$port/$db?sslmode=disable"
