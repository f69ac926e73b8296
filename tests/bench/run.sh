#!/usr/bin/env bash
# The benchmark: parley against this machine's ceilings, in one run. Prints
# one table and writes build/bench/results.json. About 2 minutes at the
# default 5 seconds per ingest step.
#   tests/bench/run.sh [SECONDS_PER_INGEST_STEP]
#
# Steps, on the embedded PostgreSQL of a fresh data directory:
#   1. idle RSS; a command (`taken`) at 1,000 messages/s for 10 s, each from
#      its own sender: end-to-end latency to the reply's arrival at the fake
#      Graph API, and RSS after those 10,000 conversations;
#   2. ingest at 1, 16 and 64 connections (every message answered), with
#      events per commit and commits/s from parley's /metrics, then the time
#      the backlog of acknowledged but unanswered messages takes to drain
#      (every reply sent); the answering rate and CPU per message also from
#      the start of the 64-connection step to the end of the drain, where
#      parley is saturated (the 1- and 16-connection steps offer less than
#      it answers, so the rate over all steps is bounded by what they offer);
#   3. LLM overhead: free text at 20/s for 10 s through a fake LLM that
#      answers after exactly 200 ms; reply latency minus 200 ms;
#   4. the storage ceiling: as many events as the 64-connection step stored,
#      inserted by the same code in batches of the size parley reached (then
#      marked done: no parley answers them);
#   5. the HTTP ceiling: the ingest steps against a minimal Beast server;
#   0. at every start, start to ready: from starting parley to its first 200
#      on /health, with a new data directory (initdb) and an existing one;
#   6. a live-data command with a warm cache: `weer` at 1,000/s for 10 s,
#      each from its own sender, the weather connector reading a fake
#      Open-Meteo once (connectors.cache_s 600); its latency beside `taken`'s.
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
graph_port=$(free_port); parley_port=$(free_port); ceiling_port=$(free_port); llm_port=$(free_port)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  cp "$data/pg/postgres.log" "$out/" 2>/dev/null || true  # its starts and stops, timed
  rm -rf "$data"
}
trap cleanup EXIT
export BENCH_SECRET=bench-secret BENCH_TOKEN=bench-token
url="http://127.0.0.1:$parley_port/webhooks/meta/whatsapp"

# start_parley LLM_JSON [EXTRA_TOP_LEVEL] [EXTRA_TENANT]: parley on the data
# directory, $numbers business tenants (every sender is answered), replies to
# the fake Graph API on $graph_port. Each number sends at Meta's upgraded tier
# (1,000/s, its most): at the default 80/s, or with one number, Meta's cap
# and not parley would be measured. The commands go to the first.
numbers=8
starts=0
start_parley() {
  local tenants=""
  for i in $(seq 0 $((numbers - 1))); do
    tenants+="${tenants:+,}
   {\"id\": \"bench$i\", \"kind\": \"business\", \"channel\": \"meta\", ${3:-}
    \"phone_number_id\": \"$((1122334455667 + i))\", \"access_token_env\": \"BENCH_TOKEN\",
    \"messages_per_second\": 1000, \"language\": \"nl\"}"
  done
  cat > "$data/parley.json" <<JSON
{"listen": "127.0.0.1:$parley_port", "data_dir": "$data", "llm": $1, ${2:-}
 "meta": {"graph_url": "http://127.0.0.1:$graph_port", "app_secret_env": "BENCH_SECRET"},
 "tenants": [$tenants]}
JSON
  # Each start's log is kept (parley-1.log, …): a figure can be looked into.
  starts=$((starts + 1))
  local log="$out/parley-$starts.log"
  local fresh=existing
  [ -d "$data/pg/data" ] || fresh=new
  local started=$(date +%s%N)
  build/parley serve --config "$data/parley.json" 2> "$log" & parley_pid=$!
  pids+=($parley_pid)
  local ms
  ms=$(python3 tests/bench/wait_ready.py "http://127.0.0.1:$parley_port/health" $parley_pid $started) \
    || { cat "$log"; exit 1; }
  echo "$fresh $ms" >> "$out/ready_ms"
}
stop_parley() { kill $parley_pid; wait $parley_pid 2>/dev/null || true; }
rss_kb() { awk '/VmRSS/ {print $2}' /proc/$1/status; }
metric() {
  python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
    "http://127.0.0.1:$parley_port/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
# CPU time, threads and context switches of parley and the embedded PostgreSQL.
proc_stats() { python3 tests/bench/proc_stats.py "$parley_pid" "$data/pg/data"; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

echo "1/6 a command end to end at 1,000/s, 10,000 conversations"
start_parley '{}'
rss_idle=$(rss_kb $parley_pid)
proc_stats > "$out/proc_command_before.json"
$bench e2e --url "$url" --secret "$BENCH_SECRET" --graph-port "$graph_port" \
  --rate 1000 --seconds 10 --text taken --first-id 10000000 --label command > "$out/e2e.json"
rss_conversations=$(rss_kb $parley_pid)
proc_stats > "$out/proc_command_after.json"

echo "2/6 ingest at 1, 16 and 64 connections, ${seconds}s each"
# The drain below waits for this step's replies only: a reply of step 1 may
# have been in flight when its fake Graph API exited, and waits in doubt for
# a status webhook that fake never sends (send_in_doubt_ms).
psql_parley() { psql -h "$data/pg/run" -U parley -d parley -AtX -c "$1"; }
outbox_floor=$(psql_parley "SELECT coalesce(max(id), 0) FROM outbox")
$bench ceiling --port "$graph_port" 2>/dev/null & pids+=($!)
next=0
completed0=$(metric parley_messages_completed_total)
proc_stats > "$out/proc_ingest_before.json"
for c in 1 16 64; do
  if [ $c = 64 ]; then  # from here to the end of the drain: parley saturated
    proc_stats > "$out/proc_saturated_before.json"
    saturated_completed0=$(metric parley_messages_completed_total)
    saturated_start=$(date +%s.%N)
  fi
  commits0=$(metric parley_ingest_commits_total); events0=$(metric parley_webhook_events_total)
  line=$($bench ingest --url "$url" --secret "$BENCH_SECRET" --connections $c \
         --seconds "$seconds" --label parley --first-id $next --numbers $numbers)
  commits=$(( $(metric parley_ingest_commits_total) - commits0 ))
  events=$(( $(metric parley_webhook_events_total) - events0 ))
  next=$(field "$line" next_id)
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["commits"]=int(sys.argv[2]); d["events"]=int(sys.argv[3]); print(json.dumps(d))' \
    "$line" $commits $events >> "$out/parley.jsonl"
done
# Acknowledged is stored, not yet answered: the backlog drains before the
# next step, and the answering rate over the ingest steps is reported.
drain_start=$(date +%s.%N)
until [ "$(metric parley_messages_completed_total)" -ge "$(metric parley_webhook_events_total)" ]; do
  sleep 0.2
done
# Answered means the reply reached the (fake) Graph API: the outbox drains
# too, or the next steps would queue behind this one's sends.
pending_sends() {
  psql_parley "SELECT count(*) FROM outbox WHERE state = 'pending' AND id > $outbox_floor"
}
until [ "$(pending_sends)" = 0 ]; do
  sleep 0.2
done
drain_seconds=$(python3 -c "import time; print(round(time.time() - $drain_start, 2))")
proc_stats > "$out/proc_ingest_after.json"
cp "$out/proc_ingest_after.json" "$out/proc_saturated_after.json"
echo $(( $(metric parley_messages_completed_total) - saturated_completed0 )) > "$out/saturated_answered"
python3 -c "import time; print(round(time.time() - $saturated_start, 2))" > "$out/saturated_seconds"
echo $(( $(metric parley_messages_completed_total) - completed0 )) > "$out/ingest_answered"
rss_after=$(rss_kb $parley_pid)
# Memory a burst took should go back once it is over (parley trims its heap
# after a second without messages).
sleep 3
rss_settled=$(rss_kb $parley_pid)
stop_parley
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

echo "3/6 LLM overhead with a fake LLM answering in exactly 200 ms"
start_parley "{\"base_url\": \"http://127.0.0.1:$llm_port\", \"model\": \"bench\", \"workers\": 16}"
$bench e2e --url "$url" --secret "$BENCH_SECRET" --graph-port "$graph_port" \
  --llm-port "$llm_port" --llm-delay-ms 200 --rate 20 --seconds 10 --first-id 20000000 \
  --text "Wat kost een afspraak voor twee personen morgen?" --label llm > "$out/llm.json"
stop_parley

echo "4/6 the storage ceiling"
last=$(tail -1 "$out/parley.jsonl")
batch=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(max(1, round(d["events"] / max(1, d["commits"]))))' "$last")
$bench storage --data-dir "$data" --events "$(field "$last" events)" --batch "$batch" > "$out/storage.json"

echo "5/6 the HTTP ceiling"
$bench ceiling --port "$ceiling_port" 2>/dev/null & pids+=($!)
until (exec 3<>/dev/tcp/127.0.0.1/$ceiling_port) 2>/dev/null; do sleep 0.05; done
for c in 1 16 64; do
  $bench ingest --url "http://127.0.0.1:$ceiling_port/webhooks/meta/whatsapp" \
    --secret "$BENCH_SECRET" --connections $c --seconds "$seconds" --label ceiling >> "$out/ceiling.jsonl"
done

echo "6/6 a live-data command (weer) with a warm cache at 1,000/s"
# The fake Open-Meteo (tests/fakes) picks its port and writes it down.
python3 - "$out/weather.port" <<'PY' & pids+=($!)
import datetime, sys, threading
from zoneinfo import ZoneInfo
sys.path.insert(0, "tests")
from fakes.connectors import FakeOpenMeteo
fake = FakeOpenMeteo()
today = datetime.datetime.now(ZoneInfo("Europe/Amsterdam")).date()  # the tenant's day
fake.days = [{"date": (today + datetime.timedelta(days=i)).isoformat(), "code": 61, "tmax": 8,
              "tmin": 3, "rain": 60, "wind": 20} for i in range(3)]
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(fake.server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Event().wait()
PY
until [ -s "$out/weather.port" ]; do sleep 0.05; done
weather_port=$(cat "$out/weather.port")
start_parley '{}' "\"weather\": {\"base_url\": \"http://127.0.0.1:$weather_port\"}, \"connectors\": {\"cache_s\": 600}," \
  "\"timezone\": \"Europe/Amsterdam\", \"connectors\": {\"weather\": {\"latitude\": 52.37, \"longitude\": 4.89, \"place\": \"Amsterdam\"}},"
$bench e2e --url "$url" --secret "$BENCH_SECRET" --graph-port "$graph_port" \
  --rate 10 --seconds 1 --text weer --first-id 30000000 --label warm-up > /dev/null
$bench e2e --url "$url" --secret "$BENCH_SECRET" --graph-port "$graph_port" \
  --rate 1000 --seconds 10 --text weer --first-id 30001000 --label weather > "$out/weather.json"
stop_parley

python3 tests/bench/report.py "$out" "$rss_idle" "$rss_conversations" "$rss_after" "$drain_seconds" \
  "$rss_settled"
