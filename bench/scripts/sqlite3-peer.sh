#!/bin/sh
# Peer for StoreBench: the sqlite3 CLI on the same disk, same pragmas (WAL, synchronous=FULL),
# N single-row autocommit inserts of ~1 KiB (one fsync each, like one un-batched txn) and the
# same N rows in one transaction (the bulk-load ceiling).
# usage: bench/scripts/sqlite3-peer.sh [N] [synchronous]   (default 2000 FULL)
set -eu
N=${1:-2000}
SYNC=${2:-FULL}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
PAD=$(head -c 1000 /dev/zero | tr '\0' 'x')
gen() { i=0; while [ $i -lt "$N" ]; do echo "INSERT INTO kv VALUES ('/registry/pods/ns/pod-$i$1', '$PAD', 1, 1);"; i=$((i+1)); done; }
sqlite3 "$DIR/a.db" "PRAGMA journal_mode=WAL;" "CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB, c INTEGER, m INTEGER);" >/dev/null
gen a > "$DIR/auto.sql"
{ echo "BEGIN;"; gen b; echo "COMMIT;"; } > "$DIR/bulk.sql"
t0=$(date +%s%N)
{ echo "PRAGMA synchronous=$SYNC;"; cat "$DIR/auto.sql"; } | sqlite3 "$DIR/a.db"
t1=$(date +%s%N)
{ echo "PRAGMA synchronous=$SYNC;"; cat "$DIR/bulk.sql"; } | sqlite3 "$DIR/a.db"
t2=$(date +%s%N)
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1), synchronous=$SYNC, WAL, $N rows of ~1 KiB, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$N" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
  printf "| sqlite3 CLI: autocommit insert (1 txn per row) | %d | %.0f | mean %.1f µs |\n", n, n/((b-a)/1e9), (b-a)/1e3/n;
  printf "| sqlite3 CLI: %d inserts in one txn | %d | %.0f | mean %.1f µs |\n", n, n, n/((c-b)/1e9), (c-b)/1e3/n }'
