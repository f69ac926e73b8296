"""Prints the benchmark's table and writes results.json (tests/bench/run.sh).

   python3 tests/bench/report.py OUT_DIR RSS_IDLE_KB RSS_10K_KB RSS_AFTER_KB DRAIN_S RSS_SETTLED_KB
"""
import json
import os
import sys

out = sys.argv[1]
rss_idle, rss_conversations, rss_after = (int(x) for x in sys.argv[2:5])
drain_seconds = float(sys.argv[5])


def lines(name):
    return [json.loads(l) for l in open(os.path.join(out, name))]


def one(name):
    return json.load(open(os.path.join(out, name)))


parley, ceiling = lines("parley.jsonl"), lines("ceiling.jsonl")
e2e, llm, storage = one("e2e.json"), one("llm.json"), one("storage.json")
weather = one("weather.json")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), "?")
print("machine: %s, %d cores (load generator and fake peers included)" % (cpu, os.cpu_count()))
print()
print("ingest: signed ~1 KB webhooks, every message answered")
print("%-5s %9s %8s %8s %8s %8s %6s %9s %10s %10s %6s" % (
    "conns", "acked/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors",
    "ev/commit", "commits/s", "ceiling/s", "ratio"))
for p, c in zip(parley, ceiling):
    p["events_per_commit"] = p["events"] / p["commits"] if p["commits"] else 0
    p["commits_per_second"] = p["commits"] / p["seconds"]
    p["ceiling_ratio"] = p["per_second"] / c["per_second"] if c["per_second"] else 0
    print("%-5d %9.0f %8.2f %8.2f %8.2f %8.2f %6d %9.1f %10.0f %10.0f %6.2f" % (
        p["connections"], p["per_second"], p["p50_ms"], p["p90_ms"], p["p99_ms"],
        p["max_ms"], p["errors"], p["events_per_commit"], p["commits_per_second"],
        c["per_second"], p["ceiling_ratio"]))
answered = sum(p["events"] for p in parley)
answering = {"messages": answered, "drain_seconds": drain_seconds,
             "per_second": answered / (sum(p["seconds"] for p in parley) + drain_seconds)}
print("answering: the %d messages of the ingest steps were all answered (their replies sent)"
      " %.1f s after the last step; %.0f answered/s over the steps and the drain" % (
          answered, drain_seconds, answering["per_second"]))
last = parley[-1]
storage["parley_ratio"] = last["per_second"] / storage["per_second"] if storage["per_second"] else 0
print("storage ceiling: %d events in batches of %d straight into PostgreSQL: %.0f/s"
      " (%.0f commits/s, commit p50 %.2f ms, p99 %.2f ms); parley at 64 connections: %.2f of it"
      % (storage["events"], storage["batch"], storage["per_second"], storage["commits_per_second"],
         storage["commit_p50_ms"], storage["commit_p99_ms"], storage["parley_ratio"]))
print()
for name, r in (("command `taken`", e2e), ("command `weer` (warm cache)", weather),
                ("LLM overhead", llm)):
    extra = " minus the model's %.0f ms" % r["subtracted_ms"] if r["subtracted_ms"] else ""
    print("%s at %.0f/s offered (%.0f/s sent): %d of %d answered; reply%s p50 %.2f ms,"
          " p90 %.2f ms, p99 %.2f ms, max %.2f ms; ack p50 %.2f ms, p99 %.2f ms" % (
              name, r["offered_per_second"], r["sent_per_second"], r["answered"],
              r["acked"], extra, r["reply_p50_ms"], r["reply_p90_ms"], r["reply_p99_ms"],
              r["reply_max_ms"], r["ack_p50_ms"], r["ack_p99_ms"]))
weather["p50_ratio_to_taken"] = (weather["reply_p50_ms"] / e2e["reply_p50_ms"]
                                 if e2e["reply_p50_ms"] else 0)
print("a live-data command with a warm cache costs %.2f times a task command (reply p50)"
      % weather["p50_ratio_to_taken"])
conversations = e2e["answered"]
per_conversation = (rss_conversations - rss_idle) / conversations if conversations else 0
def per_message(step, answered):
    """CPU µs, context switches per answered message across a step, and threads."""
    before, after = one("proc_%s_before.json" % step), one("proc_%s_after.json" % step)
    n = max(1, answered)
    return {"answered": answered,
            "parley_cpu_us": (after["parley_cpu_s"] - before["parley_cpu_s"]) * 1e6 / n,
            "pg_cpu_us": (after["pg_cpu_s"] - before["pg_cpu_s"]) * 1e6 / n,
            "switches": (after["parley_switches"] - before["parley_switches"]) / n,
            "threads": after["parley_threads"]}


def number(name):
    return float(open(os.path.join(out, name)).read())


costs = {"command": per_message("command", e2e["answered"]),
         "ingest": per_message("ingest", int(number("ingest_answered"))),
         "saturated": per_message("saturated", int(number("saturated_answered")))}
saturated_seconds = number("saturated_seconds")
answering["saturated_per_second"] = costs["saturated"]["answered"] / saturated_seconds
print("answering at saturation: %d messages answered from the start of the 64-connection step"
      " to the end of the drain (%.1f s): %.0f answered/s" % (
          costs["saturated"]["answered"], saturated_seconds, answering["saturated_per_second"]))
for name, label in (("command", "command `taken`, 10,000 conversations"),
                    ("ingest", "the ingest steps and their drain"),
                    ("saturated", "the 64-connection step and its drain")):
    c = costs[name]
    print("cost per answered message, %s (%d): parley CPU %.0f us, PostgreSQL CPU %.0f us,"
          " %.1f context switches in parley; %d parley threads" % (
              label, c["answered"], c["parley_cpu_us"], c["pg_cpu_us"], c["switches"],
              c["threads"]))
rss_settled = int(sys.argv[6])
print("memory: RSS %.1f MB idle, %.1f MB after %d conversations (%.1f KB each),"
      " %.1f MB right after the ingest steps, %.1f MB 3 s later" % (
          rss_idle / 1024, rss_conversations / 1024, conversations, per_conversation,
          rss_after / 1024, rss_settled / 1024))
ready = {"new": [], "existing": []}
with open(os.path.join(out, "ready_ms")) as f:
    for line in f:
        kind, ms = line.split()
        ready[kind].append(int(ms))
print("start to ready (first 200 on /health): %s ms with a new data directory (initdb),"
      " %s ms with an existing one" % (
          ", ".join(map(str, ready["new"])), ", ".join(map(str, ready["existing"]))))
json.dump({"machine": {"cpu": cpu, "cores": os.cpu_count()},
           "ingest": parley, "answering": answering, "http_ceiling": ceiling, "storage_ceiling": storage,
           "command_end_to_end": e2e, "cost_per_message": costs, "live_command_warm_cache": weather, "llm_overhead": llm,
           "start_to_ready_ms": ready,
           "rss_kb": {"idle": rss_idle, "after_conversations": rss_conversations,
                      "conversations": conversations,
                      "per_conversation_kb": per_conversation, "after_ingest": rss_after,
                      "after_ingest_settled": rss_settled}},
          open(os.path.join(out, "results.json"), "w"), indent=1)
print("written: %s/results.json" % os.path.join(out))
