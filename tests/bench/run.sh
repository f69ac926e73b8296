#!/usr/bin/env bash
# Ingest benchmark: parley against the HTTP ceiling on the same machine, in
# one run. Prints a table and writes build/bench/results.json.
#   tests/bench/run.sh [SECONDS_PER_STEP]     (default 5; about 1 minute)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-5}
./deploy/build.sh >/dev/null
bench=build/tests/parley_bench
out=build/bench
rm -rf "$out" && mkdir -p "$out"
data=$(mktemp -d /tmp/parley-bench.XXXXXX)
chmod 755 "$data"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
graph_port=$(free_port); parley_port=$(free_port); ceiling_port=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

# The fake Graph API the replies go to: the ceiling server answers like Meta.
$bench ceiling --port "$graph_port" 2>/dev/null & pids+=($!)
cat > "$data/parley.json" <<JSON
{"listen": "127.0.0.1:$parley_port", "data_dir": "$data",
 "meta": {"graph_url": "http://127.0.0.1:$graph_port", "app_secret_env": "BENCH_SECRET"},
 "tenants": [{"id": "bench", "kind": "personal", "channel": "meta",
              "phone_number_id": "1122334455667", "access_token_env": "BENCH_TOKEN",
              "owner": "31600000000", "language": "en"}]}
JSON
export BENCH_SECRET=bench-secret BENCH_TOKEN=bench-token
build/parley serve --config "$data/parley.json" 2> "$out/parley.log" & parley_pid=$!; pids+=($parley_pid)
until grep -q "listening on" "$out/parley.log"; do
  kill -0 $parley_pid 2>/dev/null || { cat "$out/parley.log"; exit 1; }
  sleep 0.1
done
rss() { awk '/VmRSS/ {print $2}' /proc/$1/status; }
rss_idle=$(rss $parley_pid)

echo "ingest: signed ~1 KB webhooks over keep-alive connections, ${seconds}s per step"
next=0
for c in 1 16 64; do
  line=$($bench ingest --url "http://127.0.0.1:$parley_port/webhooks/meta/whatsapp" \
         --secret "$BENCH_SECRET" --connections $c --seconds "$seconds" --label parley --first-id $next)
  next=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["next_id"])' "$line")
  echo "$line" >> "$out/parley.jsonl"
done
metrics() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "http://127.0.0.1:$parley_port/metrics"; }
commits=$(metrics | awk '/^parley_ingest_commits_total/ {print $2}')
events=$(metrics | awk '/^parley_webhook_events_total/ {print $2}')
rss_after=$(rss $parley_pid)
kill $parley_pid; wait $parley_pid 2>/dev/null || true

$bench ceiling --port "$ceiling_port" 2>/dev/null & pids+=($!)
until (exec 3<>/dev/tcp/127.0.0.1/$ceiling_port) 2>/dev/null; do sleep 0.05; done
for c in 1 16 64; do
  $bench ingest --url "http://127.0.0.1:$ceiling_port/webhooks/meta/whatsapp" \
    --secret "$BENCH_SECRET" --connections $c --seconds "$seconds" --label ceiling >> "$out/ceiling.jsonl"
done

python3 - "$out" "$rss_idle" "$rss_after" "${commits:-0}" "${events:-0}" <<'PY'
import json, platform, os, sys
out, rss_idle, rss_after, commits, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
parley = [json.loads(l) for l in open(out + "/parley.jsonl")]
ceiling = [json.loads(l) for l in open(out + "/ceiling.jsonl")]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print("machine: %s, %d cores" % (cpu, os.cpu_count()))
print("%-5s %12s %9s %9s %9s %9s %8s %12s %7s" % ("conns", "acked/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "ceiling/s", "ratio"))
for p, c in zip(parley, ceiling):
    print("%-5d %12.0f %9.2f %9.2f %9.2f %9.2f %8d %12.0f %7.2f" % (
        p["connections"], p["per_second"], p["p50_us"] / 1000, p["p90_us"] / 1000,
        p["p99_us"] / 1000, p["max_us"] / 1000, p["errors"], c["per_second"],
        p["per_second"] / c["per_second"] if c["per_second"] else 0))
batch = events / commits if commits else 0
print("group commit: %.0f events in %.0f commits, %.1f events per commit" % (events, commits, batch))
print("parley RSS: %.1f MB idle, %.1f MB after the runs" % (rss_idle / 1024, rss_after / 1024))
json.dump({"machine": {"cpu": cpu, "cores": os.cpu_count()}, "parley": parley, "ceiling": ceiling,
           "group_commit": {"events": events, "commits": commits, "events_per_commit": batch},
           "rss_kb": {"idle": rss_idle, "after": rss_after}}, open(out + "/results.json", "w"), indent=1)
print("written: %s/results.json" % out)
PY
