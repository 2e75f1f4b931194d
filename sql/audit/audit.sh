#!/usr/bin/env bash
# `make audit`: prints sql/audit/rls_report.sql for DATABASE_URL or, when that is unset, for the
# development database of a running `make run` (PostgreSQL under .data/, or its Docker container).
# Exit status: 0 no breach; 2 no database to report on; 3 breaches found (or the report failed).
set -euo pipefail
cd "$(dirname "$0")/../.." # the repository's root, where make run keeps .data/

url="${DATABASE_URL:-}"
if [[ -z $url ]]; then
  data="${EXAMINER_DATA_DIR:-.data}"
  pidfile="$data/postgres/data/postmaster.pid"
  if [[ -r $pidfile ]] && kill -0 "$(head -n 1 "$pidfile")" 2>/dev/null; then
    # make run's own PostgreSQL: line 4 of postmaster.pid is its port; its superuser's password
    # is kept beside the data directory.
    port=$(sed -n 4p "$pidfile")
    pwfile="$data/postgres/data.password"
  elif command -v docker >/dev/null 2>&1 &&
    [[ $(docker inspect -f '{{.State.Running}}' examiner-dev-postgres 2>/dev/null) == true ]]; then
    port=$(docker port examiner-dev-postgres 5432/tcp | head -n 1)
    port=${port##*:}
    pwfile="$data/docker-postgres.password"
  else
    echo "make audit: DATABASE_URL is unset and the development database of make run is not running." >&2
    echo "  Report on a database:         DATABASE_URL=postgres://user@host:5432/examiner make audit" >&2
    echo "  or on the development one:    make run (in another terminal), then make audit" >&2
    exit 2
  fi
  if [[ ! -r $pwfile ]]; then
    echo "make audit: the development database is running on port $port but its password file $pwfile is not readable" >&2
    exit 2
  fi
  PGPASSWORD=$(<"$pwfile")
  export PGPASSWORD
  url="postgres://postgres@127.0.0.1:$port/examiner?sslmode=disable"
  echo "make audit: DATABASE_URL is unset: reporting on the development database of make run (127.0.0.1:$port/examiner)"
  echo
fi
exec psql "$url" -X -q -f sql/audit/rls_report.sql
