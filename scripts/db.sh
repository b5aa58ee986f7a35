#!/usr/bin/env bash
# Makes a PostgreSQL database with pgvector usable for Plume, on a fresh Debian/Ubuntu machine. Idempotent.
#
# 1. Use DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) if it answers.
# 2. Otherwise start a private cluster under .data/ with the installed PostgreSQL binaries
#    (installing postgresql with apt when none is installed).
# 3. When CREATE EXTENSION vector fails, build pgvector from Debian's source package (suite trixie)
#    against the running server's pg_config, install it, and retry.
#
# Prints the URL to use on its last line: DATABASE_URL=…
# Where it lacks the rights to install, it prints the exact commands to run and exits non-zero.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
say() { printf 'db.sh: %s\n' "$*" >&2; }

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd="sudo"; fi
fi
can_install() { [ "$(id -u)" -eq 0 ] || [ -n "$sudo_cmd" ]; }
need_root() {
  say "droits insuffisants pour installer ; lancez en root :"
  printf '    %s\n' "$@" >&2
  exit 1
}

apt_updated=""
apt_install() {
  if ! can_install; then need_root "apt-get update" "apt-get install -y $*"; fi
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    $sudo_cmd apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

answers() { psql "$1" -XAtqc 'SELECT 1' >/dev/null 2>&1; }

# --- 1. a server that answers -------------------------------------------------------------------------------
if ! command -v psql >/dev/null 2>&1; then
  apt_install postgresql-client
fi
if answers "$url"; then
  say "serveur joignable : ${url%%\?*}"
else
  # --- 2. a private cluster under .data/ ----------------------------------------------------------------------
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$pgbin" ] || [ ! -x "$pgbin/pg_ctl" ]; then
    apt_install postgresql
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  fi
  data="$root/.data/pg"
  port=${PLUME_PG_PORT:-55432}
  run_as=()
  # initdb refuses to run as root: use the postgres system user, which owns nothing of ours otherwise.
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    mkdir -p "$root/.data"
    chown postgres "$root/.data"
    run_as=(runuser -u postgres --)
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    say "création d'un cluster privé dans $data"
    "${run_as[@]}" "$pgbin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! "${run_as[@]}" "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "démarrage du cluster privé sur 127.0.0.1:$port"
    "${run_as[@]}" "$pgbin/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data" start >/dev/null
  fi
  url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  if ! psql "$url" -XAtqc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1; then
    psql "$url" -Xqc 'CREATE DATABASE test' >/dev/null
  fi
  url="postgres://postgres@127.0.0.1:$port/test?sslmode=disable"
  answers "$url" || { say "le cluster privé ne répond pas ; voir $data/server.log"; exit 1; }
fi

# --- 3. pgvector ------------------------------------------------------------------------------------------------
have_vector() { psql "$url" -XAtqc 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null 2>&1; }
if have_vector; then
  say "extension vector disponible"
else
  major=$(psql "$url" -XAtqc 'SHOW server_version_num' | cut -c1-2)
  pg_config="/usr/lib/postgresql/$major/bin/pg_config"
  say "extension vector absente : compilation de pgvector depuis le paquet source Debian (trixie) pour PostgreSQL $major"
  if ! can_install; then
    need_root "echo 'deb-src http://deb.debian.org/debian trixie main' > /etc/apt/sources.list.d/plume-pgvector-src.list" \
      "apt-get update && apt-get install -y build-essential dpkg-dev postgresql-server-dev-$major" \
      "cd \$(mktemp -d) && apt-get source pgvector && cd pgvector-*/ && make PG_CONFIG=$pg_config && make install PG_CONFIG=$pg_config"
  fi
  src_list=/etc/apt/sources.list.d/plume-pgvector-src.sources
  if [ ! -f "$src_list" ]; then
    say "ajout de l'entrée deb-src trixie ($src_list)"
    $sudo_cmd tee "$src_list" >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_updated=""
  fi
  apt_install build-essential dpkg-dev "postgresql-server-dev-$major"
  build=$(mktemp -d)
  start=$(date +%s)
  (
    cd "$build"
    say "apt-get source pgvector (dans $build)"
    apt-get source -qq pgvector >/dev/null 2>&1 || apt-get source pgvector
    cd pgvector-*/
    say "make (PG_CONFIG=$pg_config)"
    make -s PG_CONFIG="$pg_config" >/dev/null 2>&1 || make PG_CONFIG="$pg_config"
    $sudo_cmd make -s install PG_CONFIG="$pg_config" >/dev/null
  )
  rm -rf "$build"
  say "pgvector compilé et installé en $(( $(date +%s) - start )) s"
  have_vector || { say "CREATE EXTENSION vector échoue encore"; exit 1; }
  say "extension vector disponible"
fi
echo "DATABASE_URL=$url"
