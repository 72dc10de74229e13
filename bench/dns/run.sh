#!/usr/bin/env bash
# DNS benchmark: dualstack's cluster DNS vs NSD (Debian's nsd), same records, same queries, loopback only.
#   bench/dns/run.sh [SERVICES=10000] [SECONDS=20]
# Needs: dnsperf, nsd, dig (apt-get install dnsperf nsd dnsutils). Builds the bench jar into
# ${DS_TARGET:-target-dns}. Prints a Markdown table for bench/RESULTS.md and keeps raw output in $WORK.
set -euo pipefail
N=${1:-10000}
SECS=${2:-20}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${DS_TARGET:-target-dns}
for tool in dnsperf nsd dig python3; do
  command -v "$tool" >/dev/null || { echo "bench/dns/run.sh: $tool is missing; apt-get install dnsperf nsd dnsutils" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/dualstack-dnsbench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

(cd "$ROOT" && mvn -B -q -o -Dds.target="$TARGET" -pl bench -am package -DskipTests)
CP="$ROOT/bench/$TARGET/bench-0.1.0-SNAPSHOT.jar:$(ls "$ROOT"/bench/"$TARGET"/lib/*.jar | tr '\n' ':')"
JAVA="java ${DNS_BENCH_JAVA_OPTS:--Xms512m -Xmx1g -XX:+UseG1GC} -cp $CP io.dualstack.bench.dns.DnsBench"

$JAVA generate "$WORK" "$N"
$JAVA rebuild "$N" | tee "$WORK/rebuild.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NSD_PORT=$(free_port)
OUR_PORT=$(free_port)

cat > "$WORK/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$NSD_PORT
  ip-address: ::1@$NSD_PORT
  port: $NSD_PORT
  server-count: 2
  username: ""
  chroot: ""
  zonesdir: "$WORK"
  pidfile: "$WORK/nsd.pid"
  xfrdfile: "$WORK/xfrd.state"
  xfrdir: "$WORK"
  zonelistfile: "$WORK/zone.list"
  logfile: "$WORK/nsd.log"
  verbosity: 1
  # Debian's NSD has response rate limiting on: off, or it drops benchmark traffic on purpose
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: cluster.local
  zonefile: cluster.local.zone
zone:
  name: in-addr.arpa
  zonefile: in-addr.arpa.zone
zone:
  name: ip6.arpa
  zonefile: ip6.arpa.zone
CONF
nsd -d -c "$WORK/nsd.conf" >"$WORK/nsd.out" 2>&1 &
PIDS+=($!)
$JAVA serve "$OUR_PORT" "$N" >"$WORK/ours.out" 2>&1 &
PIDS+=($!)

wait_up() { # port
  for _ in $(seq 1 300); do
    if dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short SOA cluster.local 2>/dev/null | grep -q hostmaster; then return 0; fi
    sleep 0.2
  done
  echo "server on port $1 did not come up; see $WORK" >&2; exit 1
}
wait_up "$NSD_PORT"
wait_up "$OUR_PORT"

# Same answers? Compare a sample of queries (answer sections, sorted; TTLs equal by construction).
check_same() {
  local diffs=0
  while read -r name type; do
    a=$(dig @127.0.0.1 -p "$NSD_PORT" +norec +noall +answer +nottlid "$name" "$type" | sort)
    b=$(dig @127.0.0.1 -p "$OUR_PORT" +norec +noall +answer +nottlid "$name" "$type" | sort)
    sa=$(dig @127.0.0.1 -p "$NSD_PORT" +norec "$name" "$type" | grep -o 'status: [A-Z]*')
    sb=$(dig @127.0.0.1 -p "$OUR_PORT" +norec "$name" "$type" | grep -o 'status: [A-Z]*')
    if [ "$a" != "$b" ] || [ "$sa" != "$sb" ]; then diffs=$((diffs+1)); echo "differs: $name $type ($sa / $sb)" >>"$WORK/differences.txt"; fi
  done < <(shuf -n 40 --random-source=<(yes) "$WORK/queries.txt")
  echo "$diffs"
}
DIFFS=$(check_same)

run() { # label port extra-args... (SERVER=::1 for the IPv6 loopback)
  local label=$1 port=$2; shift 2
  dnsperf -s "${SERVER:-127.0.0.1}" -p "$port" -d "$WORK/queries.txt" "$@" >"$WORK/$label.txt" 2>&1 || true
}
# warm-up (JIT for ours, caches for both)
run warm-nsd "$NSD_PORT" -l 5 -c 2 -q 100
run warm-ours "$OUR_PORT" -l 5 -c 2 -q 100
# throughput: closed loop, 100 outstanding queries from 2 clients
run tput-nsd "$NSD_PORT" -l "$SECS" -c 2 -q 100
run tput-ours "$OUR_PORT" -l "$SECS" -c 2 -q 100
# the same over IPv6 loopback
SERVER=::1 run tput6-nsd "$NSD_PORT" -l "$SECS" -c 2 -q 100
SERVER=::1 run tput6-ours "$OUR_PORT" -l "$SECS" -c 2 -q 100
# latency at a fixed offered load (same for both), per-query latencies with -v
run lat-nsd "$NSD_PORT" -l 10 -c 1 -q 50 -Q 5000 -v
run lat-ours "$OUR_PORT" -l 10 -c 1 -q 50 -Q 5000 -v

python3 - "$WORK" "$N" "$SECS" "$DIFFS" <<'PY'
import re, sys, os, statistics
work, n, secs, diffs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def stat(label):
    t = open(os.path.join(work, label + ".txt")).read()
    q = re.search(r"Queries per second:\s+([\d.]+)", t)
    lost = re.search(r"Queries lost:\s+(\d+)", t)
    avg = re.search(r"Average Latency \(s\):\s+([\d.]+)", t)
    return (float(q.group(1)) if q else 0.0, int(lost.group(1)) if lost else -1, float(avg.group(1)) if avg else 0.0)
def lat(label):
    xs = []
    for line in open(os.path.join(work, label + ".txt")):
        m = re.match(r"^> \S+ .* ([\d.]+)$", line.strip())
        if m: xs.append(float(m.group(1)) * 1000)
    xs.sort()
    if not xs: return None
    p = lambda f: xs[min(len(xs) - 1, int(f * len(xs)))]
    return (len(xs), p(0.5), p(0.9), p(0.99), p(0.999))
rows = []
for name, key in (("NSD 4.6 (Debian nsd, server-count 2)", "nsd"), ("dualstack dns (Java 17)", "ours")):
    qps, lost, avg = stat("tput-" + key)
    l = lat("lat-" + key)
    rows.append((name, qps, lost, avg * 1000, l))
print()
print(f"| server | QPS (closed loop, 2 clients x 100 outstanding, {secs}s) | lost | avg ms | p50 ms | p90 ms | p99 ms | p99.9 ms (at 5,000 QPS offered) |")
print("|---|---|---|---|---|---|---|---|")
for name, qps, lost, avg, l in rows:
    if l: print(f"| {name} | {qps:,.0f} | {lost} | {avg:.3f} | {l[1]:.3f} | {l[2]:.3f} | {l[3]:.3f} | {l[4]:.3f} |")
    else: print(f"| {name} | {qps:,.0f} | {lost} | {avg:.3f} | n/a | n/a | n/a | n/a |")
q6 = [stat("tput6-nsd"), stat("tput6-ours")]
print(f"| NSD over [::1] | {q6[0][0]:,.0f} | {q6[0][1]} | {q6[0][2]*1000:.3f} | | | | |")
print(f"| dualstack dns over [::1] | {q6[1][0]:,.0f} | {q6[1][1]} | {q6[1][2]*1000:.3f} | | | | |")
if rows[0][1] > 0:
    print(f"\nratio dualstack/NSD: {rows[1][1] / rows[0][1]:.2f} (QPS, IPv4)" + (f", {q6[1][0] / q6[0][0]:.2f} (IPv6)" if q6[0][0] else "")
          + f"; sampled answers differing from NSD: {diffs} of 40")
PY
echo
cat "$WORK/rebuild.txt"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc); raw output in $WORK"
