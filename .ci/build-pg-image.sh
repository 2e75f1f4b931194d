#!/usr/bin/env bash
# Build a local PostgreSQL 15 Docker image (default tag examiner/postgres:15)
# that behaves like the official `postgres` image for the subset the tests use,
# without any image registry: the root filesystem is made with debootstrap from
# the Debian archive that apt on this machine already uses, then `docker import`ed.
#
# Usage: .ci/build-pg-image.sh [TAG] [--force]
set -euo pipefail

log() { echo "build-pg-image: $*"; }
die() { echo "build-pg-image: ERROR: $*" >&2; exit 1; }

TAG=""
FORCE=0
for arg in "$@"; do
    case "$arg" in
        --force|-f) FORCE=1 ;;
        -h|--help)
            echo "usage: $0 [TAG] [--force]   (default TAG examiner/postgres:15)"; exit 0 ;;
        -*) die "unknown option: $arg" ;;
        *) [[ -z "$TAG" ]] || die "more than one tag given"; TAG="$arg" ;;
    esac
done
TAG="${TAG:-examiner/postgres:15}"
SUITE=bookworm
PG_MAJOR=15

if [[ "$FORCE" -eq 0 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
    log "image $TAG already exists locally ($(docker image inspect -f '{{.Id}}' "$TAG")); not rebuilding (use --force to rebuild)"
    exit 0
fi

old_image_id="$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)"

[[ "$(id -u)" -eq 0 ]] || die "must run as root (debootstrap and chroot need it)"
docker info >/dev/null 2>&1 || die "Docker daemon is not reachable (docker info failed)"

start_ts=$(date +%s)

# ---------------------------------------------------------------- debootstrap
if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || log "warning: apt-get update failed, trying the install anyway"
    apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    command -v debootstrap >/dev/null 2>&1 || die "debootstrap could not be installed"
fi

# ------------------------------------------------- archive URLs from apt config
MIRROR=""
SECURITY_MIRROR=""
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
    # deb822 stanzas: take URIs of stanzas whose URI is the main archive or the security archive.
    while read -r uri; do
        case "$uri" in
            *security*) [[ -n "$SECURITY_MIRROR" ]] || SECURITY_MIRROR="$uri" ;;
            */debian|*/debian/) [[ -n "$MIRROR" ]] || MIRROR="$uri" ;;
        esac
    done < <(awk 'tolower($1)=="uris:" { for (i = 2; i <= NF; i++) print $i }' "$f")
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    while read -r uri; do
        case "$uri" in
            *security*) [[ -n "$SECURITY_MIRROR" ]] || SECURITY_MIRROR="$uri" ;;
            */debian|*/debian/) [[ -n "$MIRROR" ]] || MIRROR="$uri" ;;
        esac
    done < <(awk '$1=="deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/ && $i ~ /:\/\//) { print $i; break } }' "$f")
done
shopt -u nullglob
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
MIRROR="${MIRROR%/}"
SECURITY_MIRROR="${SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}"
SECURITY_MIRROR="${SECURITY_MIRROR%/}"
log "tag=$TAG suite=$SUITE mirror=$MIRROR security=$SECURITY_MIRROR"

# -------------------------------------------------------------- temp dir etc.
WORK="$(mktemp -d /var/tmp/build-pg-image.XXXXXX)"
ROOT="$WORK/root"

unmount_all() {
    # Unmount everything below $ROOT (deepest first) so rm cannot reach the host.
    local m
    if [[ -d "$ROOT" ]]; then
        while read -r m; do
            umount -l "$m" 2>/dev/null || true
        done < <(awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
    fi
}
cleanup() {
    local rc=$?
    unmount_all
    if awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        echo "build-pg-image: WARNING: mounts remain below $ROOT, not deleting $WORK" >&2
    else
        rm -rf --one-file-system "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------- stage 1: minbase
log "debootstrap --variant=minbase $SUITE (this downloads ~100 packages)"
t0=$(date +%s)
if ! debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
    tail -n 40 "$WORK/debootstrap.log" >&2
    [[ -f "$ROOT/debootstrap/debootstrap.log" ]] && tail -n 40 "$ROOT/debootstrap/debootstrap.log" >&2
    die "debootstrap failed"
fi
log "debootstrap done in $(( $(date +%s) - t0 ))s"
unmount_all

# ------------------------------------------ stage 2: postgresql-15 + pgTAP
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
# No daemons may start inside the chroot while packages are configured.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
# Don't let postgresql-common create a "main" cluster: the entrypoint runs initdb.
mkdir -p "$ROOT/etc/postgresql-common/createcluster.d"
echo "create_main_cluster = false" >"$ROOT/etc/postgresql-common/createcluster.d/no-main-cluster.conf"
# Keep docs, man pages and translations out of the image.
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/01-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
cat >"$ROOT/etc/apt/apt.conf.d/01-ci" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"

in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 HOME=/root "$@"; }

# Same uid/gid as the official image (999), so bind-mounted data dirs match.
in_root groupadd -r --gid=999 postgres
in_root useradd -r -g postgres --uid=999 --home-dir=/var/lib/postgresql --shell=/bin/bash postgres
mkdir -p "$ROOT/var/lib/postgresql"
chown 999:999 "$ROOT/var/lib/postgresql"

log "apt-get install postgresql-$PG_MAJOR postgresql-$PG_MAJOR-pgtap in the root"
t0=$(date +%s)
if ! in_root apt-get update >"$WORK/apt.log" 2>&1 \
   || ! in_root apt-get install -y --no-install-recommends \
        "postgresql-$PG_MAJOR" "postgresql-$PG_MAJOR-pgtap" >>"$WORK/apt.log" 2>&1; then
    tail -n 40 "$WORK/apt.log" >&2
    die "apt-get install inside the root failed"
fi
log "packages installed in $(( $(date +%s) - t0 ))s: $(in_root dpkg-query -W -f '${Package}=${Version}\n' "postgresql-$PG_MAJOR" "postgresql-$PG_MAJOR-pgtap" | tr '\n' ' ')"
in_root apt-get clean
umount "$ROOT/proc"

# ---------------------------------------------------------------- trim
log "trimming docs, man pages, apt lists and caches"
rm -f "$ROOT/usr/sbin/policy-rc.d"
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb \
       "$ROOT"/var/cache/debconf/*-old "$ROOT"/var/lib/dpkg/*-old "$ROOT"/var/log/* \
       "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* "$ROOT"/usr/share/lintian \
       "$ROOT"/usr/share/i18n \
       "$ROOT"/tmp/* "$ROOT"/var/tmp/* "$ROOT"/debootstrap
find "$ROOT/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
find "$ROOT/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
: >"$ROOT/etc/resolv.conf"   # Docker bind-mounts its own

# Run-time dirs, as in the official image.
mkdir -p "$ROOT/var/run/postgresql" "$ROOT/var/lib/postgresql/data" "$ROOT/docker-entrypoint-initdb.d"
chown 999:999 "$ROOT/var/run/postgresql" "$ROOT/var/lib/postgresql/data"
chmod 3777 "$ROOT/var/run/postgresql"
chmod 1777 "$ROOT/var/lib/postgresql/data"

# ---------------------------------------------------------------- entrypoint
mkdir -p "$ROOT/usr/local/bin"
cat >"$ROOT/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/bash
# Minimal re-implementation of the official postgres image's entrypoint.
# Supports: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB (and their *_FILE
# variants), POSTGRES_HOST_AUTH_METHOD, POSTGRES_INITDB_ARGS, PGDATA,
# /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz, extra server args.
set -Eeo pipefail

export PATH="/usr/lib/postgresql/15/bin:$PATH"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

err() { echo "docker-entrypoint: error: $*" >&2; exit 1; }
note() { echo "docker-entrypoint: $*"; }

# file_env VAR [DEFAULT]: allow VAR_FILE to supply VAR (as the official image does).
file_env() {
    local var="$1" fileVar="${1}_FILE" def="${2:-}" val
    if [[ -n "${!var:-}" && -n "${!fileVar:-}" ]]; then
        err "both $var and $fileVar are set (but are exclusive)"
    fi
    val="$def"
    if [[ -n "${!var:-}" ]]; then
        val="${!var}"
    elif [[ -n "${!fileVar:-}" ]]; then
        val="$(< "${!fileVar}")"
    fi
    export "$var"="$val"
    unset "$fileVar"
}

# `docker run IMAGE -c fsync=off` -> postgres -c fsync=off
if [[ "${1:-}" == -* ]]; then
    set -- postgres "$@"
fi
[[ $# -gt 0 ]] || set -- postgres

if [[ "$1" != "postgres" ]]; then
    exec "$@"          # any other command (bash, psql, ...) runs as given
fi

if [[ "$(id -u)" == "0" ]]; then
    # As root: fix ownership, then re-run this script as the postgres user.
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    chmod 3777 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

# From here on we are the postgres user (or whatever --user the container has).
if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    file_env POSTGRES_PASSWORD
    file_env POSTGRES_USER postgres
    file_env POSTGRES_DB "$POSTGRES_USER"
    file_env POSTGRES_INITDB_ARGS
    auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

    if [[ -z "$POSTGRES_PASSWORD" && "$auth" != "trust" ]]; then
        cat >&2 <<'EOM'
docker-entrypoint: error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
       Or set POSTGRES_HOST_AUTH_METHOD=trust to allow all connections
       without a password (NOT recommended).
EOM
        exit 1
    fi

    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA" 2>/dev/null || true

    note "initialising database in $PGDATA (user=$POSTGRES_USER db=$POSTGRES_DB host auth=$auth)"
    initdb_args=(--username="$POSTGRES_USER" --encoding=UTF8 --locale=C.UTF-8
                 --auth-local=trust --auth-host="$auth")
    if [[ -n "$POSTGRES_PASSWORD" ]]; then
        pwfile="$(mktemp)"
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
        initdb_args+=(--pwfile="$pwfile")
    fi
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is word-split on purpose, as upstream does
    initdb "${initdb_args[@]}" $POSTGRES_INITDB_ARGS >/dev/null
    [[ -z "${pwfile:-}" ]] || rm -f "$pwfile"

    if [[ "$auth" == "md5" ]]; then
        echo "password_encryption = md5" >>"$PGDATA/postgresql.conf"
    fi
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

    # Temporary server reachable over the unix socket only: nobody can connect
    # over TCP before initialisation is complete.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start >/dev/null

    psql_base=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc -q)
    if [[ "$POSTGRES_DB" != "postgres" ]]; then
        db_exists="$("${psql_base[@]}" --dbname postgres -tA --set db="$POSTGRES_DB" \
            <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
        if [[ -z "$db_exists" ]]; then
            "${psql_base[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
        fi
    fi

    for f in /docker-entrypoint-initdb.d/*; do
        [[ -e "$f" ]] || continue
        case "$f" in
            *.sh)
                if [[ -x "$f" ]]; then note "running $f"; "$f"
                else note "sourcing $f"; . "$f"; fi ;;
            *.sql)    note "running $f"; "${psql_base[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
            *.sql.gz) note "running $f"; gunzip -c "$f" | "${psql_base[@]}" --dbname "$POSTGRES_DB" ;;
            *)        note "ignoring $f" ;;
        esac
    done

    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    unset POSTGRES_PASSWORD
    note "PostgreSQL init process complete; ready for start up."
else
    note "PostgreSQL database directory appears to contain a database; skipping initialization"
fi

exec "$@"
ENTRYPOINT
chmod 755 "$ROOT/usr/local/bin/docker-entrypoint.sh"

# Sanity checks on the root before importing.
for f in usr/lib/postgresql/$PG_MAJOR/bin/postgres usr/lib/postgresql/$PG_MAJOR/bin/initdb \
         usr/lib/postgresql/$PG_MAJOR/bin/pg_ctl usr/lib/postgresql/$PG_MAJOR/bin/psql \
         usr/share/postgresql/$PG_MAJOR/extension/pgtap.control usr/bin/setpriv; do
    [[ -e "$ROOT/$f" ]] || die "missing /$f in the built root"
done

# ---------------------------------------------------------------- import
log "importing root into docker as $TAG"
t0=$(date +%s)
image_id="$(tar --numeric-owner -C "$ROOT" -c . | docker import \
    --change "ENV PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV PG_MAJOR=$PG_MAJOR" \
    --change "ENV PGDATA=/var/lib/postgresql/data" \
    --change "ENV LANG=C.UTF-8" \
    --change "VOLUME /var/lib/postgresql/data" \
    --change "EXPOSE 5432" \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]' \
    --message "PostgreSQL $PG_MAJOR + pgTAP on Debian $SUITE (debootstrap minbase), built by .ci/build-pg-image.sh" \
    - "$TAG")"
log "imported in $(( $(date +%s) - t0 ))s: $image_id"

# `docker import --change` cannot set STOPSIGNAL; the official image uses SIGINT
# (fast shutdown) so `docker stop` does not wait for clients to disconnect.
# Add it with a one-instruction build on top of the local image (the legacy
# builder needs no registry). Not fatal: without it `docker stop` sends SIGTERM.
if printf 'FROM %s\nSTOPSIGNAL SIGINT\n' "$TAG" \
     | DOCKER_BUILDKIT=0 timeout 120 docker build -q -t "$TAG" - >"$WORK/stopsignal.log" 2>&1; then
    log "set STOPSIGNAL SIGINT"
else
    log "warning: could not set STOPSIGNAL SIGINT (docker build failed), keeping SIGTERM:"
    sed 's/^/    /' "$WORK/stopsignal.log" >&2
fi
if [[ -n "$old_image_id" && "$old_image_id" != "$(docker image inspect -f '{{.Id}}' "$TAG")" ]]; then
    docker rmi "$old_image_id" >/dev/null 2>&1 && log "removed the previous $TAG image ${old_image_id:7:12}" || true
fi
log "built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1000000 }')) in $(( $(date +%s) - start_ts ))s"
