#!/usr/bin/env bash
# The PostgreSQL tests of nbs/07_tuning.ipynb against a real PostgreSQL server: install PostgreSQL from Debian if missing, start a
# throwaway server on 127.0.0.1 (its own data folder and a free port), create a database, run tinycnn_tune
# workers on one study in it (tests/tuning/test_postgres.py), stop the server. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
DIR=$(mktemp -d /tmp/tinycnn-pg.XXXXXX)
chown postgres "$DIR"; chmod 700 "$DIR"
PORT=$(python -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
as_postgres() { (cd "$DIR" && runuser -u postgres -- "$@"); }
stop() {
  as_postgres "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT
as_postgres "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o "-h 127.0.0.1 -p $PORT -k $DIR" start >/dev/null
echo "$("$PGBIN/postgres" --version) on 127.0.0.1:$PORT"
as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres tinycnn
export TINYCNN_PG_URL="postgresql://postgres@127.0.0.1:$PORT/tinycnn"
python -m pytest -q -p no:cacheprovider tests/tuning/test_postgres.py
